package dev.tern.runtime;

import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.Padding;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Random single-op models for comparing a kernel with the reference: for one op and one
 * "size" (the dimension a kernel tiles over: dot length, channels, or vector length), a few
 * cases that cover both paddings, strides 1 and 2 (also non-square), every fused activation,
 * optional biases, batches of 1 to 3 and inputs at non-zero arena offsets.
 */
public final class OpCases {
    /** 1, tile - 1, tile, tile + 1 for tiles 4, 8, 16 and 32, primes, multiples. */
    public static final int[] SIZES = {1, 2, 3, 4, 5, 7, 8, 9, 13, 15, 16, 17, 24, 31, 32, 33, 47};
    /** Extra dot lengths for Dense, where long rows are cheap. */
    public static final int[] DENSE_EXTRA = {63, 64, 65, 127, 128, 129};
    /**
     * {@link Case#fixedMagnitude} of element-wise ops whose error is relative to their result
     * (exp, log, tanh, elu): each output's magnitude is its own reference value, |ref[i]|.
     */
    public static final float OWN_MAGNITUDE = -1f;

    private OpCases() {
    }

    /** A single-op model, its inputs (whole batch, flattened per input) and how to compare results. */
    public static final class Case {
        public final String description;
        public final String node;
        public final int batch;
        /** Length of the longest sum behind one output (0: results must be bit-identical). */
        public final int dotLength;
        /** The model; with {@code true}, the same model with |constants| and no activation. */
        public final Function<Boolean, ModelDef> model;
        public final Map<String, float[]> inputs;
        /**
         * When > 0, the magnitude of every output (exp-based ops); {@link #OWN_MAGNITUDE}, each
         * output's own |reference value|; else run the |model| on |inputs|.
         */
        public final float fixedMagnitude;

        Case(String description, String node, int batch, int dotLength, Function<Boolean, ModelDef> model,
             Map<String, float[]> inputs, float fixedMagnitude) {
            this.description = description;
            this.node = node;
            this.batch = batch;
            this.dotLength = dotLength;
            this.model = model;
            this.inputs = inputs;
            this.fixedMagnitude = fixedMagnitude;
        }

        @Override
        public String toString() {
            return description;
        }

        /** Runs {@code def} on {@code inputs} with the given backend; returns node's output for every sample. */
        public float[][] run(ModelDef def, Backend backend, Map<String, float[]> in, String expectKernel) {
            return run(def, backend, in, expectKernel, PlanOptions.defaults());
        }

        /** {@link #run(ModelDef, Backend, Map, String)} with the model compiled as {@code options} say. */
        public float[][] run(ModelDef def, Backend backend, Map<String, float[]> in, String expectKernel, PlanOptions options) {
            TernModel m = TernModel.of(def, backend, options);
            if (expectKernel != null) {
                assertEquals(expectKernel, m.kernels().get(node), "kernel resolved for node " + node + " of " + this);
            }
            return run(m, in);
        }

        /** Runs model {@code m} (this case's model, compiled) on {@code in}; returns node's output for every sample. */
        public float[][] run(TernModel m, Map<String, float[]> in) {
            Backend backend = m.backend();
            try (Session s = m.newSession(SessionOptions.defaults().withMaxBatch(batch))) {
                s.run(in, m.allTasks());
                float[][] out = new float[batch][];
                for (int i = 0; i < batch; i++) {
                    out[i] = s.output(node, i);
                }
                // Each sample run on its own must give the same bits as within the batch.
                for (int i = 0; i < batch && batch > 1; i++) {
                    Map<String, float[]> one = new LinkedHashMap<>();
                    for (Map.Entry<String, float[]> e : in.entrySet()) {
                        int n = e.getValue().length / batch;
                        one.put(e.getKey(), Arrays.copyOfRange(e.getValue(), i * n, i * n + n));
                    }
                    s.run(one, m.allTasks());
                    TestModels.assertBitwiseEquals(out[i], s.output(node, 0),
                            this + " on " + backend + ": sample " + i + " alone vs in a batch of " + batch);
                }
                return out;
            }
        }
    }

