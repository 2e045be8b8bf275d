package dev.tern.runtime;

import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.Padding;
import dev.tern.runtime.model.TaskKind;
import dev.tern.runtime.model.TaskSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Shared test helpers: the backends this JVM can run, seeded random data, a multi-task model
 * that uses every op, and float comparison with a tolerance that scales with the dot length.
 */
public final class TestModels {
    /** Unit roundoff of float32 (2^-24). */
    public static final double FLOAT_U = Math.ulp(1f) / 2;

    private TestModels() {
    }

    /** REFERENCE and SCALAR always; VECTOR when its jar and jdk.incubator.vector are present. */
    public static List<Backend> backends() {
        List<Backend> out = new ArrayList<>(Arrays.asList(Backend.REFERENCE, Backend.SCALAR));
        if ("available".equals(TernModel.vectorBackendStatus())) {
            out.add(Backend.VECTOR);
        }
        return out;
    }

    public static Stream<Backend> backendStream() {
        return backends().stream();
    }

    /** Seeded values uniform in [-scale, scale). */
    public static float[] random(Random rnd, int n, float scale) {
        return ModelBuilder.random(rnd, n, scale);
    }

    public static float[] abs(float[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.abs(v[i]);
        }
        return out;
    }

    public static String[] labels(String prefix, int n) {
        String[] l = new String[n];
        for (int i = 0; i < n; i++) {
            l[i] = prefix + i;
        }
        return l;
    }

    /** Input shape of {@link #allOps}: one 8x8 RGB image per sample. */
    public static final int[] ALL_OPS_INPUT = {-1, 8, 8, 3};
    public static final int ALL_OPS_INPUT_SIZE = 8 * 8 * 3;

    /**
     * A three-head model that uses every {@link OpType}, with a shared trunk and one branch
     * per head:
     * <pre>
     * image[8,8,3] -> conv1 3x3 s1 SAME relu [8,8,4] -> dw 3x3 m2 s2 SAME relu6 [4,4,8]
     *   -> mp 2x2 s1 SAME, ap 3x3 s1 SAME -> sum = add(mp, ap, relu) -> cat = concat(-1; sum, mp) [4,4,16]
     *   -> gap, gmp [16] -> cat2 = concat(0; gap, gmp) [32]
     * left    (multiclass 10, logits): dense(cat2)
     * present (multilabel 5, probabilities): reshape(cat2 -> [4,-1]) -> softmax -> flatten -> dense -> sigmoid
     * size    (regression 2): flatten(sum) -> dense 6 -> relu -> dense 2 (relu6 fused) -> relu6
     * </pre>
     */
    /**
     * {@link #allOps} quantized to int8 by the test-side quantizer of {@link Int8Cases}
     * (activation ranges from the float model on seeded inputs; sigmoid and softmax stay float).
     */
    /**
     * The ops added after format 1.2 (from hard_sigmoid on), which {@link #allOps} leaves out so
     * that it, and the golden files written from it, stay as they were: a small dense layer
     * into each of them.
     */
    public static ModelDef since13Ops(long seed) {
        Random rnd = new Random(seed);
        ModelBuilder b = new ModelBuilder("ops-1.3").input("x", -1, 12);
        String h = b.dense("fc", "x", 8, 12, random(rnd, 96, 0.5f), random(rnd, 8, 0.1f), Activation.NONE);
        b.output(b.hardSigmoid("hsig", h));
        b.output(b.hardSwish("hswish", h));
        return b.build();
    }

    /** {@link #since13Ops} quantized as {@link #allOpsInt8} quantizes {@link #allOps}. */
    public static ModelDef since13OpsInt8(long seed) {
        ModelDef def = since13Ops(seed);
        Random rnd = new Random(seed);
        java.util.Map<String, float[]> in = new java.util.LinkedHashMap<>();
        in.put("x", random(rnd, 4 * 12, 4f));
        return Int8Cases.quantize(def, in, 4, rnd);
    }

    public static ModelDef allOpsInt8(long seed) {
        ModelDef def = allOps(seed);
        java.util.Random rnd = new java.util.Random(seed);
        java.util.Map<String, float[]> in = new java.util.LinkedHashMap<>();
        in.put(def.inputs().get(0).name(), random(rnd, 4 * ALL_OPS_INPUT_SIZE, 1f));
        return Int8Cases.quantize(def, in, 4, rnd);
    }

