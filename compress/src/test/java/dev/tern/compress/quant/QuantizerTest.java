package dev.tern.compress.quant;

import dev.tern.runtime.Session;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.OpType;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The graph rewrite of {@link Quantizer} on small models. */
class QuantizerTest {
    /** x[4] -> dense 4->2 + relu (channel 1 nearly dead: weights 1e-12, bias 0.3) -> dense 2->3 -> output. */
    static ModelDef model() {
        Random rnd = new Random(3);
        ModelBuilder b = new ModelBuilder("m").input("x", -1, 4);
        float[] w = ModelBuilder.random(rnd, 8, 1f);
        for (int i = 4; i < 8; i++) {
            w[i] = 1e-12f;
        }
        String h = b.dense("d1", "x", 2, 4, w, new float[] {0.1f, 0.3f}, Activation.RELU);
        b.output(b.dense("d2", h, 3, 2, ModelBuilder.random(rnd, 6, 1f), null, Activation.NONE));
        return b.build();
    }

    static Calibrator.Samples samples(int n, int size, long seed) {
        Random r = new Random(seed);
        float[][] x = new float[n][size];
        for (float[] row : x) {
            for (int i = 0; i < size; i++) {
                row[i] = r.nextFloat();
            }
        }
        return new Calibrator.Samples() {
            public int size() {
                return n;
            }

            public void fill(int i, float[] dst, int off) {
                System.arraycopy(x[i], 0, dst, off, size);
            }
        };
    }

    @Test
    void aNearlyDeadChannelKeepsItsBiasInsteadOfFailingTheModel() {
        ModelDef def = model();
        Map<String, ActivationStats> stats = Calibrator.collect(def, samples(64, 4, 1), false, false);
        Map<String, Range> ranges = Calibrator.ranges(def, stats, CalibrationMethod.MINMAX);
        ModelDef q = Quantizer.quantize(def, ranges, Collections.<String>emptySet(), WeightScheme.DEFAULT);
        // multiplier of channel 1 would be ~1e-12 * x scale / out scale < 2^-31: stored as a zero channel
        byte[] w = q.tensor("d1/weights_int8").int8s();
        for (int i = 4; i < 8; i++) {
            assertEquals(0, w[i]);
        }
        assertEquals(1f, q.tensor("d1/weights_int8").quant().scale(1));
        float[] x = {0.2f, 0.4f, 0.6f, 0.8f};
        ModelDef probe = withOutput(def, "d1");
        ModelDef qprobe = Quantizer.quantize(probe, ranges, Collections.<String>emptySet(), WeightScheme.DEFAULT);
        try (Session f = TernModel.of(probe).newSession(); Session s = TernModel.of(qprobe).newSession()) {
            f.run(x);
            s.run(x);
            float step = ranges.get("d1").scale();
            assertEquals(0.3f, s.output("d1", 0)[1], step, "channel 1 is its bias");
            assertEquals(f.output("d1", 0)[0], s.output("d1", 0)[0], 2 * step);
        }
    }

    static ModelDef withOutput(ModelDef def, String value) {
        java.util.List<String> outs = new java.util.ArrayList<>(def.outputs());
        outs.add(value);
        return new ModelDef(def.name(), def.inputs(), new java.util.ArrayList<>(def.tensors().values()), def.nodes(),
                def.tasks(), outs, def.provenance());
    }

    @Test
    void mixedPrecisionConvertsOnlyAtTheBorders() {
        ModelDef def = model();
        Map<String, ActivationStats> stats = Calibrator.collect(def, samples(32, 4, 2), false, false);
        Map<String, Range> ranges = Calibrator.ranges(def, stats, CalibrationMethod.MINMAX);
        ModelDef q = Quantizer.quantize(def, ranges, new HashSet<>(Collections.singletonList("d2")), WeightScheme.DEFAULT);
        // x -> quantize -> d1 (int8, relu fused) -> dequantize -> d2 (float32): one of each
        long quantizes = q.nodes().stream().filter(n -> n.op() == OpType.QUANTIZE).count();
        long dequantizes = q.nodes().stream().filter(n -> n.op() == OpType.DEQUANTIZE).count();
        assertEquals(1, quantizes);
        assertEquals(1, dequantizes);
        assertEquals(DType.FLOAT32, q.tensor(def.nodes().get(1).input(1)).dtype(), "d2 keeps its float weights");
        assertTrue(TernModel.of(q).kernels().get("d1").startsWith("int8-"));
        assertTrue(TernModel.of(q).kernels().get("d2").startsWith("f32-"));
        assertEquals(def.outputs(), q.outputs(), "outputs keep their names");
    }
}