    /** Cases for {@code op} at {@code size}; the seed decides everything else. */
    public static List<Case> cases(OpType op, int size, long seed) {
        Gen g = new Gen(op, size, seed);
        switch (op) {
            case DENSE: return g.dense();
            case CONV2D: return g.conv();
            case DEPTHWISE_CONV2D: return g.depthwise();
            case MAX_POOL:
            case AVG_POOL: return g.pool(op == OpType.MAX_POOL);
            case GLOBAL_AVG_POOL:
            case GLOBAL_MAX_POOL: return g.globalPool(op == OpType.GLOBAL_MAX_POOL);
            case ADD: return g.add();
            case CONCAT: return g.concat();
            case FLATTEN: return g.flatten();
            case RESHAPE: return g.reshape();
            case RELU:
            case RELU6:
            case SIGMOID:
            case SOFTMAX:
            case HARD_SIGMOID:
            case HARD_SWISH: return g.unary(op);
            default: return op.code() >= OpType.TRANSPOSE.code() ? g.since14(op) : null;
        }
    }

    private static final class Gen {
        final OpType op;
        final int s;
        final long seed;
        final Random rnd;
        final List<Case> out = new ArrayList<>();
        int index;

        Gen(OpType op, int size, long seed) {
            this.op = op;
            this.s = size;
            this.seed = seed;
            this.rnd = new Random(seed);
        }

        int pick(int... options) {
            return options[rnd.nextInt(options.length)];
        }

        int between(int lo, int hi) {
            return lo + rnd.nextInt(hi - lo + 1);
        }

        Activation act() {
            return Activation.values()[index % Activation.values().length];
        }

        /** A builder with, on odd cases, an unused leading input so the op's operands sit at non-zero offsets. */
        ModelBuilder builder(int padSize) {
            ModelBuilder b = new ModelBuilder(op.id());
            if (padSize > 0) {
                b.input("arena_pad", -1, padSize);
            }
            return b;
        }

        /** Adds a case; inputs are drawn now, in declaration order, with the pad input first. */
        void add(String what, int dotLength, float scale, Function<Boolean, ModelDef> model, float fixedMagnitude) {
            int batch = between(1, 3);
            ModelDef def = model.apply(false);
            Map<String, float[]> in = new LinkedHashMap<>();
            for (InputSpec spec : def.inputs()) {
                in.put(spec.name(), TestModels.random(rnd, spec.sampleSize() * batch, scale));
            }
            String desc = op.id() + " size=" + s + " case=" + index + " [" + what + "] batch=" + batch + " seed=" + seed;
            out.add(new Case(desc, op.id(), batch, dotLength, model, in, fixedMagnitude));
            index++;
        }

        int pad() {
            return index % 2 == 1 ? between(1, 40) : 0;
        }

        List<Case> dense() {
            int[][] dims = {{s, pick(SIZES)}, {pick(SIZES), s}};
            for (int[] d : dims) {
                int in = d[0];
                int outN = d[1];
                float[] w = TestModels.random(rnd, in * outN, 1f);
                float[] bias = rnd.nextInt(5) == 0 ? null : TestModels.random(rnd, outN, 1f);
                Activation act = act();
                int pad = pad();
                add("in=" + in + " out=" + outN + " bias=" + (bias != null) + " " + act.id() + " pad=" + pad, in, 1f,
                        mag -> {
                            ModelBuilder b = builder(pad).input("x", -1, in);
                            b.output(b.dense(op.id(), "x", outN, in, mag ? TestModels.abs(w) : w,
                                    bias == null ? null : mag ? TestModels.abs(bias) : bias,
                                    mag ? Activation.NONE : act));
                            return b.build();
                        }, 0f);
            }
            return out;
        }

        /** Random [top, left, bottom, right] pads below the window size for explicit padding, else null. */
        int[] explicitPads(Padding p, int kh, int kw) {
            return p != Padding.EXPLICIT ? null : new int[] {between(0, kh - 1), between(0, kw - 1), between(0, kh - 1), between(0, kw - 1)};
        }

        Attributes withPads(Attributes.Builder b, int[] pads) {
            return pads == null ? b.build() : b.put("pads", pads).build();
        }

