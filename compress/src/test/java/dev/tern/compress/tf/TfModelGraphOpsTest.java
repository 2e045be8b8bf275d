package dev.tern.compress.tf;

import dev.tern.compress.BadInputException;
import dev.tern.compress.quant.Quantizer;
import dev.tern.compress.quant.WeightScheme;
import dev.tern.runtime.Backend;
import dev.tern.runtime.Int8Cases;
import dev.tern.runtime.OpCases;
import dev.tern.runtime.Session;
import dev.tern.runtime.SessionOptions;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.TestModels;
import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.Padding;
import dev.tern.runtime.model.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TfModelGraph} op by op against the runtime's reference kernels: every fp32 op of
 * {@link OpType} on the runtime's random single-op models ({@link OpCases}: both paddings and
 * explicit pads, strides 1 and 2, every fused activation, with and without bias, batches of 1 to
 * 3, the attributes of the 1.4 ops), plus the attribute values those cases do not reach
 * (dilations, ceil_mode, count_include_pad, reflect padding, every resize coordinate transform
 * and nearest rounding, broadcasting operands of lower rank, ...). Each output within
 * 1e-4 x max(1, |reference|), OnnxOpsTest's float tolerance; and for each model the gradient of
 * sum(output) with respect to every input and weight is built and is finite, since fine-tuning
 * takes gradients through every op.
 */
class TfModelGraphOpsTest {
    private static final double TOL = 1e-4;
    /** OpCases.SIZES: 1 to 47, tile - 1, tile, tile + 1 of 4, 8, 16 and 32, primes. */
    private static final int[] SIZES = OpCases.SIZES;
    private static final ConfigProto ONE_THREAD = ConfigProto.newBuilder().setIntraOpParallelismThreads(1)
            .setInterOpParallelismThreads(1).build();
    private static int models;
    private static int values;

    @AfterAll
    static void summary() {
        System.out.println("TfModelGraphOpsTest: " + models + " models, " + values + " output values compared, gradients of each finite");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = OpType.class, mode = EnumSource.Mode.EXCLUDE, names = {"QUANTIZE", "DEQUANTIZE"})
    void everyFloatOpMatchesTheReferenceAndHasGradients(OpType op) {
        int n = 0;
        for (int size : SIZES) {
            List<OpCases.Case> cases = OpCases.cases(op, size, 9100 + size);
            assertNotNull(cases, op + " has float cases");
            for (OpCases.Case c : cases) {
                ModelDef def = c.model.apply(false);
                assertEquals(List.of(), TfModelGraph.unsupported(def), c.description);
                check(def, c.inputs, c.batch, c.node, c.description);
                n++;
            }
        }
        assertTrue(n >= SIZES.length, "cases run: " + n);
    }

    // ---- the attribute values OpCases does not reach

    @Test
    void dilatedConvolutions() {
        Random rnd = new Random(1);
        int[][] dil = {{2, 3}, {3, 1}, {1, 2}};
        for (int k = 0; k < dil.length; k++) {
            int[] d = dil[k];
            int[] pads = {k, 2 - k, 1, k};
            Activation act = Activation.values()[k];
            // conv2d [cout, kh, kw, cin], with bias
            int cin = 3;
            int cout = 4;
            ModelBuilder b = new ModelBuilder("dconv").input("x", -1, 9, 8, cin);
            String f = b.constant("f", new int[] {cout, 3, 2, cin}, TestModels.random(rnd, cout * 6 * cin, 1f));
            String bias = b.constant("b", new int[] {cout}, TestModels.random(rnd, cout, 1f));
            b.output(b.op("conv", OpType.CONV2D, explicit(pads).put("dilations", d).put("strides", new int[] {1 + k % 2, 1})
                    .put("activation", act.id()).build(), "x", f, bias));
            single(b.build(), "conv", rnd, "conv2d dilations " + Arrays.toString(d));
            // depthwise, multiplier 2
            ModelBuilder db = new ModelBuilder("ddw").input("x", -1, 8, 9, cin);
            String df = db.constant("f", new int[] {3, 3, cin * 2}, TestModels.random(rnd, 9 * cin * 2, 1f));
            db.output(db.op("dw", OpType.DEPTHWISE_CONV2D, explicit(pads).put("dilations", d).put("multiplier", 2)
                    .put("strides", new int[] {1, 1 + k % 2}).put("activation", act.id()).build(), "x", df));
            single(db.build(), "dw", rnd, "depthwise dilations " + Arrays.toString(d));
        }
    }

