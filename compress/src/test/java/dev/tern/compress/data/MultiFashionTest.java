package dev.tern.compress.data;

import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.NoSuchElementException;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MultiFashionTest {
    private static final long SEED = 20261125L;

    /** A 28x28 item with every pixel {@code v}, except the given (y, x, value) triples. */
    private static byte[] item(int v, int... yxv) {
        byte[] b = new byte[784];
        Arrays.fill(b, (byte) v);
        for (int k = 0; k < yxv.length; k += 3) {
            b[yxv[k] * 28 + yxv[k + 1]] = (byte) yxv[k + 2];
        }
        return b;
    }

    private static int px(byte[] canvas, int y, int x) {
        return canvas[y * 36 + x] & 0xff;
    }

    @Test
    void handCheckedCanvas() {
        // A: 10 everywhere, corners 200 (0,0) and 50 (27,27). B: 20 everywhere, 30 at (0,0), 5 at (27,27).
        byte[] a = item(10, 0, 0, 200, 27, 27, 50);
        byte[] b = item(20, 0, 0, 30, 27, 27, 5);
        // dyA=1, dxA=2: A covers rows 1..28, cols 2..29. dyB=3, dxB=0: B's corner (8-3, 8-0) = (5, 8),
        // so B covers rows 5..32, cols 8..35.
        byte[] c = MultiFashion.render(a, b, 1, 2, 3, 0);
        assertEquals(1296, c.length);
        assertEquals(200, px(c, 1, 2), "A's (0,0) lands at (dyA, dxA)");
        assertEquals(0, px(c, 0, 2), "row 0 is above A");
        assertEquals(0, px(c, 1, 1), "col 1 is left of A");
        assertEquals(10, px(c, 4, 20), "A only (above B)");
        assertEquals(30, px(c, 5, 8), "B's (0,0) = 30 lands at (5, 8); max(A's 10, 30) = 30");
        assertEquals(20, px(c, 10, 20), "overlap: max(10, 20) = 20");
        assertEquals(50, px(c, 28, 29), "A's (27,27) = 50 over B's (23,21) = 20: max = 50");
        assertEquals(5, px(c, 32, 35), "B's (27,27) = 5 lands at (32, 35), outside A");
        assertEquals(20, px(c, 30, 30), "B only (below A)");
        assertEquals(0, px(c, 33, 10), "below B");
        assertEquals(0, px(c, 35, 35), "bottom-right corner is empty");
        assertEquals(0, px(c, 30, 5), "left of B and below A");
        // Count by region: A only, B only, overlap, empty.
        int[] counts = new int[256];
        for (byte v : c) {
            counts[v & 0xff]++;
        }
        // Overlap: rows 5..28 x cols 8..29 = 24 x 22 = 528 pixels, all max(10, 20) = 20 except B(0,0) -> 30 and
        // A(27,27) -> 50: 526 of 20. B alone: 784 - 528 = 256 pixels, all 20 except B(27,27) = 5: 255 of 20.
        // A alone: 256 pixels, all 10 except A(0,0) = 200: 255 of 10. Empty: 1296 - (784 + 256) = 256.
        assertEquals(255, counts[10]);
        assertEquals(526 + 255, counts[20]);
        assertEquals(1, counts[30]);
        assertEquals(1, counts[50]);
        assertEquals(1, counts[200]);
        assertEquals(1, counts[5]);
        assertEquals(1296 - 784 - 256, counts[0]);
    }

    @Test
    void everyShiftMatchesANaiveOracle() {
        Random rnd = new Random(SEED);
        byte[] a = new byte[784];
        byte[] b = new byte[784];
        rnd.nextBytes(a);
        rnd.nextBytes(b);
        for (int dyA = 0; dyA <= 4; dyA++) {
            for (int dxA = 0; dxA <= 4; dxA++) {
                for (int dyB = 0; dyB <= 4; dyB++) {
                    for (int dxB = 0; dxB <= 4; dxB++) {
                        byte[] c = MultiFashion.render(a, b, dyA, dxA, dyB, dxB);
                        for (int y = 0; y < 36; y++) {
                            for (int x = 0; x < 36; x++) {
                                int va = inside(y - dyA, x - dxA) ? a[(y - dyA) * 28 + x - dxA] & 0xff : 0;
                                int yb = y - (8 - dyB);
                                int xb = x - (8 - dxB);
                                int vb = inside(yb, xb) ? b[yb * 28 + xb] & 0xff : 0;
                                assertEquals(Math.max(va, vb), px(c, y, x), "shifts " + dyA + dxA + dyB + dxB + " at " + y + "," + x);
                            }
                        }
                    }
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> MultiFashion.render(a, b, 5, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> MultiFashion.render(a, b, 0, 0, 0, -1));
        assertThrows(IllegalArgumentException.class, () -> MultiFashion.render(new byte[783], b, 0, 0, 0, 0));
    }

    private static boolean inside(int y, int x) {
        return y >= 0 && y < 28 && x >= 0 && x < 28;
    }

    /**
     * A fake Fashion-MNIST whose splits cannot be confused: training image i has every pixel
     * 1 + i % 100, test image i has every pixel 101 + i % 100; sizes differ (train 300, test 70).
     * Labels: train i % 10, test (3 * i) % 10.
     */
    static FashionMnist fake() {
        return FashionMnist.of(images("fake train", 300, 1, 1), images("fake test", 70, 101, 3));
    }

    private static LabeledImages images(String name, int n, int base, int labelStep) {
        byte[] px = new byte[n * 784];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            Arrays.fill(px, i * 784, (i + 1) * 784, (byte) (base + i % 100));
            labels[i] = (byte) ((labelStep * i) % 10);
        }
        return LabeledImages.of(name, 28, 28, 10, px, labels);
    }

    @Test
    void testSplitUsesOnlyTestImages() {
        CanvasSet test = new MultiFashion(fake()).test();
        assertEquals(70, test.size());
        byte[] c = new byte[1296];
        for (int i = 0; i < test.size(); i++) {
            assertEquals(i, test.imageA(i), "canvas i uses test image i as A");
            assertTrue(test.imageB(i) >= 0 && test.imageB(i) < 70);
            test.fill(i, c, 0);
            for (byte v : c) {
                int p = v & 0xff;
                assertTrue(p == 0 || p >= 101, "canvas " + i + " has pixel " + p + ", a training-image value");
            }
            // A's value sits at its corner; B's value at its corner (max rule: the larger wins in the overlap only).
            int[] s = test.shifts(i);
            assertEquals(101 + test.imageA(i) % 100, px(c, s[0], s[1]));
            assertEquals(101 + test.imageB(i) % 100, px(c, 35 - s[2], 35 - s[3]));
            assertEquals((3 * test.imageA(i)) % 10, test.left(i));
            assertEquals((3 * test.imageB(i)) % 10, test.right(i));
        }
    }

    @Test
    void trainEpochUsesOnlyTrainingImagesEachOnceAsA() {
        CanvasSet train = new MultiFashion(fake()).trainEpoch(SEED, 3);
        assertEquals(300, train.size());
        boolean[] seenA = new boolean[300];
        byte[] c = new byte[1296];
        for (int i = 0; i < train.size(); i++) {
            assertFalse(seenA[train.imageA(i)], "image " + train.imageA(i) + " is A twice");
            seenA[train.imageA(i)] = true;
            train.fill(i, c, 0);
            for (byte v : c) {
                int p = v & 0xff;
                assertTrue(p <= 100, "training canvas " + i + " has pixel " + p + ", a test-image value");
            }
            assertEquals(train.imageA(i) % 10, train.left(i));
            assertEquals(train.imageB(i) % 10, train.right(i));
        }
        // The permutation is not the identity.
        int fixed = 0;
        for (int i = 0; i < 300; i++) {
            fixed += train.imageA(i) == i ? 1 : 0;
        }
        assertTrue(fixed < 10, fixed + " fixed points");
    }

    @Test
    void sameSeedSameCanvasesOtherEpochOrSeedOtherPairs() {
        MultiFashion mf = new MultiFashion(fake());
        CanvasSet e0 = mf.trainEpoch(SEED, 0);
        assertArrayEquals(e0.all().images(), mf.trainEpoch(SEED, 0).all().images());
        assertArrayEquals(recipe(e0), recipe(mf.trainEpoch(SEED, 0)));
        assertArrayEquals(recipe(mf.test()), recipe(mf.test()));
        int[] r0 = recipe(e0);
        int[] r1 = recipe(mf.trainEpoch(SEED, 1));
        int[] other = recipe(mf.trainEpoch(SEED + 1, 0));
        assertTrue(differing(r0, r1) > 250 * 6 / 2, "epochs 0 and 1 share most draws");
        assertTrue(differing(r0, other) > 250 * 6 / 2, "seeds differ but draws agree");
        assertThrows(IllegalArgumentException.class, () -> mf.trainEpoch(SEED, -1));
    }

    /** (A, B, dyA, dxA, dyB, dxB) per canvas, flattened. */
    private static int[] recipe(CanvasSet s) {
        int[] r = new int[6 * s.size()];
        for (int i = 0; i < s.size(); i++) {
            int[] sh = s.shifts(i);
            r[6 * i] = s.imageA(i);
            r[6 * i + 1] = s.imageB(i);
            System.arraycopy(sh, 0, r, 6 * i + 2, 4);
        }
        return r;
    }

    private static int differing(int[] x, int[] y) {
        int d = 0;
        for (int i = 0; i < x.length; i++) {
            d += x[i] != y[i] ? 1 : 0;
        }
        return d;
    }

    @Test
    void presentIsTheSetOfLeftAndRight() {
        CanvasSet test = new MultiFashion(fake()).test();
        int[][] present = test.present();
        int same = 0;
        for (int i = 0; i < test.size(); i++) {
            int ones = 0;
            for (int c = 0; c < 10; c++) {
                boolean expected = c == test.left(i) || c == test.right(i);
                assertEquals(expected ? 1 : 0, present[i][c], "canvas " + i + " class " + c);
                assertEquals(expected, test.present(i, c));
                ones += present[i][c];
            }
            assertEquals(test.left(i) == test.right(i) ? 1 : 2, ones, "canvas " + i);
            same += test.left(i) == test.right(i) ? 1 : 0;
        }
        assertTrue(same > 0, "the fake data has canvases whose two classes coincide");
    }

    @Test
    void bothItemsOfTheSameClass() {
        // Every label 4: left = right = 4 and present has a single one.
        byte[] px = new byte[5 * 784];
        byte[] labels = {4, 4, 4, 4, 4};
        LabeledImages all4 = LabeledImages.of("coats", 28, 28, 10, px, labels);
        CanvasSet set = new MultiFashion(FashionMnist.of(all4, all4)).test();
        CanvasBatch b = set.all();
        for (int i = 0; i < 5; i++) {
            assertEquals(4, b.left()[i]);
            assertEquals(4, b.right()[i]);
            float[] row = Arrays.copyOfRange(b.present(), 10 * i, 10 * i + 10);
            assertArrayEquals(new float[] {0, 0, 0, 0, 1, 0, 0, 0, 0, 0}, row);
        }
    }

    @Test
    void batchesStreamTheSameCanvasesAsFill() {
        CanvasSet set = new MultiFashion(fake()).trainEpoch(SEED, 0);
        CanvasCursor cursor = set.cursor();
        float[] one = new float[1296];
        byte[] bytes = new byte[1296];
        int seen = 0;
        int batches = 0;
        while (cursor.hasNext()) {
            CanvasBatch b = cursor.next(64); // 300 = 4 x 64 + 44
            assertEquals(seen, b.start());
            assertArrayEquals(new long[] {b.size(), 36, 36, 1}, b.imageShape());
            assertEquals(b.size() * 1296, b.images().length);
            for (int k = 0; k < b.size(); k++) {
                set.fill(seen + k, one, 0);
                set.fill(seen + k, bytes, 0);
                for (int p = 0; p < 1296; p++) {
                    assertEquals((bytes[p] & 0xff) / 255f, one[p], "float pixel is v / 255f");
                    assertEquals(one[p], b.images()[k * 1296 + p]);
                }
                assertEquals(set.left(seen + k), b.left()[k]);
                assertEquals(set.right(seen + k), b.right()[k]);
            }
            seen += b.size();
            batches++;
        }
        assertEquals(300, seen);
        assertEquals(5, batches);
        assertEquals(0, cursor.remaining());
        assertThrows(NoSuchElementException.class, () -> cursor.next(1));
        assertThrows(IllegalArgumentException.class, () -> set.cursor().next(0));
        assertThrows(IllegalArgumentException.class, () -> set.batch(290, 11));
        assertThrows(IndexOutOfBoundsException.class, () -> set.fill(0, new float[1296], 1));
    }

    @Test
    void subsetIsAPrefix() {
        CanvasSet test = new MultiFashion(fake()).test();
        CanvasSet first = test.subset(7);
        assertEquals(7, first.size());
        for (int i = 0; i < 7; i++) {
            assertArrayEquals(test.canvas(i), first.canvas(i));
            assertEquals(test.right(i), first.right(i));
        }
        assertThrows(IndexOutOfBoundsException.class, () -> first.canvas(7));
        assertThrows(IllegalArgumentException.class, () -> test.subset(71));
        assertEquals(0, test.subset(0).all().size());
    }

    @Test
    void shiftsCoverZeroToFourUniformly() {
        CanvasSet train = new MultiFashion(ShippedData.fashion()).trainEpoch(SEED, 0);
        long[] hist = new long[5];
        for (int i = 0; i < train.size(); i++) {
            for (int s : train.shifts(i)) {
                hist[s]++;
            }
        }
        // 240,000 draws, 48,000 expected per value; sd ~ 196, allow 5 sd.
        for (int v = 0; v < 5; v++) {
            assertEquals(48_000, hist[v], 1000, "shift " + v + ": " + Arrays.toString(hist));
        }
    }

    /**
     * The real splits, pinned: if the construction changes, these digests change. The same
     * values come from the Python reference models/data/multifashion.py. Digest: sha256 over
     * the canvases in order, each as 1296 uint8 pixels then the bytes left, right.
     */
    @Test
    void realSplitsAreReproducible() throws Exception {
        MultiFashion mf = new MultiFashion(ShippedData.fashion());
        CanvasSet test = mf.test();
        assertEquals(10_000, test.size());
        assertArrayEquals(new int[] {0, 4585, 2, 0, 4, 2, 1, 4808, 1, 0, 4, 3}, Arrays.copyOf(recipe(test), 12));
        assertEquals("ff6c22763c51df746e6d57ff64b7e651451989202dc338cc68d45d7f06598e28", digest(test));
        CanvasSet train = mf.trainEpoch(1L, 0);
        assertEquals(60_000, train.size());
        assertArrayEquals(new int[] {5377, 23369, 3, 3, 3, 3, 814, 55979, 0, 1, 3, 2}, Arrays.copyOf(recipe(train), 12));
        assertEquals("c2d9f482e1d7af90bd000585fff1f1c9eb6a0deb626847d7f6e23b4ce3d54ff0", digest(train));
        assertNotEquals(digest(train.subset(1000)), digest(mf.trainEpoch(1L, 1).subset(1000)));
    }

    private static String digest(CanvasSet s) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] c = new byte[1296];
        for (int i = 0; i < s.size(); i++) {
            s.fill(i, c, 0);
            md.update(c);
            md.update((byte) s.left(i));
            md.update((byte) s.right(i));
        }
        StringBuilder sb = new StringBuilder();
        for (byte x : md.digest()) {
            sb.append(String.format("%02x", x));
        }
        return sb.toString();
    }
}