        List<Case> conv() {
            for (int stride = 1; stride <= 2; stride++) {
                for (Padding p : Padding.values()) {
                    boolean sizeIsCin = index % 2 == 0;
                    int cin = sizeIsCin ? s : pick(1, 3, 4, 5, 8);
                    int cout = sizeIsCin ? pick(1, 3, 4, 5, 8) : s;
                    int kh = between(1, 3);
                    int kw = between(1, 3);
                    int[] pads = explicitPads(p, kh, kw);
                    int h = p == Padding.VALID ? between(kh, kh + 4) : pads != null ? between(Math.max(1, kh - pads[0] - pads[2]), 7) : between(1, 7);
                    int w = p == Padding.VALID ? between(kw, kw + 4) : pads != null ? between(Math.max(1, kw - pads[1] - pads[3]), 7) : between(1, 7);
                    int[] strides = {stride, between(1, 2)};
                    float[] filter = TestModels.random(rnd, cout * kh * kw * cin, 1f);
                    float[] bias = rnd.nextInt(4) == 0 ? null : TestModels.random(rnd, cout, 1f);
                    Activation act = act();
                    int pad = pad();
                    add("x=[" + h + "," + w + "," + cin + "] k=" + kh + "x" + kw + " cout=" + cout + " strides="
                            + Arrays.toString(strides) + " " + p.id() + (pads == null ? "" : Arrays.toString(pads)) + " bias=" + (bias != null) + " " + act.id()
                            + " pad=" + pad, kh * kw * cin, 1f, mag -> {
                                ModelBuilder b = builder(pad).input("x", -1, h, w, cin);
                                List<String> ins = new ArrayList<>(Arrays.asList("x", b.constant("f",
                                        new int[] {cout, kh, kw, cin}, mag ? TestModels.abs(filter) : filter)));
                                if (bias != null) {
                                    ins.add(b.constant("b", new int[] {cout}, mag ? TestModels.abs(bias) : bias));
                                }
                                Attributes a = withPads(Attributes.builder().put("strides", strides).put("padding", p.id())
                                        .put("activation", (mag ? Activation.NONE : act).id()), pads);
                                b.output(b.op(op.id(), OpType.CONV2D, a, ins.toArray(new String[0])));
                                return b.build();
                            }, 0f);
                }
            }
            return out;
        }

        List<Case> depthwise() {
            for (int m : new int[] {1, between(2, 3)}) {
                for (int stride = 1; stride <= 2; stride++) {
                    for (Padding p : Padding.values()) {
                        int c = s;
                        int kh = between(1, 3);
                        int kw = between(1, 3);
                        int[] pads = explicitPads(p, kh, kw);
                        int h = p == Padding.VALID ? between(kh, kh + 4) : pads != null ? between(Math.max(1, kh - pads[0] - pads[2]), 7) : between(1, 7);
                        int w = p == Padding.VALID ? between(kw, kw + 4) : pads != null ? between(Math.max(1, kw - pads[1] - pads[3]), 7) : between(1, 7);
                        int[] strides = {stride, between(1, 2)};
                        float[] filter = TestModels.random(rnd, kh * kw * c * m, 1f);
                        float[] bias = rnd.nextInt(4) == 0 ? null : TestModels.random(rnd, c * m, 1f);
                        Activation act = act();
                        int pad = pad();
                        add("x=[" + h + "," + w + "," + c + "] k=" + kh + "x" + kw + " multiplier=" + m + " strides="
                                + Arrays.toString(strides) + " " + p.id() + (pads == null ? "" : Arrays.toString(pads)) + " bias=" + (bias != null) + " " + act.id()
                                + " pad=" + pad, kh * kw, 1f, mag -> {
                                    ModelBuilder b = builder(pad).input("x", -1, h, w, c);
                                    List<String> ins = new ArrayList<>(Arrays.asList("x", b.constant("f",
                                            new int[] {kh, kw, c * m}, mag ? TestModels.abs(filter) : filter)));
                                    if (bias != null) {
                                        ins.add(b.constant("b", new int[] {c * m}, mag ? TestModels.abs(bias) : bias));
                                    }
                                    Attributes a = withPads(Attributes.builder().put("strides", strides).put("padding", p.id())
                                            .put("multiplier", m).put("activation", (mag ? Activation.NONE : act).id()), pads);
                                    b.output(b.op(op.id(), OpType.DEPTHWISE_CONV2D, a, ins.toArray(new String[0])));
                                    return b.build();
                                }, 0f);
                    }
                }
            }
            return out;
        }