    @Test
    void explicitPoolingWithCeilModeAndCountIncludePad() {
        Random rnd = new Random(2);
        int[][] pads = {{1, 0, 1, 1}, {0, 2, 2, 1}, {2, 2, 0, 0}, {0, 0, 0, 0}};
        for (int[] p : pads) {
            for (int ceil = 0; ceil <= 1; ceil++) {
                for (int include = -1; include <= 1; include++) {
                    boolean max = include < 0;
                    Attributes.Builder a = explicit(p).put("window", new int[] {3, 2}).put("strides", new int[] {2, 3})
                            .put("ceil_mode", ceil);
                    if (!max) {
                        a.put("count_include_pad", include);
                    }
                    ModelBuilder b = new ModelBuilder("pool").input("x", -1, 6, 7, 3);
                    b.output(b.op("pool", max ? OpType.MAX_POOL : OpType.AVG_POOL, a.build(), "x"));
                    single(b.build(), "pool", rnd, (max ? "max" : "avg") + " pads " + Arrays.toString(p) + " ceil_mode " + ceil
                            + (max ? "" : " count_include_pad " + include));
                }
            }
        }
    }

    @Test
    void everyResizeMode() {
        Random rnd = new Random(3);
        String[] coords = {"half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel"};
        String[] nearest = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
        int[][] sizes = {{9, 5}, {2, 1}, {1, 7}, {4, 3}};
        for (String coord : coords) {
            for (int[] size : sizes) {
                for (String mode : new String[] {"linear", "nearest"}) {
                    for (String near : mode.equals("linear") ? new String[] {"round_prefer_floor"} : nearest) {
                        resize(rnd, Attributes.builder().put("size", size).put("mode", mode).put("coordinate", coord)
                                .put("nearest", near), coord + " " + mode + " " + near + " to " + Arrays.toString(size));
                    }
                }
            }
            // the model's own scales (ONNX Resize with scales), upsampling and downsampling
            for (String mode : new String[] {"linear", "nearest"}) {
                resize(rnd, Attributes.builder().put("size", new int[] {10, 2}).put("scales", new float[] {2.5f, 0.6f})
                        .put("mode", mode).put("coordinate", coord), coord + " " + mode + " scales [2.5, 0.6]");
            }
        }
        // the defaults: nearest, half_pixel, round_prefer_floor
        resize(rnd, Attributes.builder().put("size", new int[] {8, 7}), "defaults");
    }

    private static void resize(Random rnd, Attributes.Builder a, String what) {
        ModelBuilder b = new ModelBuilder("resize").input("x", -1, 4, 3, 2);
        b.output(b.op("resize", OpType.RESIZE, a.build(), "x"));
        single(b.build(), "resize", rnd, "resize " + what);
    }

