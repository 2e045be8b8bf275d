package dev.tern.compress.prune;

import dev.tern.compress.BadInputException;
import dev.tern.runtime.Backend;
import dev.tern.runtime.Session;
import dev.tern.runtime.SessionOptions;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Padding;
import dev.tern.runtime.model.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChannelSurgeryTest {
    private static final long SEED = 20261125L;
    private static final boolean[] C1 = {true, false, true, true, false, true};
    private static final boolean[] C2 = {true, true, false, true, false};
    private static final boolean[] D1 = {true, true, true, false, true, false, true};

    /** conv 3->6, max pool, conv 6->5, flatten, dense 80->7, two heads (3 and 4 classes). */
    private static ModelDef model(Random rnd) {
        ModelBuilder b = new ModelBuilder("surgery").input("x", -1, 8, 8, 3);
        String v = b.conv2d("c1", "x", new int[] {6, 3, 3, 3}, ModelBuilder.random(rnd, 6 * 27, 0.5f),
                ModelBuilder.random(rnd, 6, 0.1f), 1, Padding.SAME, Activation.RELU);
        v = b.maxPool("p1", v, 2, 2, Padding.VALID);
        v = b.conv2d("c2", v, new int[] {5, 3, 3, 6}, ModelBuilder.random(rnd, 5 * 54, 0.5f),
                ModelBuilder.random(rnd, 5, 0.1f), 1, Padding.SAME, Activation.RELU);
        v = b.flatten("f", v);
        v = b.dense("d1", v, 7, 80, ModelBuilder.random(rnd, 560, 0.3f), ModelBuilder.random(rnd, 7, 0.1f), Activation.RELU);
        b.multiclass("a", b.dense("a", v, 3, 7, ModelBuilder.random(rnd, 21, 1f), null, Activation.NONE), "x", "y", "z");
        b.multiclass("b", b.dense("b", v, 4, 7, ModelBuilder.random(rnd, 28, 1f), null, Activation.NONE), "p", "q", "r", "s");
        return b.build();
    }

    /** The model with the removed channels' rows and biases set to zero: their outputs are relu(0) = 0. */
    private static ModelDef masked(ModelDef def, Map<String, boolean[]> kept) {
        Map<String, Tensor> t = new LinkedHashMap<>(def.tensors());
        for (Map.Entry<String, boolean[]> e : kept.entrySet()) {
            for (String suffix : new String[] {e.getKey().startsWith("c") ? "/filter" : "/weights", "/bias"}) {
                Tensor w = t.get(e.getKey() + suffix);
                float[] v = w.floats();
                int per = v.length / w.shape()[0];
                for (int r = 0; r < w.shape()[0]; r++) {
                    if (!e.getValue()[r]) {
                        java.util.Arrays.fill(v, r * per, (r + 1) * per, 0f);
                    }
                }
                t.put(w.name(), Tensor.ofFloats(w.name(), w.shape(), v));
            }
        }
        return new ModelDef(def.name(), def.inputs(), new ArrayList<>(t.values()), def.nodes(), def.tasks(), def.outputs(),
                def.provenance());
    }

    private static float[][] run(ModelDef def, float[] x, int batch) {
        TernModel m = TernModel.of(def, Backend.REFERENCE);
        List<float[]> out = new ArrayList<>();
        try (Session s = m.newSession(SessionOptions.defaults().withMaxBatch(batch))) {
            s.run(x, m.allTasks());
            for (int i = 0; i < batch; i++) {
                float[] a = s.output("a", i);
                float[] b = s.output("b", i);
                float[] both = new float[a.length + b.length];
                System.arraycopy(a, 0, both, 0, a.length);
                System.arraycopy(b, 0, both, a.length, b.length);
                out.add(both);
            }
        }
        return out.toArray(new float[0][]);
    }

    @Test
    void removingZeroedChannelsKeepsTheOutputsAndShrinksTheModel() {
        Random rnd = new Random(SEED);
        ModelDef def = model(rnd);
        Map<String, boolean[]> kept = new LinkedHashMap<>();
        kept.put("c1", C1);
        kept.put("c2", C2);
        kept.put("d1", D1);
        ModelDef zeroed = masked(def, kept);
        ModelDef small = ChannelSurgery.remove(zeroed, kept);
        assertArrayEquals(new int[] {4, 3, 3, 3}, small.tensor("c1/filter").shape());
        assertArrayEquals(new int[] {3, 3, 3, 4}, small.tensor("c2/filter").shape());
        assertArrayEquals(new int[] {5, 48}, small.tensor("d1/weights").shape()); // 4 x 4 positions x 3 channels
        assertArrayEquals(new int[] {3, 5}, small.tensor("a/weights").shape());
        assertArrayEquals(new int[] {4, 5}, small.tensor("b/weights").shape());
        // params: c1 4*27+4, c2 3*36+3, d1 5*48+5, heads 15+20
        assertEquals(112 + 111 + 245 + 35, small.parameterCount());
        assertEquals("c1 6->4, c2 5->3, d1 7->5", ChannelSurgery.summary(kept));
        int batch = 4;
        float[] x = ModelBuilder.random(rnd, batch * 8 * 8 * 3, 1f);
        float[][] want = run(zeroed, x, batch);
        float[][] got = run(small, x, batch);
        for (int s = 0; s < batch; s++) {
            assertArrayEquals(want[s], got[s], 1e-5f, "sample " + s);
        }
        // and the unmasked model really differs: the removed channels carried signal
        float[][] full = run(def, x, batch);
        boolean differs = false;
        for (int s = 0; s < batch; s++) {
            for (int i = 0; i < full[s].length; i++) {
                differs |= Math.abs(full[s][i] - got[s][i]) > 1e-3f;
            }
        }
        assertTrue(differs);
    }

    @Test
    void whatCannotBeRewiredIsRefused() {
        ModelDef def = model(new Random(SEED + 1));
        BadInputException out = assertThrows(BadInputException.class,
                () -> ChannelSurgery.remove(def, Map.of("a", new boolean[] {true, false, true})));
        assertTrue(out.getMessage().contains("model output"), out.getMessage());
        assertTrue(assertThrows(BadInputException.class, () -> ChannelSurgery.remove(def, Map.of("p1", new boolean[6])))
                .getMessage().contains("not a dense or conv2d layer"));
        assertTrue(assertThrows(BadInputException.class, () -> ChannelSurgery.remove(def, Map.of("c1", new boolean[5])))
                .getMessage().contains("6 output channels, the mask 5"));
        assertTrue(assertThrows(BadInputException.class, () -> ChannelSurgery.remove(def, Map.of("c1", new boolean[6])))
                .getMessage().contains("removes every channel"));
        assertEquals(def.tensor("c1/filter").shape()[0], 6, "the input model is not changed");
    }
}