        List<Case> pool(boolean isMax) {
            for (int stride = 1; stride <= 2; stride++) {
                for (Padding p : Padding.values()) {
                    int c = s;
                    int kh = between(1, 3);
                    int kw = between(1, 3);
                    int[] pads = explicitPads(p, kh, kw);
                    int h = p == Padding.VALID ? between(kh, kh + 4) : pads != null ? between(Math.max(1, kh - pads[0] - pads[2]), 7) : between(1, 7);
                    int w = p == Padding.VALID ? between(kw, kw + 4) : pads != null ? between(Math.max(1, kw - pads[1] - pads[3]), 7) : between(1, 7);
                    int sh = stride;
                    int sw = between(1, 2);
                    int pad = pad();
                    OpType type = isMax ? OpType.MAX_POOL : OpType.AVG_POOL;
                    add("x=[" + h + "," + w + "," + c + "] window=" + kh + "x" + kw + " strides=[" + stride + "," + sw
                            + "] " + p.id() + (pads == null ? "" : Arrays.toString(pads)) + " pad=" + pad, isMax ? 0 : kh * kw, 1f, mag -> {
                                ModelBuilder b = builder(pad).input("x", -1, h, w, c);
                                b.output(b.op(op.id(), type, withPads(Attributes.builder().putAll(TestModels.poolAttrs(kh, kw, sh, sw, p)), pads), "x"));
                                return b.build();
                            }, 0f);
                }
            }
            return out;
        }

        List<Case> globalPool(boolean isMax) {
            int[][] shapes = {{between(1, 5), between(1, 5), s}, {1, s, pick(1, 3, 8)}, {s, between(1, 3), pick(2, 5)}};
            for (int[] x : shapes) {
                int pad = pad();
                add("x=" + Arrays.toString(x) + " pad=" + pad, isMax ? 0 : x[0] * x[1], 1f, mag -> {
                    ModelBuilder b = builder(pad).input("x", -1, x[0], x[1], x[2]);
                    b.output(isMax ? b.globalMaxPool(op.id(), "x") : b.globalAvgPool(op.id(), "x"));
                    return b.build();
                }, 0f);
            }
            return out;
        }

        List<Case> add() {
            int[][] shapes = {{s}, {between(1, 3), between(1, 3), s}, {s, 3}};
            for (int[] shape : shapes) {
                Activation act = act();
                int pad = pad();
                int[] full = new int[shape.length + 1];
                full[0] = -1;
                System.arraycopy(shape, 0, full, 1, shape.length);
                // One addition: the reference rounds a double sum to float, others may add in float.
                add("shape=" + Arrays.toString(shape) + " " + act.id() + " pad=" + pad, 1, 8f, mag -> {
                    ModelBuilder b = builder(pad).input("x", full).input("y", full);
                    b.output(b.add(op.id(), "x", "y", mag ? Activation.NONE : act));
                    return b.build();
                }, 0f);
            }
            return out;
        }

        List<Case> concat() {
            for (int rank = 1; rank <= 3; rank++) {
                int[] base = new int[rank];
                for (int d = 0; d < rank; d++) {
                    base[d] = between(1, 4);
                }
                int axis = between(-rank, rank - 1);
                int ax = axis < 0 ? axis + rank : axis;
                int k = between(2, 3);
                int[][] shapes = new int[k][];
                for (int i = 0; i < k; i++) {
                    shapes[i] = base.clone();
                    shapes[i][ax] = i == 0 ? s : pick(SIZES);
                }
                int pad = pad();
                int r = rank;
                StringBuilder desc = new StringBuilder("axis=" + axis + " inputs=");
                for (int[] sh : shapes) {
                    desc.append(Arrays.toString(sh));
                }
                add(desc + " pad=" + pad, 0, 1f, mag -> {
                    ModelBuilder b = builder(pad);
                    String[] names = new String[k];
                    for (int i = 0; i < k; i++) {
                        names[i] = "x" + i;
                        int[] full = new int[r + 1];
                        full[0] = -1;
                        System.arraycopy(shapes[i], 0, full, 1, r);
                        b.input(names[i], full);
                    }
                    b.output(b.concat(op.id(), axis, names));
                    return b.build();
                }, 0f);
            }
            return out;
        }

