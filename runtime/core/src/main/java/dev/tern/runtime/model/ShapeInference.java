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
                int[] st = strides(a);
                Padding p = padding(a);
                return new int[] {outSize(x[0], w.dim(1), st[0], p), outSize(x[1], w.dim(2), st[1], p), w.dim(0)};
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
                int[] st = strides(a);
                Padding p = padding(a);
                return new int[] {outSize(x[0], w.dim(0), st[0], p), outSize(x[1], w.dim(1), st[1], p), w.dim(2)};
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
                int[] st = strides(a);
                Padding p = padding(a);
                return new int[] {outSize(x[0], win[0], st[0], p), outSize(x[1], win[1], st[1], p), x[2]};
            }
            case GLOBAL_AVG_POOL:
            case GLOBAL_MAX_POOL: {
                arity(n, 1, 1);
                int[] x = image(n, shapes);
                return new int[] {x[2]};
            }
            case ADD: {
                arity(n, 2, 2);
                int[] x = activation(n, 0, shapes);
                int[] y = activation(n, 1, shapes);
                if (!Arrays.equals(x, y)) {
                    throw new IllegalArgumentException("operands must have one shape, got " + Arrays.toString(x) + " and "
                            + Arrays.toString(y));
                }
                activationAttr(a);
                return x;
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

    /** Output size along one spatial axis, with TensorFlow's SAME/VALID rules. */
    public static int outSize(int in, int k, int stride, Padding p) {
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
        if (p == Padding.VALID) {
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
