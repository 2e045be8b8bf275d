package dev.tern.compress.onnx;

import dev.tern.compress.BadInputException;
import dev.tern.compress.onnx.proto.Onnx.AttributeProto;
import dev.tern.compress.onnx.proto.Onnx.NodeProto;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * Constant folding at import: a node whose inputs are all constants is evaluated here (the
 * Shape/Gather/Unsqueeze/Concat/Cast/ConstantOfShape chains that exporters write for reshapes,
 * weights behind a DequantizeLinear, arithmetic on constants), with numpy broadcasting.
 */
final class OnnxFold {
    private OnnxFold() {
    }

    private static final Set<String> FOLDABLE = Set.of("Cast", "Gather", "Unsqueeze", "Squeeze", "Concat", "ConstantOfShape",
            "Reshape", "Slice", "Add", "Sub", "Mul", "Div", "Range", "Equal", "Where", "Expand", "Transpose", "Flatten", "Sqrt",
            "Neg", "Abs", "Reciprocal", "Exp", "Log", "Relu", "Sigmoid", "Tanh", "Max", "Min", "Sum", "DequantizeLinear",
            "Identity", "Dropout");

    static boolean canFold(String op) {
        return FOLDABLE.contains(op);
    }

    static AttributeProto attr(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        return null;
    }

    static long attrInt(NodeProto n, String name, long dflt) {
        AttributeProto a = attr(n, name);
        return a == null ? dflt : a.getI();
    }

