package dev.tern.compress.tf;

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
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class TfModelGraphTest {
    private static final long SEED = 20261125L;

    /** Every fp32 op once: conv (ReLU6), depthwise (multiplier 2, stride 2), both pools with SAME, global pools, concat, add, flatten, reshape, dense, activations. */
    private static ModelDef allOps(Random rnd) {
        ModelBuilder b = new ModelBuilder("all").input("x", -1, 9, 10, 4);
        String c1 = b.conv2d("c1", "x", new int[] {8, 3, 3, 4}, ModelBuilder.random(rnd, 8 * 36, 0.4f),
                ModelBuilder.random(rnd, 8, 0.1f), 1, Padding.SAME, Activation.RELU6);
        String dw = b.depthwiseConv2d("dw", c1, new int[] {3, 3, 16}, ModelBuilder.random(rnd, 144, 0.4f),
                ModelBuilder.random(rnd, 16, 0.1f), 2, 2, Padding.SAME, Activation.RELU);
        String mp = b.maxPool("mp", dw, 2, 1, Padding.SAME);
        String ap = b.avgPool("ap", mp, 3, 2, Padding.SAME);
        String gcat = b.concat("gcat", -1, b.globalAvgPool("gap", ap), b.globalMaxPool("gmp", ap));
        String d1 = b.dense("d1", gcat, 6, 32, ModelBuilder.random(rnd, 192, 0.3f), ModelBuilder.random(rnd, 6, 0.1f),
                Activation.NONE);
        String flat = b.flatten("flat", ap);
        int flatSize = 3 * 3 * 16;
        String d2 = b.dense("d2", flat, 6, flatSize, ModelBuilder.random(rnd, 6 * flatSize, 0.2f), null, Activation.NONE);
        String sum = b.add("sum", d1, d2, Activation.RELU);
        b.output(b.sigmoid("sig", sum));
        b.output(b.softmax("sm", b.relu6("r6", d2)));
        String rs = b.reshape("rs", c1, 9, 80);
        b.output(b.relu("r", rs));
        return b.build();
    }

    private static Map<String, float[]> tfForward(ModelDef def, float[] x, int batch) {
        Map<String, float[]> out = new HashMap<>();
        try (Graph g = new Graph(); org.tensorflow.Session s = new org.tensorflow.Session(g)) {
            Ops tf = Ops.create(g);
            int[] in = def.inputs().get(0).shape();
            long[] dims = new long[in.length];
            dims[0] = -1;
            for (int i = 1; i < in.length; i++) {
                dims[i] = in[i];
            }
            Placeholder<TFloat32> ph = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(dims)));
            Map<String, Operand<TFloat32>> values = TfModelGraph.forward(tf, def, Map.of(def.inputs().get(0).name(), ph), name -> {
                Tensor t = def.tensor(name);
                long[] ts = new long[t.rank()];
                for (int i = 0; i < ts.length; i++) {
                    ts[i] = t.dim(i);
                }
                return tf.constant(Shape.of(ts), DataBuffers.of(t.floats(), true, false));
            });
            dims[0] = batch;
            try (TFloat32 xt = TFloat32.tensorOf(Shape.of(dims), DataBuffers.of(x, true, false))) {
                org.tensorflow.Session.Runner r = s.runner().feed(ph, xt);
                for (String o : def.outputs()) {
                    r.fetch(values.get(o));
                }
                try (Result res = r.run()) {
                    for (int i = 0; i < def.outputs().size(); i++) {
                        TFloat32 f = (TFloat32) res.get(i);
                        float[] all = new float[Math.toIntExact(f.size())];
                        f.copyTo(DataBuffers.of(all, false, false));
                        out.put(def.outputs().get(i), all);
                    }
                }
            }
        }
        return out;
    }

    private static void assertSame(ModelDef def, float[] x, int batch, float tol) {
        Map<String, float[]> tf = tfForward(def, x, batch);
        TernModel m = TernModel.of(def, Backend.REFERENCE);
        try (Session s = m.newSession(SessionOptions.defaults().withMaxBatch(batch))) {
            s.run(Map.of(def.inputs().get(0).name(), x), m.allTasks());
            for (String o : def.outputs()) {
                float[] t = tf.get(o);
                int per = t.length / batch;
                for (int i = 0; i < batch; i++) {
                    float[] want = s.output(o, i);
                    assertEquals(per, want.length, o);
                    for (int k = 0; k < per; k++) {
                        assertEquals(want[k], t[i * per + k], tol * (1 + Math.abs(want[k])), o + " sample " + i + " index " + k);
                    }
                }
            }
        }
    }

    @Test
    void everyOpMatchesTheReferenceKernels() {
        Random rnd = new Random(SEED);
        ModelDef def = allOps(rnd);
        int batch = 3;
        float[] x = ModelBuilder.random(rnd, batch * 9 * 10 * 4, 1f);
        assertSame(def, x, batch, 1e-5f);
    }

    @Test
    void theShippedTeacherMatches() throws Exception {
        Path file = Paths.get("../models/multifashion/hard.tern");
        assumeTrue(Files.isRegularFile(file), "run from compress/ in the repo");
        ModelDef def = TernModel.load(file).def();
        Random rnd = new Random(SEED + 1);
        int batch = 2;
        float[] x = new float[batch * def.inputs().get(0).sampleSize()];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextFloat();
        }
        assertSame(def, x, batch, 1e-4f);
    }

    @Test
    void int8ModelsAreRefused() throws Exception {
        Path file = Paths.get("../models/multifashion/hard-int8.tern");
        assumeTrue(Files.isRegularFile(file), "run from compress/ in the repo");
        ModelDef def = TernModel.load(file).def();
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> ph = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 36, 36, 1)));
            BadInputException e = assertThrows(BadInputException.class, () -> TfModelGraph.forward(tf, def, Map.of("image", ph),
                    n -> tf.constant(0f)));
            assertTrue(e.getMessage().contains("fp32"), e.getMessage());
        }
    }
}
