package dev.tern.runtime.model;

import dev.tern.runtime.InvalidModelException;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Checks every node's operands and attributes and computes the per-sample shape and the
 * element type of every value (float32, or int8 with its scale and zero point). All
 * validation of a graph happens here, once, so kernels run without checks; that includes
 * the int8 arithmetic: every requantization multiplier must be representable and no int32
 * accumulator may overflow, or the model is rejected (when it is built, written or read).
 */
public final class ShapeInference {
    /** Largest activation a value may have per sample (elements); guards against absurd shapes. */
    public static final long MAX_VALUE_ELEMENTS = 1L << 28;

    private ShapeInference() {
    }

    /** Shapes and types of every input and node output. */
    public static final class Result {
        public final Map<String, int[]> shapes = new HashMap<>();
        public final Map<String, ValueType> types = new HashMap<>();
    }

    public static Result infer(ModelDef def) {
        Result r = new Result();
        Map<String, int[]> shapes = r.shapes;
        for (InputSpec in : def.inputs()) {
            shapes.put(in.name(), in.sampleShape());
            r.types.put(in.name(), ValueType.FLOAT32);
        }
        for (Node n : def.nodes()) {
            int[] s;
            try {
                s = infer(def, n, shapes);
                r.types.put(n.output(), Types.infer(def, n, r.types, shapes));
            } catch (IllegalArgumentException e) {
                throw new InvalidModelException("node '" + n.name() + "' (" + n.op().id() + "): " + e.getMessage());
            }
            long count = Tensor.elementCount(s);
            if (count > MAX_VALUE_ELEMENTS) {
                throw new InvalidModelException("node '" + n.name() + "' (" + n.op().id() + ") produces " + count
                        + " values per sample, more than the limit of " + MAX_VALUE_ELEMENTS);
            }
            shapes.put(n.output(), s);
        }
        return r;
    }