    /** An ints attribute (clamped to the int range: a value beyond it is out of range anyway), or null. */
    static int[] attrInts(NodeProto n, String name) {
        AttributeProto a = attr(n, name);
        if (a == null) {
            return null;
        }
        int[] r = new int[a.getIntsCount()];
        for (int i = 0; i < r.length; i++) {
            r[i] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, a.getInts(i)));
        }
        return r;
    }

    private static OnnxConst in(NodeProto n, int i, Map<String, OnnxConst> c) {
        return i < n.getInputCount() && !n.getInput(i).isEmpty() ? c.get(n.getInput(i)) : null;
    }

    static void fold(NodeProto n, int opset, Map<String, OnnxConst> c) {
        OnnxConst x = in(n, 0, c);
        OnnxConst r;
        String op = n.getOpType();
        switch (op) {
            case "Identity":
            case "Dropout":
                r = x;
                break;
            case "Cast":
                r = x.cast((int) attrInt(n, "to", OnnxConst.FLOAT));
                break;
            case "Reshape":
                r = x.reshape(reshapeTarget(x.shape, in(n, 1, c).longs(), attrInt(n, "allowzero", 0) != 0));
                break;
            case "Flatten": {
                int ax = (int) attrInt(n, "axis", 1);
                ax = ax < 0 ? ax + x.shape.length : ax;
                long outer = 1;
                for (int d = 0; d < ax; d++) {
                    outer *= x.shape[d];
                }
                r = x.reshape(new int[] {(int) outer, (int) (x.size() / Math.max(outer, 1))});
                break;
            }
            case "Unsqueeze":
            case "Squeeze": {
                int[] axes = opset >= 13 && n.getInputCount() > 1 ? in(n, 1, c).ints("axes") : attrInts(n, "axes");
                r = x.reshape(op.equals("Squeeze") ? squeeze(x.shape, axes) : unsqueeze(x.shape, axes));
                break;
            }
            case "ConstantOfShape": {
                int[] shape = x.ints("shape");
                AttributeProto v = attr(n, "value");
                OnnxConst val = v == null ? OnnxConst.scalar(OnnxConst.FLOAT, 0) : OnnxConst.of(v.getT(), "value");
                long count = OnnxConst.count(shape);
                if (count > (1 << 28) || count < 0) {
                    throw new BadInputException("ConstantOfShape of " + Arrays.toString(shape) + " is too large");
                }
                double[] d = new double[(int) count];
                Arrays.fill(d, val.v[0]);
                r = new OnnxConst(shape, val.dtype, d);
                break;
            }
            case "Concat": {
                int rank = x.shape.length;
                int ax = (int) attrInt(n, "axis", 0);
                ax = ax < 0 ? ax + rank : ax;
                int[] shape = x.shape.clone();
                shape[ax] = 0;
                for (int i = 0; i < n.getInputCount(); i++) {
                    shape[ax] += in(n, i, c).shape[ax];
                }
                long outer = 1;
                for (int d = 0; d < ax; d++) {
                    outer *= shape[d];
                }
                double[] d = new double[(int) OnnxConst.count(shape)];
                int k = 0;
                for (long o = 0; o < outer; o++) {
                    for (int i = 0; i < n.getInputCount(); i++) {
                        OnnxConst t = in(n, i, c);
                        int block = (int) (t.size() / Math.max(outer, 1));
                        System.arraycopy(t.v, (int) (o * block), d, k, block);
                        k += block;
                    }
                }
                r = new OnnxConst(shape, x.dtype, d);
                break;
            }
            case "Gather": {
                OnnxConst idx = in(n, 1, c);
                int rank = x.shape.length;
                int ax = (int) attrInt(n, "axis", 0);
                ax = ax < 0 ? ax + rank : ax;
                int[] shape = new int[rank - 1 + idx.shape.length];
                int k = 0;
                for (int d = 0; d < ax; d++) {
                    shape[k++] = x.shape[d];
                }
                for (int d : idx.shape) {
                    shape[k++] = d;
                }
                for (int d = ax + 1; d < rank; d++) {
                    shape[k++] = x.shape[d];
                }
                long outer = 1;
                long inner = 1;
                for (int d = 0; d < ax; d++) {
                    outer *= x.shape[d];
                }
                for (int d = ax + 1; d < rank; d++) {
                    inner *= x.shape[d];
                }
                double[] d = new double[(int) OnnxConst.count(shape)];
                int p = 0;
                for (long o = 0; o < outer; o++) {
                    for (int j = 0; j < idx.size(); j++) {
                        int i = (int) idx.v[j];
                        i = i < 0 ? i + x.shape[ax] : i;
                        if (i < 0 || i >= x.shape[ax]) {
                            throw new BadInputException("index " + (long) idx.v[j] + " outside axis " + ax + " of size " + x.shape[ax]);
                        }
                        for (long q = 0; q < inner; q++) {
                            d[p++] = x.v[(int) ((o * x.shape[ax] + i) * inner + q)];
                        }
                    }
                }
                r = new OnnxConst(shape, x.dtype, d);
                break;
            }
            case "Slice": {
                long[] starts;
                long[] ends;
                long[] axes;
                long[] steps = null;
                if (opset < 10) {
                    starts = longs(attrInts(n, "starts"));
                    ends = longs(attrInts(n, "ends"));
                    axes = longs(attrInts(n, "axes"));
                } else {
                    starts = in(n, 1, c).longs();
                    ends = in(n, 2, c).longs();
                    axes = in(n, 3, c) == null ? null : in(n, 3, c).longs();
                    steps = in(n, 4, c) == null ? null : in(n, 4, c).longs();
                }
                int[][] b = sliceBounds(x.shape, starts, ends, axes, steps, true);
                r = gatherBox(x, b);
                break;
            }
            case "Transpose": {
                int rank = x.shape.length;
                int[] perm = attrInts(n, "perm");
                if (perm == null) {
                    perm = new int[rank];
                    for (int d = 0; d < rank; d++) {
                        perm[d] = rank - 1 - d;
                    }
                }
                int[] shape = new int[rank];
                int[] st = strides(x.shape);
                int[] pst = new int[rank];
                for (int d = 0; d < rank; d++) {
                    shape[d] = x.shape[perm[d]];
                    pst[d] = st[perm[d]];
                }
                r = new OnnxConst(shape, x.dtype, walk(x.v, shape, pst, 0));
                break;
            }
            case "Range": {
                double start = x.v[0];
                double limit = in(n, 1, c).v[0];
                double delta = in(n, 2, c).v[0];
                long count = (long) Math.max(Math.ceil((limit - start) / delta), 0);
                if (count > (1 << 24)) {
                    throw new BadInputException("Range of " + count + " elements is too large");
                }
                double[] d = new double[(int) count];
                for (int i = 0; i < count; i++) {
                    d[i] = start + i * delta;
                }
                r = new OnnxConst(new int[] {(int) count}, x.dtype, d);
                break;
            }
            case "Expand": {
                int[] target = in(n, 1, c).ints("shape");
                int[] shape = broadcast(x.shape, target);
                r = binary(x, new OnnxConst(shape, x.dtype, new double[(int) OnnxConst.count(shape)]), "Add");
                break;
            }
            case "Where": {
                OnnxConst a = in(n, 1, c);
                OnnxConst b = in(n, 2, c);
                int[] shape = broadcast(broadcast(x.shape, a.shape), b.shape);
                double[] xc = expand(x, shape);
                double[] ac = expand(a, shape);
                double[] bc = expand(b, shape);
                double[] d = new double[xc.length];
                for (int i = 0; i < d.length; i++) {
                    d[i] = xc[i] != 0 ? ac[i] : bc[i];
                }
                r = new OnnxConst(shape, a.dtype, d);
                break;
            }
            case "DequantizeLinear": {
                OnnxConst scale = in(n, 1, c);
                OnnxConst zp = in(n, 2, c);
                int ax = (int) attrInt(n, "axis", 1);
                double[] d = new double[x.size()];
                int rank = x.shape.length;
                ax = ax < 0 ? ax + rank : ax;
                long inner = 1;
                for (int k = ax + 1; k < rank; k++) {
                    inner *= x.shape[k];
                }
                for (int i = 0; i < d.length; i++) {
                    int ch = scale.size() == 1 ? 0 : (int) ((i / inner) % x.shape[ax]);
                    double z = zp == null ? 0 : zp.v[zp.size() == 1 ? 0 : ch];
                    d[i] = (float) ((x.v[i] - z) * (float) scale.v[ch]);
                }
                r = new OnnxConst(x.shape, OnnxConst.FLOAT, d);
                break;
            }
            case "Sqrt": case "Neg": case "Abs": case "Reciprocal": case "Exp": case "Log": case "Relu": case "Sigmoid": case "Tanh": {
                double[] d = new double[x.size()];
                for (int i = 0; i < d.length; i++) {
                    double v = x.v[i];
                    switch (op) {
                        case "Sqrt": v = Math.sqrt(v); break;
                        case "Neg": v = -v; break;
                        case "Abs": v = Math.abs(v); break;
                        case "Reciprocal": v = 1 / v; break;
                        case "Exp": v = Math.exp(v); break;
                        case "Log": v = Math.log(v); break;
                        case "Relu": v = Math.max(v, 0); break;
                        case "Sigmoid": v = 1 / (1 + Math.exp(-v)); break;
                        default: v = Math.tanh(v); break;
                    }
                    d[i] = x.isFloat() && x.dtype == OnnxConst.FLOAT ? (float) v : v;
                }
                r = new OnnxConst(x.shape, x.dtype, d);
                break;
            }
            default: {
                // Add, Sub, Mul, Div, Equal, Max, Min, Sum (variadic: left to right)
                r = x;
                for (int i = 1; i < n.getInputCount(); i++) {
                    r = binary(r, in(n, i, c), op.equals("Sum") ? "Add" : op);
                }
                break;
            }
        }
        if (n.getOutputCount() > 0) {
            c.put(n.getOutput(0), r);
        }
    }

    private static long[] longs(int[] a) {
        if (a == null) {
            return null;
        }
        long[] l = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            l[i] = a[i];
        }
        return l;
    }

    static int[] strides(int[] shape) {
        int[] st = new int[shape.length];
        int s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            st[d] = s;
            s *= shape[d];
        }
        return st;
    }

    static double[] walk(double[] src, int[] shape, int[] st, int base) {
        int n = (int) OnnxConst.count(shape);
        double[] out = new double[n];
        int r = shape.length;
        int[] coord = new int[r];
        int off = base;
        for (int i = 0; i < n; i++) {
            out[i] = src[off];
            for (int d = r - 1; d >= 0; d--) {
                coord[d]++;
                off += st[d];
                if (coord[d] < shape[d]) {
                    break;
                }
                off -= st[d] * coord[d];
                coord[d] = 0;
            }
        }
        return out;
    }

    static int[] broadcast(int[] x, int[] y) {
        try {
            return dev.tern.runtime.model.ShapeInference.broadcast(x, y);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage());
        }
    }

    static double[] expand(OnnxConst x, int[] shape) {
        int r = shape.length;
        int[] st = strides(x.shape);
        int[] bst = new int[r];
        for (int d = 0; d < r; d++) {
            int od = d - (r - x.shape.length);
            bst[d] = od < 0 || x.shape[od] == 1 ? 0 : st[od];
        }
        return walk(x.v, shape, bst, 0);
    }

    static OnnxConst binary(OnnxConst a, OnnxConst b, String op) {
        int[] shape = broadcast(a.shape, b.shape);
        double[] x = expand(a, shape);
        double[] y = expand(b, shape);
        double[] d = new double[x.length];
        boolean f32 = a.dtype == OnnxConst.FLOAT;
        boolean integer = !a.isFloat();
        for (int i = 0; i < d.length; i++) {
            double v;
            switch (op) {
                case "Add": v = x[i] + y[i]; break;
                case "Sub": v = x[i] - y[i]; break;
                case "Mul": v = x[i] * y[i]; break;
                case "Div":
                    if (integer) {
                        if (y[i] == 0) {
                            throw new BadInputException("integer division by zero in a constant expression");
                        }
                        double q = x[i] / y[i];
                        v = q < 0 ? Math.ceil(q) : Math.floor(q);
                    } else {
                        v = x[i] / y[i];
                    }
                    break;
                case "Equal": v = x[i] == y[i] ? 1 : 0; break;
                case "Max": v = Math.max(x[i], y[i]); break;
                case "Min": v = Math.min(x[i], y[i]); break;
                default: throw new BadInputException("cannot fold " + op);
            }
            d[i] = f32 ? (float) v : v;
        }
        return new OnnxConst(shape, op.equals("Equal") ? OnnxConst.BOOL : a.dtype, d);
    }

    static OnnxConst gatherBox(OnnxConst x, int[][] b) {
        int rank = x.shape.length;
        int[] shape = new int[rank];
        int[] st = strides(x.shape);
        int[] pst = new int[rank];
        int base = 0;
        for (int d = 0; d < rank; d++) {
            int len = b[2][d] > 0 ? Math.max(0, (b[1][d] - b[0][d] + b[2][d] - 1) / b[2][d])
                    : Math.max(0, (b[0][d] - b[1][d] - b[2][d] - 1) / -b[2][d]);
            shape[d] = len;
            pst[d] = st[d] * b[2][d];
            base += b[0][d] * st[d];
        }
        if (OnnxConst.count(shape) == 0) {
            return new OnnxConst(shape, x.dtype, new double[0]);
        }
        return new OnnxConst(shape, x.dtype, walk(x.v, shape, pst, base));
    }

    /** ONNX Reshape's target: 0 copies the input's dimension (unless allowzero), -1 takes the rest. */
    static int[] reshapeTarget(int[] in, long[] target, boolean allowZero) {
        int[] out = new int[target.length];
        long known = 1;
        int unknown = -1;
        for (int i = 0; i < target.length; i++) {
            long t = target[i];
            if (t == 0 && !allowZero) {
                if (i >= in.length) {
                    throw new BadInputException("target " + Arrays.toString(target) + " copies axis " + i + " of " + Arrays.toString(in)
                            + ", which it does not have");
                }
                out[i] = in[i];
            } else if (t == -1) {
                if (unknown >= 0) {
                    throw new BadInputException("target " + Arrays.toString(target) + " has more than one -1");
                }
                unknown = i;
                continue;
            } else if (t < 1 || t > Integer.MAX_VALUE) {
                throw new BadInputException("target " + Arrays.toString(target) + " has dimension " + t);
            } else {
                out[i] = (int) t;
            }
            known *= out[i];
        }
        long total = OnnxConst.count(in);
        if (unknown >= 0) {
            if (known == 0 || total % known != 0) {
                throw new BadInputException("cannot reshape " + Arrays.toString(in) + " to " + Arrays.toString(target));
            }
            out[unknown] = (int) (total / known);
        } else if (known != total) {
            throw new BadInputException("cannot reshape " + Arrays.toString(in) + " (" + total + " values) to " + Arrays.toString(target));
        }
        return out;
    }

    static int[] squeeze(int[] in, int[] axes) {
        boolean[] drop = new boolean[in.length];
        if (axes == null) {
            for (int d = 0; d < in.length; d++) {
                drop[d] = in[d] == 1;
            }
        } else {
            for (int a : axes) {
                int d = a < 0 ? a + in.length : a;
                if (d < 0 || d >= in.length || in[d] != 1) {
                    throw new BadInputException("cannot squeeze axis " + a + " of " + Arrays.toString(in));
                }
                drop[d] = true;
            }
        }
        int k = 0;
        int[] out = new int[in.length];
        for (int d = 0; d < in.length; d++) {
            if (!drop[d]) {
                out[k++] = in[d];
            }
        }
        return Arrays.copyOf(out, k);
    }

    static int[] unsqueeze(int[] in, int[] axes) {
        if (axes == null) {
            throw new BadInputException("axes are missing");
        }
        int r = in.length + axes.length;
        boolean[] added = new boolean[r];
        for (int a : axes) {
            int d = a < 0 ? a + r : a;
            if (d < 0 || d >= r || added[d]) {
                throw new BadInputException("axes " + Arrays.toString(axes) + " do not fit rank " + r);
            }
            added[d] = true;
        }
        int[] out = new int[r];
        for (int d = 0, k = 0; d < r; d++) {
            out[d] = added[d] ? 1 : in[k++];
        }
        return out;
    }

    static int[][] sliceBounds(int[] shape, long[] starts, long[] ends, long[] axes, long[] steps) {
        return sliceBounds(shape, starts, ends, axes, steps, false);
    }

    /** ONNX Slice's bounds, clamped as ONNX says, per axis: {starts, ends, steps}. */
    static int[][] sliceBounds(int[] shape, long[] starts, long[] ends, long[] axes, long[] steps, boolean allowEmpty) {
        int rank = shape.length;
        if (starts == null || ends == null || starts.length != ends.length) {
            throw new BadInputException("starts and ends must have one length");
        }
        int[] st = new int[rank];
        int[] en = shape.clone();
        int[] sp = new int[rank];
        Arrays.fill(sp, 1);
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < starts.length; i++) {
            int ax = axes == null ? i : (int) (axes[i] < 0 ? axes[i] + rank : axes[i]);
            if (ax < 0 || ax >= rank || seen[ax]) {
                throw new BadInputException("axes " + Arrays.toString(axes) + " do not fit rank " + rank);
            }
            seen[ax] = true;
            long step = steps == null ? 1 : steps[i];
            if (step == 0) {
                throw new BadInputException("step 0 on axis " + ax);
            }
            long dim = shape[ax];
            long s = starts[i] < 0 ? starts[i] + dim : starts[i];
            long e = ends[i] < 0 ? ends[i] + dim : ends[i];
            if (step > 0) {
                s = Math.max(0, Math.min(dim, s));
                e = Math.max(0, Math.min(dim, e));
            } else {
                s = Math.max(0, Math.min(dim - 1, s));
                e = Math.max(-1, Math.min(dim - 1, e));
            }
            st[ax] = (int) s;
            en[ax] = (int) e;
            sp[ax] = (int) Math.max(Integer.MIN_VALUE + 1, Math.min(Integer.MAX_VALUE, step));
        }
        return new int[][] {st, en, sp};
    }
}