    /**
     * {@code def} with about {@code fraction} of the weights of every dense and convolution
     * zeroed at random (seeded), float32 and int8 alike: what pruning leaves, for the sparse
     * storage and kernels. Biases and scales are kept.
     */
    public static ModelDef sparsified(ModelDef def, double fraction, long seed) {
        Random rnd = new Random(seed);
        java.util.Set<String> weights = new java.util.HashSet<>();
        for (dev.tern.runtime.model.Node n : def.nodes()) {
            if (n.op() == OpType.DENSE || n.op() == OpType.CONV2D || n.op() == OpType.DEPTHWISE_CONV2D) {
                weights.add(n.input(1));
            }
        }
        List<dev.tern.runtime.model.Tensor> tensors = new java.util.ArrayList<>();
        for (dev.tern.runtime.model.Tensor t : def.tensors().values()) {
            if (!weights.contains(t.name())) {
                tensors.add(t);
            } else {
                boolean[] keep = new boolean[(int) dev.tern.runtime.model.Tensor.elementCount(t.shape())];
                for (int i = 0; i < keep.length; i++) {
                    keep[i] = rnd.nextDouble() >= fraction;
                }
                tensors.add(masked(t, keep));
            }
        }
        return new ModelDef(def.name(), def.inputs(), tensors, def.nodes(), def.tasks(), def.outputs(), def.provenance());
    }

    /** A copy of a float32 or int8 tensor with the elements where {@code keep} is false set to zero. */
    public static dev.tern.runtime.model.Tensor masked(dev.tern.runtime.model.Tensor t, boolean[] keep) {
        if (t.dtype() == dev.tern.runtime.model.DType.FLOAT32) {
            float[] w = t.floats();
            for (int i = 0; i < w.length; i++) {
                w[i] = keep[i] ? w[i] : 0f;
            }
            return dev.tern.runtime.model.Tensor.ofFloats(t.name(), t.shape(), w);
        }
        byte[] w = t.int8s();
        for (int i = 0; i < w.length; i++) {
            w[i] = keep[i] ? w[i] : 0;
        }
        return dev.tern.runtime.model.Tensor.ofInt8(t.name(), t.shape(), w, t.quant());
    }

    public static ModelDef allOps(long seed) {
        Random rnd = new Random(seed);
        ModelBuilder b = new ModelBuilder("all-ops").input(new InputSpec("image", ALL_OPS_INPUT, "NHWC",
                new float[] {0.5f, 0.25f, 0.125f}, new float[] {0.5f, 2f, 1f}));
        b.provenance("source", "TestModels.allOps").provenance("seed", Long.toString(seed));
        String x = b.conv2d("conv1", "image", new int[] {4, 3, 3, 3}, random(rnd, 4 * 27, 0.5f), random(rnd, 4, 0.1f),
                1, Padding.SAME, Activation.RELU);
        x = b.depthwiseConv2d("dw", x, new int[] {3, 3, 8}, random(rnd, 72, 0.5f), random(rnd, 8, 0.1f), 2, 2,
                Padding.SAME, Activation.RELU6);
        String mp = b.maxPool("mp", x, 2, 1, Padding.SAME);
        String ap = b.avgPool("ap", x, 3, 1, Padding.SAME);
        String sum = b.add("sum", mp, ap, Activation.RELU);
        String cat = b.concat("cat", -1, sum, mp);
        String cat2 = b.concat("cat2", 0, b.globalAvgPool("gap", cat), b.globalMaxPool("gmp", cat));
        String left = b.dense("left_fc", cat2, 10, 32, random(rnd, 320, 0.5f), random(rnd, 10, 0.1f), Activation.NONE);

        String p = b.reshape("p_rs", cat2, 4, -1);
        p = b.softmax("p_sm", p);
        p = b.flatten("p_flat", p);
        p = b.dense("p_fc", p, 5, 32, random(rnd, 160, 4f), null, Activation.NONE);
        p = b.sigmoid("p_sig", p);

        String r = b.flatten("r_flat", sum);
        r = b.dense("r_fc1", r, 6, 128, random(rnd, 6 * 128, 0.3f), random(rnd, 6, 0.1f), Activation.NONE);
        r = b.relu("r_relu", r);
        r = b.dense("r_fc2", r, 2, 6, random(rnd, 12, 2f), new float[] {3f, 0.5f}, Activation.RELU6);
        r = b.relu6("r_relu6", r);

        b.multiclass("left", left, labels("class", 10));
        b.task(new TaskSpec("present", TaskKind.MULTILABEL, p, false, Arrays.asList(labels("label", 5)),
                new float[] {0.5f, 0.25f, 0.75f, 0.5f, 0.1f}));
        b.regression("size", r, "w", "h");
        b.output(cat2);
        return b.build();
    }