    private static int[] infer(ModelDef def, Node n, Map<String, int[]> shapes) {
        Attributes a = n.attributes();
        switch (n.op()) {
            case DENSE: {
                arity(n, 2, 3);
                int[] x = activation(n, 0, shapes);
                if (x.length != 1) {
                    throw new IllegalArgumentException("input '" + n.input(0) + "' must be a vector [in] per sample, got "
                            + Arrays.toString(x) + " (flatten it first)");
                }
                Tensor w = weight(def, n, 1, 2);
                if (w.dim(1) != x[0]) {
                    throw new IllegalArgumentException("weights " + Arrays.toString(w.shape()) + " expect " + w.dim(1)
                            + " inputs, got " + x[0]);
                }
                bias(def, n, 2, w.dim(0));
                activationAttr(a);
                return new int[] {w.dim(0)};
            }
            case CONV2D: {
                arity(n, 2, 3);
                int[] x = image(n, shapes);
                Tensor w = weight(def, n, 1, 4);
                if (w.dim(3) != x[2]) {
                    throw new IllegalArgumentException("filter " + Arrays.toString(w.shape()) + " [cout, kh, kw, cin] expects "
                            + w.dim(3) + " input channels, got " + x[2]);
                }
                bias(def, n, 2, w.dim(0));
                activationAttr(a);
                int[] o = windowOut(x, w.dim(1), w.dim(2), a, false, false);
                return new int[] {o[0], o[1], w.dim(0)};
            }
            case DEPTHWISE_CONV2D: {
                arity(n, 2, 3);
                int[] x = image(n, shapes);
                Tensor w = weight(def, n, 1, 3);
                int m = a.getInt("multiplier", 1);
                if (m < 1) {
                    throw new IllegalArgumentException("multiplier must be >= 1, got " + m);
                }
                if ((long) x[2] * m != w.dim(2)) {
                    throw new IllegalArgumentException("filter " + Arrays.toString(w.shape()) + " [kh, kw, c * multiplier] needs "
                            + "last dimension " + ((long) x[2] * m) + " for " + x[2] + " channels and multiplier " + m);
                }
                bias(def, n, 2, w.dim(2));
                activationAttr(a);
                int[] o = windowOut(x, w.dim(0), w.dim(1), a, false, false);
                return new int[] {o[0], o[1], w.dim(2)};
            }
            case MAX_POOL:
            case AVG_POOL: {
                arity(n, 1, 1);
                int[] x = image(n, shapes);
                int[] win = a.getInts("window", null);
                if (win == null || win.length != 2 || win[0] < 1 || win[1] < 1) {
                    throw new IllegalArgumentException("attribute window must be [kh, kw] >= 1, got "
                            + (win == null ? "nothing" : Arrays.toString(win)));
                }
                int[] o = windowOut(x, win[0], win[1], a, true, n.op() == OpType.AVG_POOL);
                return new int[] {o[0], o[1], x[2]};
            }
            case GLOBAL_AVG_POOL:
            case GLOBAL_MAX_POOL: {
                arity(n, 1, 1);
                int[] x = image(n, shapes);
                return new int[] {x[2]};
            }
            case ADD:
                activationAttr(a);
                return binary(def, n, shapes);
            case MUL:
            case SUB:
            case DIV:
            case MAX:
            case MIN:
                return binary(def, n, shapes);
            case TRANSPOSE: {
                arity(n, 1, 1);
                int[] x = activation(n, 0, shapes);
                int[] perm = permutation(a.getInts("perm", null), x.length);
                int[] out = new int[x.length];
                for (int d = 0; d < x.length; d++) {
                    out[d] = x[perm[d]];
                }
                return out;
            }
            case LEAKY_RELU:
            case ELU:
                arity(n, 1, 1);
                finite(a, "alpha", n.op());
                return activation(n, 0, shapes);
            case CLIP: {
                arity(n, 1, 1);
                float lo = a.getFloat("min", Float.NEGATIVE_INFINITY);
                float hi = a.getFloat("max", Float.POSITIVE_INFINITY);
                if (Float.isNaN(lo) || Float.isNaN(hi) || lo > hi) {
                    throw new IllegalArgumentException("attributes min " + lo + " and max " + hi + " must be numbers with min <= max");
                }
                return activation(n, 0, shapes);
            }
            case PRELU: {
                arity(n, 2, 2);
                int[] x = activation(n, 0, shapes);
                Tensor slope = def.tensor(n.input(1));
                if (slope == null) {
                    throw new IllegalArgumentException("input 1 '" + n.input(1) + "' (slope) must be a constant tensor");
                }
                int[] out = broadcast(x, slope.shape());
                if (!Arrays.equals(out, x)) {
                    throw new IllegalArgumentException("slope " + Arrays.toString(slope.shape()) + " does not broadcast to input "
                            + Arrays.toString(x));
                }
                return x;
            }
            case TANH:
            case EXP:
            case NEG:
            case ABS:
            case SQRT:
            case RECIPROCAL:
            case LOG:
                arity(n, 1, 1);
                return activation(n, 0, shapes);
            case LOG_SOFTMAX: {
                arity(n, 1, 1);
                int[] x = activation(n, 0, shapes);
                axis(a.getInt("axis", -1), x.length);
                return x;
            }
            case REDUCE_MEAN:
            case REDUCE_MAX:
            case REDUCE_MIN:
            case REDUCE_SUM: {
                arity(n, 1, 1);
                int[] x = activation(n, 0, shapes);
                boolean[] reduced = reducedAxes(a.getInts("axes", null), x.length);
                boolean keep = a.getInt("keepdims", 1) != 0;
                int[] out = new int[x.length];
                int r = 0;
                for (int d = 0; d < x.length; d++) {
                    if (!reduced[d]) {
                        out[r++] = x[d];
                    } else if (keep) {
                        out[r++] = 1;
                    }
                }
                return Arrays.copyOf(out, r);
            }
            case SLICE:
                arity(n, 1, 1);
                return slice(activation(n, 0, shapes), a);
            case PAD: {
                arity(n, 1, 1);
                int[] x = activation(n, 0, shapes);
                int[] pads = a.getInts("pads", null);
                if (pads == null || pads.length != 2 * x.length) {
                    throw new IllegalArgumentException("attribute pads must hold " + (2 * x.length) + " values (begins, then ends), got "
                            + (pads == null ? "nothing" : Arrays.toString(pads)));
                }
                String mode = a.getString("mode", "constant");
                if (!mode.equals("constant") && !mode.equals("reflect") && !mode.equals("edge")) {
                    throw new IllegalArgumentException("mode must be constant, reflect or edge, got '" + mode + "'");
                }
                finite(a, "value", n.op());
                int[] out = new int[x.length];
                for (int d = 0; d < x.length; d++) {
                    int b = pads[d];
                    int e = pads[d + x.length];
                    if (b < 0 || e < 0) {
                        throw new IllegalArgumentException("pads must be >= 0, got " + Arrays.toString(pads));
                    }
                    if (mode.equals("reflect") && (b >= x[d] || e >= x[d])) {
                        throw new IllegalArgumentException("reflect padding " + Arrays.toString(pads) + " must be smaller than dimension "
                                + d + " (" + x[d] + ")");
                    }
                    long size = (long) x[d] + b + e;
                    if (size > Integer.MAX_VALUE) {
                        throw new IllegalArgumentException("padded dimension " + d + " too large: " + size);
                    }
                    out[d] = (int) size;
                }
                return out;
            }
            case MATMUL:
                arity(n, 2, 2);
                return matmul(activation(n, 0, shapes), operand(def, n, 1, shapes));
            case RESIZE: {
                arity(n, 1, 1);
                int[] x = image(n, shapes);
                int[] size = a.getInts("size", null);
                if (size == null || size.length != 2 || size[0] < 1 || size[1] < 1) {
                    throw new IllegalArgumentException("attribute size must be [oh, ow] >= 1, got "
                            + (size == null ? "nothing" : Arrays.toString(size)));
                }
                oneOf(a, "mode", "nearest", "nearest", "linear");
                oneOf(a, "coordinate", "half_pixel", "half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel");
                oneOf(a, "nearest", "round_prefer_floor", "round_prefer_floor", "round_prefer_ceil", "floor", "ceil");
                return new int[] {size[0], size[1], x[2]};
            }
            case CONV_TRANSPOSE: {
                arity(n, 2, 3);
                int[] x = image(n, shapes);
                Tensor w = weight(def, n, 1, 4);
                if (w.dim(3) != x[2]) {
                    throw new IllegalArgumentException("filter " + Arrays.toString(w.shape()) + " [cout, kh, kw, cin] expects "
                            + w.dim(3) + " input channels, got " + x[2]);
                }
                bias(def, n, 2, w.dim(0));
                int[] st = strides(a);
                int[] dil = pair(a, "dilations", 1);
                int[] pads = a.getInts("pads", new int[4]);
                int[] op = a.getInts("output_padding", new int[2]);
                if (pads.length != 4 || op.length != 2) {
                    throw new IllegalArgumentException("attributes pads [t, l, b, r] and output_padding [h, w] have the wrong length");
                }
                int[] out = new int[2];
                for (int d = 0; d < 2; d++) {
                    if (pads[d] < 0 || pads[d + 2] < 0 || op[d] < 0 || op[d] >= Math.max(st[d], dil[d])) {
                        throw new IllegalArgumentException("pads " + Arrays.toString(pads) + " must be >= 0 and output_padding "
                                + Arrays.toString(op) + " in [0, max(stride, dilation))");
                    }
                    long o = (long) (x[d] - 1) * st[d] - pads[d] - pads[d + 2] + (long) dil[d] * (w.dim(1 + d) - 1) + 1 + op[d];
                    if (o < 1 || o > Integer.MAX_VALUE) {
                        throw new IllegalArgumentException("output size " + o + " along axis " + d + " is not >= 1");
                    }
                    out[d] = (int) o;
                }
                return new int[] {out[0], out[1], w.dim(0)};
            }
            case CONCAT: {
                if (n.inputs().isEmpty()) {
                    throw new IllegalArgumentException("needs at least one input");
                }
                int[] first = activation(n, 0, shapes);
                int axis = a.getInt("axis", -1);
                int ax = axis < 0 ? axis + first.length : axis;
                if (ax < 0 || ax >= first.length) {
                    throw new IllegalArgumentException("axis " + axis + " outside rank " + first.length);
                }
                int[] out = first.clone();
                long sum = first[ax];
                for (int i = 1; i < n.inputs().size(); i++) {
                    int[] s = activation(n, i, shapes);
                    if (s.length != first.length) {
                        throw new IllegalArgumentException("inputs must have one rank, got " + Arrays.toString(first) + " and "
                                + Arrays.toString(s));
                    }
                    for (int d = 0; d < s.length; d++) {
                        if (d != ax && s[d] != first[d]) {
                            throw new IllegalArgumentException("inputs differ outside axis " + ax + ": "
                                    + Arrays.toString(first) + " and " + Arrays.toString(s));
                        }
                    }
                    sum += s[ax];
                }
                if (sum > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("concatenated axis too large: " + sum);
                }
                out[ax] = (int) sum;
                return out;
            }
            case FLATTEN: {
                arity(n, 1, 1);
                return new int[] {(int) Tensor.elementCount(activation(n, 0, shapes))};
            }
            case RESHAPE: {
                arity(n, 1, 1);
                int[] x = activation(n, 0, shapes);
                int[] target = a.getInts("shape", null);
                if (target == null || target.length == 0) {
                    throw new IllegalArgumentException("attribute shape (per sample) is missing");
                }
                return reshape(x, target);
            }
            case HARD_SIGMOID:
                arity(n, 1, 1);
                finite(a, "alpha", OpType.HARD_SIGMOID);
                finite(a, "beta", OpType.HARD_SIGMOID);
                return activation(n, 0, shapes);
            case HARD_SWISH:
            case RELU:
            case RELU6:
            case SIGMOID:
            case SOFTMAX:
            case QUANTIZE:
            case DEQUANTIZE:
                arity(n, 1, 1);
                return activation(n, 0, shapes);
            default:
                throw new IllegalArgumentException("no shape rule for op " + n.op());
        }
    }