    @Test
    void convTransposeWithDilationsPadsAndOutputPadding() {
        Random rnd = new Random(4);
        int[][][] geometry = { // strides, dilations, pads, output_padding
            {{2, 3}, {2, 2}, {1, 2, 2, 0}, {1, 2}},
            {{1, 1}, {1, 1}, {0, 0, 0, 0}, {0, 0}},
            {{3, 2}, {1, 3}, {0, 0, 0, 0}, {2, 1}},
            {{2, 2}, {1, 1}, {2, 1, 0, 2}, {0, 1}},
        };
        for (int[][] g : geometry) {
            for (boolean withBias : new boolean[] {false, true}) {
                ModelBuilder b = new ModelBuilder("convt").input("x", -1, 3, 4, 3);
                List<String> ins = new ArrayList<>(List.of("x", b.constant("f", new int[] {2, 3, 2, 3},
                        TestModels.random(rnd, 36, 1f))));
                if (withBias) {
                    ins.add(b.constant("b", new int[] {2}, TestModels.random(rnd, 2, 1f)));
                }
                b.output(b.op("ct", OpType.CONV_TRANSPOSE, Attributes.builder().put("strides", g[0]).put("dilations", g[1])
                        .put("pads", g[2]).put("output_padding", g[3]).build(), ins.toArray(new String[0])));
                single(b.build(), "ct", rnd, "conv_transpose strides " + Arrays.toString(g[0]) + " dilations "
                        + Arrays.toString(g[1]) + " pads " + Arrays.toString(g[2]) + " output_padding " + Arrays.toString(g[3])
                        + " bias " + withBias);
            }
        }
    }

    @Test
    void broadcastingBinaryOpsWithConstantsAndLowerRanks() {
        Random rnd = new Random(5);
        OpType[] ops = {OpType.ADD, OpType.SUB, OpType.MUL, OpType.DIV, OpType.MAX, OpType.MIN};
        for (OpType op : ops) {
            Attributes act = op == OpType.ADD ? Attributes.builder().put("activation", "relu6").build() : Attributes.EMPTY;
            // constant first, broadcast over two axes
            binary(rnd, op, act, null, new int[] {3, 1}, new int[] {2, 3, 4}, null, "constant [3, 1] and [2, 3, 4]");
            // activation of lower rank first: [4] and [2, 3, 4]
            binary(rnd, op, act, new int[] {4}, null, new int[] {2, 3, 4}, null, "[4] and [2, 3, 4]");
            // both broadcast: [3, 1] and [1, 4]
            binary(rnd, op, act, new int[] {3, 1}, null, new int[] {1, 4}, null, "[3, 1] and [1, 4]");
            // activation and a constant of higher rank: [4] and constant [2, 1, 4]
            binary(rnd, op, act, new int[] {4}, null, null, new int[] {2, 1, 4}, "[4] and constant [2, 1, 4]");
        }
    }

    /** x0 is an activation of shape s0 or a constant of shape c0; x1 alike. */
    private static void binary(Random rnd, OpType op, Attributes attrs, int[] s0, int[] c0, int[] s1, int[] c1, String what) {
        ModelBuilder b = new ModelBuilder("bin");
        String[] ins = new String[2];
        int[][] act = {s0, s1};
        int[][] cst = {c0, c1};
        for (int i = 0; i < 2; i++) {
            if (act[i] != null) {
                b.input("x" + i, withBatch(act[i]));
                ins[i] = "x" + i;
            } else {
                float[] vals = TestModels.random(rnd, (int) Tensor.elementCount(cst[i]), 2f);
                if (op == OpType.DIV && i == 1) {
                    for (int k = 0; k < vals.length; k++) {
                        vals[k] += Math.copySign(0.5f, vals[k]); // away from 0
                    }
                }
                ins[i] = b.constant("c" + i, cst[i], vals);
            }
        }
        b.output(b.op("bin", op, attrs, ins));
        single(b.build(), "bin", rnd, op.id() + " " + what);
    }

    @Test
    void matmulBroadcasting() {
        Random rnd = new Random(6);
        // x [3, 4] (lower rank) times y [2, 4, 5]
        matmul(rnd, new int[] {3, 4}, new int[] {2, 4, 5}, false);
        // x [2, 1, 3, 4] times constant [3, 4, 2]
        matmul(rnd, new int[] {2, 1, 3, 4}, new int[] {3, 4, 2}, true);
        // x [2, 3, 4] times constant [4, 5]
        matmul(rnd, new int[] {2, 3, 4}, new int[] {4, 5}, true);
        // x [1, 3, 4] times y [2, 4, 1]
        matmul(rnd, new int[] {1, 3, 4}, new int[] {2, 4, 1}, false);
    }

