package dev.tern.compress.prune;

import dev.tern.compress.BadInputException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MagnitudePrunerTest {
    private static final long SEED = 20261125L;

    @Test
    void unstructuredPrunesTheSmallestMagnitudes() {
        PruneTarget t = PruneTarget.dense("fc", new float[] {0.1f, -0.5f, 0.3f, 0f, 2f, -0.2f}, 2, 3);
        // 3 of 6 go: 0 (index 3), 0.1 (index 0), -0.2 (index 5)
        assertArrayEquals(new boolean[] {false, true, true, false, true, false}, MagnitudePruner.unstructured(t, 0.5));
        assertArrayEquals(new boolean[] {true, true, true, true, true, true}, MagnitudePruner.unstructured(t, 0.0));
        // 0.9 * 6 = 5.4 -> 5 go, only 2.0 stays
        assertArrayEquals(new boolean[] {false, false, false, false, true, false}, MagnitudePruner.unstructured(t, 0.9));
    }

    @Test
    void tiesArePrunedEarliestFirst() {
        PruneTarget t = PruneTarget.dense("fc", new float[] {1f, -1f, 1f, 1f}, 1, 4);
        assertArrayEquals(new boolean[] {false, true, true, true}, MagnitudePruner.unstructured(t, 0.25));
        assertArrayEquals(new boolean[] {false, false, true, true}, MagnitudePruner.unstructured(t, 0.5));
    }

    @Test
    void unstructuredHitsTheExactCountAndKeepsTheLargest() {
        Random rnd = new Random(SEED);
        for (int trial = 0; trial < 50; trial++) {
            int out = 1 + rnd.nextInt(20);
            int in = 1 + rnd.nextInt(40);
            float[] w = new float[out * in];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) rnd.nextGaussian();
            }
            double s = rnd.nextDouble() * 0.99;
            boolean[] keep = MagnitudePruner.unstructured(PruneTarget.dense("fc", w, out, in), s);
            int pruned = 0;
            float maxPruned = 0;
            float minKept = Float.POSITIVE_INFINITY;
            for (int i = 0; i < w.length; i++) {
                if (keep[i]) {
                    minKept = Math.min(minKept, Math.abs(w[i]));
                } else {
                    pruned++;
                    maxPruned = Math.max(maxPruned, Math.abs(w[i]));
                }
            }
            assertEquals(Math.round(s * w.length), pruned, "s " + s + " n " + w.length);
            assertTrue(pruned == 0 || pruned == w.length || maxPruned <= minKept);
        }
    }

    @Test
    void globalRanksAcrossLayers() {
        PruneTarget small = PruneTarget.dense("small", new float[] {0.01f, 0.02f, 0.03f, 0.04f}, 2, 2);
        PruneTarget large = PruneTarget.dense("large", new float[] {1f, 2f, 3f, 0.025f}, 2, 2);
        List<boolean[]> masks = MagnitudePruner.global(List.of(small, large), 0.5);
        // the 4 smallest of all 8: 0.01, 0.02, 0.025, 0.03
        assertArrayEquals(new boolean[] {false, false, false, true}, masks.get(0));
        assertArrayEquals(new boolean[] {true, true, true, false}, masks.get(1));
        // per layer, each would lose half
        assertEquals(0.5, MagnitudePruner.sparsity(MagnitudePruner.unstructured(small, 0.5)));
    }

    @Test
    void channelsGoByL1Norm() {
        // 3 output channels of a 1x1 conv with 2 inputs: L1 norms 0.3, 3.0, 0.4
        float[] w = {0.1f, -0.2f, 1f, -2f, 0.4f, 0f};
        PruneTarget t = PruneTarget.conv2d("conv", w, 3, 1, 1, 2);
        assertArrayEquals(new float[] {0.3f, 3f, 0.4f}, MagnitudePruner.channelNorms(t), 1e-6f);
        assertArrayEquals(new boolean[] {false, true, false}, MagnitudePruner.keptChannels(t, 0.6));
        assertArrayEquals(new boolean[] {false, false, true, true, false, false}, MagnitudePruner.channels(t, 0.6));
        assertArrayEquals(new boolean[] {false, true, true}, MagnitudePruner.keptChannels(t, 0.3));
        // 0.99 of 3 channels rounds to 3, but one always stays
        assertArrayEquals(new boolean[] {false, true, false}, MagnitudePruner.keptChannels(t, 0.99));
    }

    @Test
    void twoOfFourKeepsTheTwoLargestOfEveryGroup() {
        Random rnd = new Random(SEED + 1);
        int cout = 6;
        int cin = 12;
        float[] w = new float[cout * 3 * 3 * cin];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        boolean[] keep = MagnitudePruner.nOfM(PruneTarget.conv2d("conv", w, cout, 3, 3, cin), 2, 4);
        for (int g = 0; g < w.length; g += 4) {
            int kept = 0;
            float minKept = Float.POSITIVE_INFINITY;
            float maxPruned = 0;
            for (int k = 0; k < 4; k++) {
                if (keep[g + k]) {
                    kept++;
                    minKept = Math.min(minKept, Math.abs(w[g + k]));
                } else {
                    maxPruned = Math.max(maxPruned, Math.abs(w[g + k]));
                }
            }
            assertEquals(2, kept, "group at " + g);
            assertTrue(maxPruned <= minKept, "group at " + g);
        }
        float[] pruned = MagnitudePruner.apply(w, keep);
        for (int g = 0; g < w.length; g += 4) {
            int nonZero = 0;
            for (int k = 0; k < 4; k++) {
                nonZero += pruned[g + k] != 0 ? 1 : 0;
            }
            assertTrue(nonZero <= 2, "group at " + g + " has " + nonZero + " non-zeros");
        }
        assertFalse(w == pruned);
    }

    @Test
    void badInputIsRejectedWithAMessage() {
        PruneTarget t = PruneTarget.dense("fc", new float[6], 2, 3);
        for (double s : new double[] {-0.1, 1.0, 1.5, Double.NaN}) {
            BadInputException e = assertThrows(BadInputException.class, () -> MagnitudePruner.unstructured(t, s));
            assertTrue(e.getMessage().contains("[0, 1)") && e.getMessage().contains(String.valueOf(s)), e.getMessage());
        }
        BadInputException e = assertThrows(BadInputException.class, () -> MagnitudePruner.nOfM(t, 2, 4));
        assertTrue(e.getMessage().contains("fc") && e.getMessage().contains("multiple of 4") && e.getMessage().contains("got 3"),
                e.getMessage());
        assertThrows(BadInputException.class, () -> MagnitudePruner.nOfM(PruneTarget.dense("fc", new float[8], 2, 4), 4, 4));
        assertThrows(IllegalArgumentException.class, () -> PruneTarget.dense("fc", new float[5], 2, 3));
    }
}