        List<Case> flatten() {
            int h = between(1, 4);
            int w = between(1, 4);
            int pad = pad();
            add("x=[" + h + "," + w + "," + s + "] pad=" + pad, 0, 1f, mag -> {
                ModelBuilder b = builder(pad).input("x", -1, h, w, s);
                b.output(b.flatten(op.id(), "x"));
                return b.build();
            }, 0f);
            // Flatten of a computed value (not of an input).
            int pad2 = pad();
            add("relu then flatten, x=[" + h + "," + w + "," + s + "] pad=" + pad2, 0, 1f, mag -> {
                ModelBuilder b = builder(pad2).input("x", -1, h, w, s);
                b.output(b.flatten(op.id(), b.relu("r", "x")));
                return b.build();
            }, 0f);
            return out;
        }

        List<Case> reshape() {
            int h = between(1, 4);
            int[][] targets = {{-1, s}, {s, -1}, {h * s}};
            for (int[] t : targets) {
                int pad = pad();
                add("x=[" + h + "," + s + "] to " + Arrays.toString(t) + " pad=" + pad, 0, 1f, mag -> {
                    ModelBuilder b = builder(pad).input("x", -1, h, s);
                    b.output(b.reshape(op.id(), "x", t));
                    return b.build();
                }, 0f);
            }
            return out;
        }