    private static void matmul(Random rnd, int[] x, int[] y, boolean constant) {
        ModelBuilder b = new ModelBuilder("mm").input("x", withBatch(x));
        String yn;
        if (constant) {
            yn = b.constant("y", y, TestModels.random(rnd, (int) Tensor.elementCount(y), 1f));
        } else {
            b.input("y", withBatch(y));
            yn = "y";
        }
        b.output(b.op("mm", OpType.MATMUL, Attributes.EMPTY, "x", yn));
        single(b.build(), "mm", rnd, "matmul " + Arrays.toString(x) + " x " + (constant ? "constant " : "") + Arrays.toString(y));
    }

    @Test
    void axesSlicesPadsAndDefaults() {
        Random rnd = new Random(7);
        int[] x = {3, 4, 5};
        unary(rnd, x, OpType.LOG_SOFTMAX, Attributes.builder().put("axis", 0).build(), "axis 0");
        unary(rnd, x, OpType.LOG_SOFTMAX, Attributes.builder().put("axis", -2).build(), "axis -2");
        unary(rnd, x, OpType.LOG_SOFTMAX, Attributes.EMPTY, "default axis");
        unary(rnd, x, OpType.SOFTMAX, Attributes.EMPTY, "rank 3");
        for (OpType r : new OpType[] {OpType.REDUCE_MEAN, OpType.REDUCE_MAX, OpType.REDUCE_MIN, OpType.REDUCE_SUM}) {
            unary(rnd, x, r, Attributes.builder().put("keepdims", 0).build(), "every axis, keepdims 0");
            unary(rnd, x, r, Attributes.EMPTY, "every axis, keepdims default");
            unary(rnd, x, r, Attributes.builder().put("axes", new int[] {-1, 0}).build(), "axes [-1, 0]");
            unary(rnd, x, r, Attributes.builder().put("axes", new int[] {1}).put("keepdims", 0).build(), "axes [1], keepdims 0");
        }
        int[] big = {5, 6, 3};
        unary(rnd, big, OpType.SLICE, Attributes.builder().put("starts", new int[] {0, 5, 1}).put("ends", new int[] {5, -1, 3})
                .put("steps", new int[] {2, -2, 1}).build(), "steps 2, -2 to the start, 1");
        unary(rnd, big, OpType.SLICE, Attributes.builder().put("starts", new int[] {4, 1, 2}).put("ends", new int[] {0, 6, -1})
                .put("steps", new int[] {-3, 4, -1}).build(), "steps -3, 4, -1");
        unary(rnd, big, OpType.SLICE, Attributes.builder().put("starts", new int[] {1, 0, 0}).put("ends", new int[] {4, 6, 3})
                .put("steps", new int[] {1, 1, 1}).build(), "a plain window");
        unary(rnd, new int[] {3, 4, 5}, OpType.PAD, Attributes.builder().put("pads", new int[] {1, 2, 0, 2, 0, 4})
                .put("mode", "reflect").build(), "reflect");
        unary(rnd, new int[] {2, 3, 4}, OpType.PAD, Attributes.builder().put("pads", new int[] {3, 0, 5, 0, 4, 1})
                .put("mode", "edge").build(), "edge beyond the dimension");
        unary(rnd, new int[] {2, 3}, OpType.PAD, Attributes.builder().put("pads", new int[] {1, 2, 0, 1})
                .put("value", -1.5f).build(), "constant -1.5 (default mode)");
        unary(rnd, new int[] {2, 3, 4, 5}, OpType.TRANSPOSE, Attributes.builder().put("perm", new int[] {3, 1, 0, 2}).build(), "rank 4");
        unary(rnd, x, OpType.CLIP, Attributes.builder().put("min", -0.5f).build(), "min only");
        unary(rnd, x, OpType.CLIP, Attributes.builder().put("max", 0.25f).build(), "max only");
        unary(rnd, x, OpType.CLIP, Attributes.EMPTY, "no bounds");
        unary(rnd, x, OpType.ELU, Attributes.EMPTY, "default alpha");
        unary(rnd, x, OpType.LEAKY_RELU, Attributes.EMPTY, "default alpha");
        unary(rnd, x, OpType.HARD_SIGMOID, Attributes.EMPTY, "default alpha, beta");
        // prelu with a slope per row: [3, 1, 1] against [3, 4, 5]
        ModelBuilder b = new ModelBuilder("prelu").input("x", withBatch(x));
        String slope = b.constant("slope", new int[] {3, 1, 1}, TestModels.random(rnd, 3, 1f));
        b.output(b.op("prelu", OpType.PRELU, Attributes.EMPTY, "x", slope));
        single(b.build(), "prelu", rnd, "prelu slope [3, 1, 1]");
    }