    /** Every graph value's op in the model (to check coverage). */
    public static List<OpType> ops(ModelDef def) {
        List<OpType> out = new ArrayList<>();
        def.nodes().forEach(n -> out.add(n.op()));
        return out;
    }

    /** Pool attributes with separate height/width window and strides. */
    public static Attributes poolAttrs(int kh, int kw, int sh, int sw, Padding p) {
        return Attributes.builder().put("window", new int[] {kh, kw}).put("strides", new int[] {sh, sw})
                .put("padding", p.id()).build();
    }

    /** Runs every task and returns all task values of every sample, concatenated in task order. */
    public static float[] runAll(Session s, float[] input) {
        Results r = s.run(input);
        List<Float> out = new ArrayList<>();
        for (String t : r.tasks()) {
            TaskResult tr = r.get(t);
            for (int i = 0; i < r.batch(); i++) {
                for (float v : tr.values(i)) {
                    out.add(v);
                }
            }
        }
        float[] a = new float[out.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = out.get(i);
        }
        return a;
    }

    /** Bitwise equality (NaN equals NaN of the same bits; -0 differs from 0). */
    public static void assertBitwiseEquals(float[] expected, float[] actual, String context) {
        assertEquals(expected.length, actual.length, context + ": lengths differ");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(context + ": index " + i + " expected " + expected[i] + " got " + actual[i]
                        + " (not bit-identical)");
            }
        }
    }

    /**
     * Checks {@code |actual - ref| <= tolerance(dotLength, magnitude)} element-wise, where
     * {@code magnitude[i]} is the sum of the absolute values of the terms that formed
     * {@code ref[i]} (for a dot product sum |w||x| + |b|; for an average the average of |x|).
     *
     * <p>Why this bound: a float32 sum of n terms, accumulated in any order (sequential,
     * per-lane then reduced, with or without FMA) differs from the exact sum by at most
     * gamma_n * sum|terms|, gamma_n = n u / (1 - n u), u = 2^-24 (Higham, Accuracy and Stability
     * of Numerical Algorithms, 2nd ed., section 3.1). The reference accumulates in double and
     * rounds once (u * |ref|, bounded by u * magnitude). Bias and the average's reciprocal add at
     * most two more roundings, hence (n + 2). The factor 2 covers the 1 / (1 - n u) term and is
     * a margin; Float.MIN_NORMAL covers results that underflow. Fused activations are clamps
     * and cannot increase the difference. With dotLength 0 (copies, max, clamps) the kernels
     * must agree bit for bit.
     */
    public static void assertClose(float[] ref, float[] actual, float[] magnitude, int dotLength, String context) {
        if (dotLength == 0) {
            assertBitwiseEquals(ref, actual, context);
            return;
        }
        assertEquals(ref.length, actual.length, context + ": lengths differ");
        for (int i = 0; i < ref.length; i++) {
            double tol = tolerance(dotLength, magnitude[i]);
            double diff = Math.abs((double) actual[i] - ref[i]);
            if (!(diff <= tol)) {
                fail(context + ": index " + i + " reference " + ref[i] + " got " + actual[i] + ", |diff| " + diff
                        + " > tolerance " + tol + " (dot length " + dotLength + ", magnitude " + magnitude[i] + ")");
            }
        }
    }

    public static double tolerance(int dotLength, double magnitude) {
        return 2.0 * (dotLength + 2) * FLOAT_U * magnitude + Float.MIN_NORMAL;
    }
}