        /**
         * The ops of 1.4 (ONNX import): random shapes, batches and arena offsets, and attributes,
         * inputs in [-2, 2]. Against the reference (the reference's values themselves are checked
         * against ONNX's node tests in compress, OnnxNodeConformanceTest), with the tolerance of
         * what a float32 kernel computes differently from the reference's double:
         * <ul>
         * <li>bit for bit: data movement, neg, abs, sqrt, reciprocal, clip, leaky_relu, prelu,
         * reduce_max, reduce_min, nearest resize (copies, selections, and single operations whose
         * float result is the reference's double result rounded once);</li>
         * <li>exp, log, tanh, elu: dot length 1 on each output's own magnitude |y|, i.e. 6 u |y|,
         * 3 to 6 ulps of y (float polynomials within 2.5 ulp, elu one more product, and the
         * reference's own rounding);</li>
         * <li>sums: matmul (dot length k = s), reduce_sum and reduce_mean (the number of inputs
         * per output, on the same reduction of |x|), conv_transpose (the taps that reach one
         * output, ceil(kh / sh) ceil(kw / sw) cin, on the same op with |x|, |w|, |b|), linear
         * resize (4: two weights per axis, on the resize of |x|);</li>
         * <li>log_softmax: a float sum of len exps (terms up to 1) whose log is added to x - max:
         * dot length len on the largest output magnitude |x - max| + log(len) <= 4 + ln(len).</li>
         * </ul>
         * The cases put each scalar kernel on its loops: reductions over the innermost axes and
         * over outer and alternating axes, log_softmax along the last and an outer axis, both
         * resize modes (repeated and skipped rows, several coordinate transforms), conv_transpose
         * with strides, pads, a dilation, output padding and a bias, leaky_relu and prelu on each
         * of the scalar kernel's forms.
         */
        List<Case> since14(OpType type) {
            boolean reduce = type == OpType.REDUCE_MEAN || type == OpType.REDUCE_MAX || type == OpType.REDUCE_MIN
                    || type == OpType.REDUCE_SUM;
            boolean sums = type == OpType.REDUCE_MEAN || type == OpType.REDUCE_SUM;
            int count = reduce ? 5 : type == OpType.RESIZE ? 4 : type == OpType.LOG_SOFTMAX || type == OpType.LEAKY_RELU
                    || type == OpType.PRELU ? 3 : 2;
            for (int k = 0; k < count; k++) {
                int pad = pad();
                int[] x = {between(1, 3), between(1, 4), s};
                Attributes.Builder a = Attributes.builder();
                int[] yShape = null;
                float[] bias = null;
                boolean constantY = false;
                boolean positiveY = false;
                int dot = 0;
                float magnitude = 0f;
                switch (type) {
                    case TRANSPOSE:
                        a.put("perm", k == 0 ? new int[] {2, 0, 1} : new int[] {1, 2, 0});
                        break;
                    case MUL: case SUB: case DIV: case MAX: case MIN:
                        yShape = k == 0 ? new int[] {s} : new int[] {x[0], 1, s};
                        constantY = k == 0;
                        break;
                    case PRELU:
                        // per channel: slopes of both signs (the select), all >= 0 (the scalar kernel's
                        // branch-free form); per row [x1, 1] (through the index map)
                        yShape = k < 2 ? new int[] {s} : new int[] {x[1], 1};
                        constantY = true;
                        positiveY = k == 1;
                        break;
                    case LEAKY_RELU:
                        // alpha in (0, 1], above 1, and <= 0: the scalar kernel's max, min and select
                        a.put("alpha", k == 0 ? 1f - 0.9f * rnd.nextFloat() : k == 1 ? 1.1f + rnd.nextFloat() : -rnd.nextFloat());
                        break;
                    case ELU:
                        a.put("alpha", 0.1f + rnd.nextFloat());
                        dot = 1;
                        magnitude = OWN_MAGNITUDE;
                        break;
                    case CLIP:
                        a.put("min", -1f).put("max", 2f);
                        break;
                    case LOG_SOFTMAX: {
                        int axis = k == 0 ? -1 : k == 1 ? 1 : 0;
                        a.put("axis", axis);
                        int len = x[axis < 0 ? 2 : axis];
                        dot = len;
                        magnitude = 4f + (float) Math.log(len);
                        break;
                    }
                    case REDUCE_MEAN: case REDUCE_MAX: case REDUCE_MIN: case REDUCE_SUM: {
                        int[][] axes = {{2}, {0, 1}, {1}, {0, 2}, null};
                        if (axes[k] != null) {
                            a.put("axes", axes[k]);
                        }
                        a.put("keepdims", k % 2);
                        int n = 1; // inputs per output
                        for (int d = 0; d < 3; d++) {
                            boolean reduced = axes[k] == null;
                            for (int ax : axes[k] == null ? new int[0] : axes[k]) {
                                reduced |= ax == d;
                            }
                            n *= reduced ? x[d] : 1;
                        }
                        dot = sums ? n : 0;
                        break;
                    }
                    case SLICE:
                        a.put("starts", new int[] {0, x[1] - 1, 0}).put("ends", new int[] {x[0], -1, s}).put("steps", new int[] {1, -1, 1});
                        break;
                    case PAD:
                        a.put("pads", new int[] {1, 0, 2, 0, 1, 1}).put("mode", k == 0 ? "constant" : "edge").put("value", 0.5f);
                        break;
                    case MATMUL:
                        // n = 53 covers two-vector, one-vector and scalar columns at 4, 8 and 16 lanes
                        yShape = new int[] {s, k == 0 ? between(1, 5) : 53};
                        constantY = k == 0;
                        dot = s;
                        break;
                    case RESIZE:
                        if (k < 2) {
                            a.put("size", new int[] {x[0] * 2, x[1] + 1}).put("mode", k == 0 ? "nearest" : "linear");
                        } else if (k == 2) {
                            // fewer rows from 3 (both source rows of an output row new), else more
                            a.put("size", new int[] {x[0] == 3 ? 2 : x[0] + 2, 2 * x[1] + 1}).put("mode", "linear").put("coordinate", "align_corners");
                        } else {
                            a.put("size", new int[] {3 * x[0], Math.max(1, x[1] - 1)}).put("mode", "nearest")
                                    .put("coordinate", "asymmetric").put("nearest", "floor");
                        }
                        dot = k == 1 || k == 2 ? 4 : 0;
                        break;
                    case CONV_TRANSPOSE: {
                        int cout = between(1, 4);
                        int kh = k == 0 ? 2 : 3;
                        int kw = 3;
                        int[] st = k == 0 ? new int[] {2, 1} : new int[] {2, 2};
                        a.put("strides", st).put("pads", k == 0 ? new int[] {0, 1, 1, 0} : new int[] {1, 0, 0, 1});
                        if (k == 0) {
                            // dilation 2 along w, where the stride is 1: still one tap per kx reaches an output column
                            a.put("dilations", new int[] {1, 2});
                        } else {
                            a.put("output_padding", new int[] {1, 1});
                            bias = TestModels.random(rnd, cout, 1f);
                        }
                        yShape = new int[] {cout, kh, kw, s};
                        constantY = true;
                        dot = ((kh + st[0] - 1) / st[0]) * ((kw + st[1] - 1) / st[1]) * s;
                        break;
                    }
                    case TANH: case EXP: case LOG:
                        dot = 1;
                        magnitude = OWN_MAGNITUDE;
                        break;
                    default:
                        break;
                }
                int[] full = {-1, x[0], x[1], x[2]};
                int[] ys = yShape;
                boolean cy = constantY;
                float[] yr = ys == null ? null : TestModels.random(rnd, (int) dev.tern.runtime.model.Tensor.elementCount(ys), 1f);
                float[] yv = positiveY ? TestModels.abs(yr) : yr;
                float[] bv = bias;
                Attributes attrs = a.build();
                add("x=" + Arrays.toString(x) + (ys == null ? "" : " y=" + Arrays.toString(ys) + (cy ? " constant" : ""))
                        + (bv == null ? "" : " bias") + " " + attrs + " pad=" + pad, dot, 2f, mag -> {
                            ModelBuilder b = builder(pad).input("x", full);
                            // sqrt and log read max(x, 0.5) (no NaN: comparisons treat NaN as a mismatch)
                            boolean positive = type == OpType.SQRT || type == OpType.LOG;
                            List<String> ins = new ArrayList<>(List.of(positive ? b.op("positive", OpType.CLIP,
                                    Attributes.builder().put("min", 0.5f).build(), "x") : "x"));
                            if (ys != null) {
                                if (cy) {
                                    ins.add(b.constant("y", ys, mag ? TestModels.abs(yv) : yv));
                                } else {
                                    int[] yf = new int[ys.length + 1];
                                    yf[0] = -1;
                                    System.arraycopy(ys, 0, yf, 1, ys.length);
                                    b.input("y", yf);
                                    ins.add("y");
                                }
                            }
                            if (bv != null) {
                                ins.add(b.constant("b", new int[] {bv.length}, mag ? TestModels.abs(bv) : bv));
                            }
                            b.output(b.op(op.id(), type, attrs, ins.toArray(new String[0])));
                            return b.build();
                        }, magnitude);
            }
            return out;
        }