    private static void unary(Random rnd, int[] x, OpType op, Attributes a, String what) {
        ModelBuilder b = new ModelBuilder(op.id()).input("x", withBatch(x));
        b.output(b.op(op.id(), op, a, "x"));
        single(b.build(), op.id(), rnd, op.id() + " " + what);
    }

    /** A chain of ops as an ONNX import writes them, through reshapes and a softmax head. */
    @Test
    void aChainOfImportedOps() {
        Random rnd = new Random(8);
        ModelBuilder b = new ModelBuilder("chain").input("image", -1, 8, 8, 3);
        String c = b.op("c", OpType.CONV2D, explicit(new int[] {1, 1, 1, 1}).put("strides", new int[] {2, 2})
                .put("activation", "relu").build(), "image", b.constant("cf", new int[] {6, 3, 3, 3}, TestModels.random(rnd, 162, 0.5f)),
                b.constant("cb", new int[] {6}, TestModels.random(rnd, 6, 0.1f)));
        String hs = b.op("hs", OpType.HARD_SWISH, Attributes.EMPTY, c);
        String up = b.op("up", OpType.RESIZE, Attributes.builder().put("size", new int[] {8, 8}).put("mode", "linear").build(), hs);
        String mp = b.op("mp", OpType.MAX_POOL, explicit(new int[] {0, 0, 1, 1}).put("window", new int[] {3, 3})
                .put("strides", new int[] {2, 2}).put("ceil_mode", 1).build(), up);
        String t = b.op("t", OpType.TRANSPOSE, Attributes.builder().put("perm", new int[] {2, 0, 1}).build(), mp);
        String sc = b.op("sc", OpType.MUL, Attributes.EMPTY, t, b.constant("scale", new int[] {6, 1, 1}, TestModels.random(rnd, 6, 1f)));
        String m = b.op("m", OpType.REDUCE_MEAN, Attributes.builder().put("axes", new int[] {1, 2}).put("keepdims", 0).build(), sc);
        String fc = b.dense("fc", m, 4, 6, TestModels.random(rnd, 24, 0.5f), TestModels.random(rnd, 4, 0.1f), Activation.NONE);
        b.output(b.op("ls", OpType.LOG_SOFTMAX, Attributes.EMPTY, fc));
        single(b.build(), "ls", rnd, "chain");
    }

    // ---- unsupported()