    static int[] reshape(int[] x, int[] target) {
        long total = Tensor.elementCount(x);
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1) {
                if (unknown >= 0) {
                    throw new IllegalArgumentException("shape " + Arrays.toString(target) + " has more than one -1");
                }
                unknown = i;
            } else if (target[i] < 1) {
                throw new IllegalArgumentException("shape " + Arrays.toString(target) + " has a dimension < 1");
            } else {
                known *= target[i];
                if (known > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("shape " + Arrays.toString(target) + " is too large");
                }
            }
        }
        int[] out = target.clone();
        if (unknown >= 0) {
            if (total % known != 0) {
                throw new IllegalArgumentException("cannot reshape " + Arrays.toString(x) + " to " + Arrays.toString(target));
            }
            out[unknown] = (int) (total / known);
        } else if (known != total) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(x) + " (" + total + " values) to "
                    + Arrays.toString(target) + " (" + known + " values)");
        }
        return out;
    }

    /**
     * Output height and width of a windowed op (convolution, pooling) over image x with a kh x kw
     * window: TensorFlow's SAME/VALID, or explicit pads with dilations (and for pooling
     * ceil_mode; count_include_pad for average pooling), the attributes only an explicit window may
     * carry.
     */
    static int[] windowOut(int[] x, int kh, int kw, Attributes a, boolean pool, boolean avg) {
        int[] st = strides(a);
        Padding p = padding(a);
        if (p != Padding.EXPLICIT) {
            for (String k : new String[] {"pads", "dilations", "ceil_mode", "count_include_pad"}) {
                if (a.has(k)) {
                    throw new IllegalArgumentException("attribute " + k + " needs padding 'explicit', got '" + p.id() + "'");
                }
            }
            return new int[] {outSize(x[0], kh, st[0], p), outSize(x[1], kw, st[1], p)};
        }
        int[] pads = a.getInts("pads", null);
        if (pads == null || pads.length != 4 || pads[0] < 0 || pads[1] < 0 || pads[2] < 0 || pads[3] < 0) {
            throw new IllegalArgumentException("explicit padding needs attribute pads [top, left, bottom, right] >= 0, got "
                    + (pads == null ? "nothing" : Arrays.toString(pads)));
        }
        int[] dil = pair(a, "dilations", 1);
        if (pool && a.has("dilations") && (dil[0] != 1 || dil[1] != 1)) {
            throw new IllegalArgumentException("pooling takes no dilations, got " + Arrays.toString(dil));
        }
        if (!pool && (a.has("ceil_mode") || a.has("count_include_pad"))) {
            throw new IllegalArgumentException("ceil_mode and count_include_pad apply to pooling only");
        }
        if (!avg && a.has("count_include_pad")) {
            throw new IllegalArgumentException("count_include_pad applies to average pooling only");
        }
        boolean ceil = a.getInt("ceil_mode", 0) != 0;
        int[] k = {kh, kw};
        int[] out = new int[2];
        for (int d = 0; d < 2; d++) {
            long span = (long) x[d] + pads[d] + pads[d + 2] - ((long) dil[d] * (k[d] - 1) + 1);
            if (span < 0) {
                throw new IllegalArgumentException("window " + k[d] + " (dilation " + dil[d] + ") larger than input " + x[d]
                        + " with pads " + Arrays.toString(pads));
            }
            long o = (ceil ? (span + st[d] - 1) / st[d] : span / st[d]) + 1;
            if (ceil && (o - 1) * st[d] >= (long) x[d] + pads[d]) {
                o--; // the last window would start in the bottom/right padding (ONNX and PyTorch drop it)
            }
            if (o > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("output too large: " + o);
            }
            out[d] = (int) o;
        }
        return out;
    }

    /** An optional pair attribute (e.g. dilations), each value >= 1. */
    static int[] pair(Attributes a, String key, int dflt) {
        int[] v = a.getInts(key, new int[] {dflt, dflt});
        if (v.length != 2 || v[0] < 1 || v[1] < 1) {
            throw new IllegalArgumentException("attribute " + key + " must be two values >= 1, got " + Arrays.toString(v));
        }
        return v;
    }

    /** The numpy broadcast of two shapes (aligned at their last axes). */
    public static int[] broadcast(int[] x, int[] y) {
        int r = Math.max(x.length, y.length);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int a = i < r - x.length ? 1 : x[i - (r - x.length)];
            int b = i < r - y.length ? 1 : y[i - (r - y.length)];
            if (a != b && a != 1 && b != 1) {
                throw new IllegalArgumentException("shapes " + Arrays.toString(x) + " and " + Arrays.toString(y)
                        + " do not broadcast (axis " + i + ": " + a + " vs " + b + ")");
            }
            out[i] = a == 1 ? b : a;
        }
        return out;
    }

    /** Shape of operand i: an activation's per-sample shape or a constant tensor's shape. */
    private static int[] operand(ModelDef def, Node n, int i, Map<String, int[]> shapes) {
        int[] s = shapes.get(n.input(i));
        if (s != null) {
            return s;
        }
        Tensor t = def.tensor(n.input(i));
        if (t == null) {
            throw new IllegalArgumentException("input " + i + " '" + n.input(i) + "' is neither a value nor a constant");
        }
        if (t.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException("constant operand '" + t.name() + "' is " + t.dtype().id() + ", expected float32");
        }
        return t.shape();
    }

    private static int[] binary(ModelDef def, Node n, Map<String, int[]> shapes) {
        arity(n, 2, 2);
        int[] x = operand(def, n, 0, shapes);
        int[] y = operand(def, n, 1, shapes);
        if (!shapes.containsKey(n.input(0)) && !shapes.containsKey(n.input(1))) {
            throw new IllegalArgumentException("both operands are constant tensors; at least one must be an activation");
        }
        return broadcast(x, y);
    }

    private static int[] matmul(int[] x, int[] y) {
        if (x.length < 2 || y.length < 2) {
            throw new IllegalArgumentException("operands need rank >= 2 ([..., m, k] and [..., k, n]), got " + Arrays.toString(x)
                    + " and " + Arrays.toString(y));
        }
        if (x[x.length - 1] != y[y.length - 2]) {
            throw new IllegalArgumentException("inner dimensions differ: " + Arrays.toString(x) + " times " + Arrays.toString(y));
        }
        int[] lead = broadcast(Arrays.copyOf(x, x.length - 2), Arrays.copyOf(y, y.length - 2));
        int[] out = Arrays.copyOf(lead, lead.length + 2);
        out[lead.length] = x[x.length - 2];
        out[lead.length + 1] = y[y.length - 1];
        return out;
    }

    private static int[] permutation(int[] perm, int rank) {
        if (perm == null || perm.length != rank) {
            throw new IllegalArgumentException("attribute perm must hold " + rank + " axes, got "
                    + (perm == null ? "nothing" : Arrays.toString(perm)));
        }
        boolean[] seen = new boolean[rank];
        for (int p : perm) {
            if (p < 0 || p >= rank || seen[p]) {
                throw new IllegalArgumentException("perm " + Arrays.toString(perm) + " is not a permutation of 0.." + (rank - 1));
            }
            seen[p] = true;
        }
        return perm;
    }

    private static int axis(int axis, int rank) {
        int ax = axis < 0 ? axis + rank : axis;
        if (ax < 0 || ax >= rank) {
            throw new IllegalArgumentException("axis " + axis + " outside rank " + rank);
        }
        return ax;
    }

    /** Which axes a reduction reduces: attr axes (normalized, distinct), or every axis when absent. */
    public static boolean[] reducedAxes(int[] axes, int rank) {
        boolean[] r = new boolean[rank];
        if (axes == null) {
            Arrays.fill(r, true);
            return r;
        }
        for (int ax : axes) {
            int d = axis(ax, rank);
            if (r[d]) {
                throw new IllegalArgumentException("axes " + Arrays.toString(axes) + " name axis " + d + " twice");
            }
            r[d] = true;
        }
        return r;
    }

    private static int[] slice(int[] x, Attributes a) {
        int[] st = a.getInts("starts", null);
        int[] en = a.getInts("ends", null);
        int[] sp = a.getInts("steps", null);
        if (st == null || en == null || sp == null || st.length != x.length || en.length != x.length || sp.length != x.length) {
            throw new IllegalArgumentException("attributes starts, ends and steps must hold one value per axis (" + x.length + ")");
        }
        int[] out = new int[x.length];
        for (int d = 0; d < x.length; d++) {
            long len;
            if (sp[d] > 0) {
                if (st[d] < 0 || st[d] > x[d] || en[d] < 0 || en[d] > x[d]) {
                    throw new IllegalArgumentException("axis " + d + ": start " + st[d] + " and end " + en[d] + " must be in [0, "
                            + x[d] + "]");
                }
                len = en[d] > st[d] ? ((long) en[d] - st[d] + sp[d] - 1) / sp[d] : 0;
            } else if (sp[d] < 0) {
                if (st[d] < 0 || st[d] >= x[d] || en[d] < -1 || en[d] >= x[d]) {
                    throw new IllegalArgumentException("axis " + d + ": with a negative step, start " + st[d] + " must be in [0, "
                            + (x[d] - 1) + "] and end " + en[d] + " in [-1, " + (x[d] - 1) + "]");
                }
                len = st[d] > en[d] ? ((long) st[d] - en[d] - sp[d] - 1) / -(long) sp[d] : 0;
            } else {
                throw new IllegalArgumentException("axis " + d + ": step 0");
            }
            if (len < 1) {
                throw new IllegalArgumentException("axis " + d + " would be empty (start " + st[d] + ", end " + en[d] + ", step "
                        + sp[d] + "); empty values are not supported");
            }
            out[d] = (int) len;
        }
        return out;
    }

    private static void oneOf(Attributes a, String key, String dflt, String... allowed) {
        String v = a.getString(key, dflt);
        for (String s : allowed) {
            if (s.equals(v)) {
                return;
            }
        }
        throw new IllegalArgumentException("attribute " + key + " must be one of " + Arrays.toString(allowed) + ", got '" + v + "'");
    }

    /** Output size along one spatial axis, with TensorFlow's SAME/VALID rules. */
    public static int outSize(int in, int k, int stride, Padding p) {
        if (p == Padding.EXPLICIT) {
            throw new IllegalArgumentException("explicit padding has no size rule without its pads");
        }
        if (p == Padding.SAME) {
            return (in + stride - 1) / stride;
        }
        if (k > in) {
            throw new IllegalArgumentException("window " + k + " larger than input " + in + " with valid padding");
        }
        return (in - k) / stride + 1;
    }

    /** Padding before the first element along one axis (TensorFlow: the smaller half). */
    public static int padBefore(int in, int k, int stride, Padding p) {
        if (p == Padding.VALID || p == Padding.EXPLICIT) {
            return 0;
        }
        int out = (in + stride - 1) / stride;
        int total = Math.max((out - 1) * stride + k - in, 0);
        return total / 2;
    }

    /** An optional float attribute must be finite (a NaN or infinite alpha would make every output NaN or 0/1). */
    private static void finite(Attributes a, String key, OpType op) {
        if (a.has(key) && !Float.isFinite(a.getFloat(key, 0f))) {
            throw new IllegalArgumentException("attribute " + key + " of " + op.id() + " must be finite, got "
                    + a.getFloat(key, 0f));
        }
    }

    private static void arity(Node n, int min, int max) {
        int k = n.inputs().size();
        if (k < min || k > max) {
            throw new IllegalArgumentException("expects " + (min == max ? "" + min : min + " to " + max) + " inputs, got " + k);
        }
    }

    private static int[] activation(Node n, int i, Map<String, int[]> shapes) {
        int[] s = shapes.get(n.input(i));
        if (s == null) {
            throw new IllegalArgumentException("input " + i + " '" + n.input(i) + "' must be an activation, not a constant tensor");
        }
        return s;
    }

    private static int[] image(Node n, Map<String, int[]> shapes) {
        int[] x = activation(n, 0, shapes);
        if (x.length != 3) {
            throw new IllegalArgumentException("input '" + n.input(0) + "' must be an image [h, w, c] per sample, got "
                    + Arrays.toString(x));
        }
        return x;
    }

    private static Tensor weight(ModelDef def, Node n, int i, int rank) {
        Tensor w = def.tensor(n.input(i));
        if (w == null) {
            throw new IllegalArgumentException("input " + i + " '" + n.input(i) + "' must be a constant tensor");
        }
        if (w.rank() != rank) {
            throw new IllegalArgumentException("weights '" + w.name() + "' must have rank " + rank + ", got "
                    + Arrays.toString(w.shape()));
        }
        if (w.dtype() != DType.FLOAT32 && w.dtype() != DType.INT8) {
            throw new IllegalArgumentException("weights '" + w.name() + "' are " + w.dtype().id()
                    + ", expected float32 or int8");
        }
        for (int d = 0; d < rank; d++) {
            if (w.dim(d) < 1) {
                throw new IllegalArgumentException("weights '" + w.name() + "' have an empty dimension: " + Arrays.toString(w.shape()));
            }
        }
        return w;
    }

    private static void bias(ModelDef def, Node n, int i, int size) {
        if (n.inputs().size() <= i) {
            return;
        }
        Tensor b = def.tensor(n.input(i));
        if (b == null) {
            throw new IllegalArgumentException("bias '" + n.input(i) + "' must be a constant tensor");
        }
        if (b.rank() != 1 || b.dim(0) != size) {
            throw new IllegalArgumentException("bias '" + b.name() + "' must have shape [" + size + "], got "
                    + Arrays.toString(b.shape()));
        }
        if (b.dtype() != DType.FLOAT32 && b.dtype() != DType.INT32) {
            throw new IllegalArgumentException("bias '" + b.name() + "' is " + b.dtype().id() + ", expected float32 or int32");
        }
    }

    private static int[] strides(Attributes a) {
        int[] st = a.getInts("strides", new int[] {1, 1});
        if (st.length != 2 || st[0] < 1 || st[1] < 1) {
            throw new IllegalArgumentException("attribute strides must be [sh, sw] >= 1, got " + Arrays.toString(st));
        }
        return st;
    }

    private static Padding padding(Attributes a) {
        return Padding.parse(a.getString("padding", "valid"));
    }

    private static void activationAttr(Attributes a) {
        Activation.parse(a.getString("activation", "none"));
    }
}