        List<Case> unary(OpType type) {
            int[][] shapes = {{s}, {between(1, 4), s}};
            for (int[] shape : shapes) {
                int pad = pad();
                int[] full = new int[shape.length + 1];
                full[0] = -1;
                System.arraycopy(shape, 0, full, 1, shape.length);
                // Relu and relu6 must be exact. Sigmoid outputs lie in (0, 1) (magnitude 1, one
                // exp and one division); softmax normalizes a row of s positive terms that sum to 1.
                // Hard sigmoid: one multiply-add (the scalar kernel's in float, the reference's in
                // double), outputs in [0, 1]; half the cases with ONNX's default alpha and beta.
                // Hard swish: three float roundings (scalar) against one (reference), outputs up
                // to |x| (8): the tolerance of one product of magnitude 8.
                int dot = type == OpType.SOFTMAX ? s
                        : type == OpType.SIGMOID || type == OpType.HARD_SIGMOID || type == OpType.HARD_SWISH ? 1 : 0;
                float magnitude = type == OpType.HARD_SWISH ? 8f : 1f;
                Attributes attrs = type == OpType.HARD_SIGMOID && rnd.nextBoolean()
                        ? Attributes.builder().put("alpha", 0.05f + rnd.nextFloat()).put("beta", rnd.nextFloat() * 2 - 0.5f).build()
                        : Attributes.EMPTY;
                add("shape=" + Arrays.toString(shape) + " pad=" + pad + " " + attrs, dot, 8f, mag -> {
                    ModelBuilder b = builder(pad).input("x", full);
                    b.output(b.op(op.id(), type, attrs, "x"));
                    return b.build();
                }, dot > 0 ? magnitude : 0f);
            }
            return out;
        }
    }
}