    @Test
    void unsupportedNamesTheInt8NodesAndForwardRefusesThem() {
        List<OpCases.Case> cases = Int8Cases.cases(OpType.CONV2D, 4, 77);
        ModelDef q = cases.get(0).model.apply(false);
        assertTrue(q.isQuantized());
        List<TfModelGraph.Blocker> blockers = TfModelGraph.unsupported(q);
        Set<String> named = new HashSet<>();
        for (TfModelGraph.Blocker bl : blockers) {
            named.add(bl.node());
            assertTrue(bl.reason().contains("fp32"), bl.toString());
        }
        for (Node n : q.nodes()) {
            if (n.op() == OpType.QUANTIZE || n.op() == OpType.DEQUANTIZE) {
                assertTrue(named.contains(n.name()), n.name() + " (" + n.op().id() + ") in " + blockers);
            }
        }
        Node quantize = q.nodes().stream().filter(n -> n.op() == OpType.QUANTIZE).findFirst().orElseThrow();
        assertTrue(blockers.get(0).toString().contains("'" + quantize.name() + "'") && blockers.get(0).toString().contains("quantize"),
                blockers.get(0).toString());
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Map<String, Operand<TFloat32>> in = new LinkedHashMap<>();
            for (InputSpec spec : q.inputs()) {
                in.put(spec.name(), tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(longs(withBatch(spec.sampleShape()))))));
            }
            BadInputException e = assertThrows(BadInputException.class, () -> TfModelGraph.forward(tf, q, in, k -> tf.constant(0f)));
            assertEquals(blockers.get(0).toString(), e.getMessage());
        }
    }

    @Test
    void unsupportedNamesWeightOnlyInt8Layers() {
        ModelDef def = TestModels.allOps(11);
        assertEquals(List.of(), TfModelGraph.unsupported(def));
        ModelDef w = Quantizer.weightOnly(def, WeightScheme.of(false, 8));
        List<TfModelGraph.Blocker> blockers = TfModelGraph.unsupported(w);
        assertFalse(blockers.isEmpty(), "weight-only int8 blocks fine-tuning");
        for (TfModelGraph.Blocker bl : blockers) {
            assertTrue(bl.reason().contains("int8"), bl.toString());
            assertTrue(w.nodes().stream().anyMatch(n -> n.name().equals(bl.node())), bl.toString());
        }
    }

    // ---- the comparison

    private static Attributes.Builder explicit(int[] pads) {
        return Attributes.builder().put("padding", Padding.EXPLICIT.id()).put("pads", pads);
    }

    private static int[] withBatch(int[] s) {
        int[] full = new int[s.length + 1];
        full[0] = -1;
        System.arraycopy(s, 0, full, 1, s.length);
        return full;
    }

    private static long[] longs(int[] s) {
        long[] l = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            l[i] = s[i];
        }
        return l;
    }

    /** One model of this test's own: random inputs in [-2, 2], a batch of 2. */
    private static void single(ModelDef def, String node, Random rnd, String what) {
        assertEquals(List.of(), TfModelGraph.unsupported(def), what);
        int batch = 2;
        Map<String, float[]> in = new LinkedHashMap<>();
        for (InputSpec spec : def.inputs()) {
            in.put(spec.name(), TestModels.random(rnd, spec.sampleSize() * batch, 2f));
        }
        check(def, in, batch, node, what);
    }

    /** The reference's values of {@code node}, per sample. */
    private static float[][] reference(ModelDef def, Map<String, float[]> inputs, int batch, String node) {
        TernModel m = TernModel.of(def, Backend.REFERENCE);
        try (Session s = m.newSession(SessionOptions.defaults().withMaxBatch(batch))) {
            s.run(inputs, m.allTasks());
            float[][] out = new float[batch][];
            for (int i = 0; i < batch; i++) {
                out[i] = s.output(node, i);
            }
            return out;
        }
    }

    /**
     * Runs {@code def} in TensorFlow (weights as constants) and compares {@code node}'s output with
     * the reference's; builds the gradients of sum(output) with respect to every input the model
     * reads and every weight, and checks they are finite.
     */
    private static void check(ModelDef def, Map<String, float[]> inputs, int batch, String node, String what) {
        float[][] want = reference(def, inputs, batch, node);
        Set<String> read = new HashSet<>();
        for (Node n : def.nodes()) {
            read.addAll(n.inputs());
        }
        try (Graph g = new Graph(); org.tensorflow.Session s = new org.tensorflow.Session(g, ONE_THREAD)) {
            Ops tf = Ops.create(g);
            Map<String, Operand<TFloat32>> in = new LinkedHashMap<>();
            for (InputSpec spec : def.inputs()) {
                in.put(spec.name(), tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(longs(withBatch(spec.sampleShape()))))));
            }
            Map<String, Operand<TFloat32>> weights = new LinkedHashMap<>();
            Map<String, Operand<TFloat32>> out = TfModelGraph.forward(tf, def, in, name -> weights.computeIfAbsent(name, k -> {
                Tensor t = def.tensor(k);
                return tf.constant(Shape.of(longs(t.shape())), DataBuffers.of(t.floats(), true, false));
            }));
            Operand<TFloat32> y = out.get(node);
            List<Operand<?>> xs = new ArrayList<>();
            List<String> xNames = new ArrayList<>();
            for (Map.Entry<String, Operand<TFloat32>> e : in.entrySet()) {
                if (read.contains(e.getKey())) {
                    xs.add(e.getValue());
                    xNames.add("input " + e.getKey());
                }
            }
            for (Map.Entry<String, Operand<TFloat32>> e : weights.entrySet()) {
                xs.add(e.getValue());
                xNames.add("weight " + e.getKey());
            }
            Operand<TFloat32> loss = tf.sum(y, tf.range(tf.constant(0), tf.rank(y), tf.constant(1)));
            Gradients grads = tf.gradients(loss, xs);

            List<TFloat32> fed = new ArrayList<>();
            try {
                org.tensorflow.Session.Runner r = s.runner();
                for (InputSpec spec : def.inputs()) {
                    int[] shape = withBatch(spec.sampleShape());
                    shape[0] = batch;
                    TFloat32 t = TFloat32.tensorOf(Shape.of(longs(shape)), DataBuffers.of(inputs.get(spec.name()), true, false));
                    fed.add(t);
                    r.feed(in.get(spec.name()), t);
                }
                r.fetch(y);
                for (int i = 0; i < xs.size(); i++) {
                    r.fetch(grads.dy(i));
                }
                try (Result res = r.run()) {
                    float[] got = floats((TFloat32) res.get(0));
                    compare(want, got, what);
                    for (int i = 0; i < xs.size(); i++) {
                        float[] dy = floats((TFloat32) res.get(i + 1));
                        for (int k = 0; k < dy.length; k++) {
                            if (!Float.isFinite(dy[k])) {
                                throw new AssertionError(what + ": gradient of sum(" + node + ") for " + xNames.get(i) + " [" + k
                                        + "] = " + dy[k]);
                            }
                        }
                    }
                }
            } finally {
                fed.forEach(TFloat32::close);
            }
        }
        models++;
    }

    private static float[] floats(TFloat32 t) {
        float[] all = new float[Math.toIntExact(t.size())];
        t.copyTo(DataBuffers.of(all, false, false));
        return all;
    }

    private static void compare(float[][] want, float[] got, String what) {
        int per = want[0].length;
        assertEquals(per * want.length, got.length, what + ": output size");
        for (int i = 0; i < want.length; i++) {
            for (int k = 0; k < per; k++) {
                float w = want[i][k];
                float t = got[i * per + k];
                if (Float.isNaN(w) || Float.isInfinite(w)) {
                    assertEquals(w, t, what + ": sample " + i + " index " + k);
                    continue;
                }
                double tol = TOL * Math.max(1, Math.abs(w));
                if (!(Math.abs(t - w) <= tol)) {
                    throw new AssertionError(what + ": sample " + i + " index " + k + ": TensorFlow " + t + ", reference " + w
                            + " (tolerance " + tol + ")");
                }
            }
        }
        values += got.length;
    }
}
