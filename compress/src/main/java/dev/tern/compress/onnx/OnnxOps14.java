package dev.tern.compress.onnx;

import dev.tern.compress.onnx.OnnxValues.Val;
import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The ONNX nodes of the ops of format 1.4 (the ops ONNX import brings; float32 only): each
 * computes in Tern's own axis order (the batch axis first), except resize and the transposed
 * convolution, which take NCHW as ONNX defines them. Constant operands become initializers.
 */
final class OnnxOps14 {
    private final ModelDef def;
    private final OnnxGraph g;
    private final OnnxValues values;

    OnnxOps14(ModelDef def, OnnxGraph g, OnnxValues values) {
        this.def = def;
        this.g = g;
        this.values = values;
    }

    static boolean handles(Node n, ModelDef def) {
        if (n.op().code() >= OpType.TRANSPOSE.code()) {
            return true;
        }
        return n.op() == OpType.ADD && (def.tensor(n.input(0)) != null || def.tensor(n.input(1)) != null
                || !Arrays.equals(def.shapeOf(n.input(0)), def.shapeOf(n.input(1))));
    }

    /** An operand in Tern order: an activation (float32) or a constant as an initializer. */
    private String operand(Node n, int i) {
        Tensor t = def.tensor(n.input(i));
        if (t != null) {
            return g.floats(n.name() + "/" + i, t.shape(), t.floats());
        }
        String x = values.floatOf(values.val(n.input(i)), false);
        // Tern broadcasts two activations sample by sample; ONNX aligns axes from the end, so an
        // activation of lower rank gets ones after its batch axis (or its batch would meet another axis)
        int rank = def.shapeOf(n.input(i)).length;
        int max = rank;
        for (String in : n.inputs()) {
            if (def.shapeOf(in) != null) {
                max = Math.max(max, def.shapeOf(in).length);
            }
        }
        if (rank < max) {
            long[] axes = new long[max - rank];
            for (int k = 0; k < axes.length; k++) {
                axes[k] = k + 1;
            }
            x = g.node("Unsqueeze", n.name() + "/align" + i, List.of(x, g.int64s(n.name() + "/align" + i, new int[] {axes.length}, axes)),
                    g.fresh(n.output() + "/aligned" + i));
        }
        return x;
    }

    private static int[] plusOne(int[] axes) {
        int[] r = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            r[i] = axes[i] < 0 ? axes[i] : axes[i] + 1;
        }
        return r;
    }

    private static long[] batchFirst(int[] v, long batch) {
        long[] r = new long[v.length + 1];
        r[0] = batch;
        for (int i = 0; i < v.length; i++) {
            r[i + 1] = v[i];
        }
        return r;
    }

    void emit(Node n) {
        Attributes a = n.attributes();
        String out = g.fresh(n.output() + "/" + n.op().id());
        String y;
        switch (n.op()) {
            case TRANSPOSE: {
                int[] perm = a.getInts("perm", null);
                int[] p = new int[perm.length + 1];
                for (int i = 0; i < perm.length; i++) {
                    p[i + 1] = perm[i] + 1;
                }
                y = g.node("Transpose", n.name(), List.of(operand(n, 0)), out, OnnxGraph.attr("perm", p));
                break;
            }
            case ADD:
            case MUL:
            case SUB:
            case DIV:
            case MAX:
            case MIN:
            case PRELU: {
                String op = n.op() == OpType.PRELU ? "PRelu" : n.op().id().substring(0, 1).toUpperCase() + n.op().id().substring(1);
                y = g.node(op, n.name(), List.of(operand(n, 0), operand(n, 1)), out);
                String act = a.getString("activation", "none");
                if (act.equals("relu")) {
                    y = g.node("Relu", n.name() + "/relu", List.of(y), g.fresh(n.output() + "/relu"));
                } else if (act.equals("relu6")) {
                    y = g.node("Clip", n.name() + "/relu6", List.of(y, g.scalar(0f), g.scalar(6f)), g.fresh(n.output() + "/relu6"));
                }
                break;
            }
            case TANH: case EXP: case LOG: case NEG: case ABS: case SQRT: case RECIPROCAL: {
                String id = n.op().id();
                y = g.node(id.substring(0, 1).toUpperCase() + id.substring(1), n.name(), List.of(operand(n, 0)), out);
                break;
            }
            case LEAKY_RELU:
                y = g.node("LeakyRelu", n.name(), List.of(operand(n, 0)), out, OnnxGraph.attr("alpha", a.getFloat("alpha", 0.01f)));
                break;
            case ELU:
                y = g.node("Elu", n.name(), List.of(operand(n, 0)), out, OnnxGraph.attr("alpha", a.getFloat("alpha", 1f)));
                break;
            case CLIP: {
                float lo = a.getFloat("min", Float.NEGATIVE_INFINITY);
                float hi = a.getFloat("max", Float.POSITIVE_INFINITY);
                y = g.node("Clip", n.name(), List.of(operand(n, 0), Float.isInfinite(lo) ? "" : g.scalar(lo),
                        Float.isInfinite(hi) ? "" : g.scalar(hi)), out);
                break;
            }
            case LOG_SOFTMAX: {
                int r = def.shapeOf(n.input(0)).length;
                int ax = a.getInt("axis", -1);
                y = g.node("LogSoftmax", n.name(), List.of(operand(n, 0)), out, OnnxGraph.attr("axis", (long) (ax < 0 ? ax + r + 1 : ax + 1)));
                break;
            }
            case REDUCE_MEAN: case REDUCE_MAX: case REDUCE_MIN: case REDUCE_SUM: {
                int r = def.shapeOf(n.input(0)).length;
                int[] axes = a.getInts("axes", null);
                if (axes == null) {
                    axes = new int[r];
                    for (int i = 0; i < r; i++) {
                        axes[i] = i;
                    }
                }
                int[] ox = plusOne(axes);
                long keep = a.getInt("keepdims", 1);
                String op = n.op() == OpType.REDUCE_MEAN ? "ReduceMean" : n.op() == OpType.REDUCE_MAX ? "ReduceMax"
                        : n.op() == OpType.REDUCE_MIN ? "ReduceMin" : "ReduceSum";
                if (n.op() == OpType.REDUCE_SUM) {
                    long[] l = new long[ox.length];
                    for (int i = 0; i < l.length; i++) {
                        l[i] = ox[i];
                    }
                    y = g.node(op, n.name(), List.of(operand(n, 0), g.int64s(n.name() + "/axes", new int[] {l.length}, l)), out,
                            OnnxGraph.attr("keepdims", keep));
                } else {
                    y = g.node(op, n.name(), List.of(operand(n, 0)), out, OnnxGraph.attr("axes", ox), OnnxGraph.attr("keepdims", keep));
                }
                break;
            }
            case SLICE: {
                int[] st = a.getInts("starts", null);
                int[] en = a.getInts("ends", null);
                int[] sp = a.getInts("steps", null);
                int r = st.length;
                long[] s = new long[r];
                long[] e = new long[r];
                long[] p = new long[r];
                long[] ax = new long[r];
                for (int i = 0; i < r; i++) {
                    s[i] = st[i];
                    // Tern's end -1 with a negative step is "before the first"; ONNX reads -1 as the last element
                    e[i] = sp[i] < 0 && en[i] == -1 ? Long.MIN_VALUE : en[i];
                    p[i] = sp[i];
                    ax[i] = i + 1;
                }
                int[] d = {r};
                y = g.node("Slice", n.name(), List.of(operand(n, 0), g.int64s(n.name() + "/starts", d, s), g.int64s(n.name() + "/ends", d, e),
                        g.int64s(n.name() + "/axes", d, ax), g.int64s(n.name() + "/steps", d, p)), out);
                break;
            }
            case PAD: {
                int[] pads = a.getInts("pads", null);
                int r = pads.length / 2;
                long[] p = new long[2 * (r + 1)];
                for (int i = 0; i < r; i++) {
                    p[i + 1] = pads[i];
                    p[r + 2 + i] = pads[r + i];
                }
                String mode = a.getString("mode", "constant");
                List<String> ins = new ArrayList<>(List.of(operand(n, 0), g.int64s(n.name() + "/pads", new int[] {p.length}, p)));
                if (mode.equals("constant")) {
                    ins.add(g.scalar(a.getFloat("value", 0f)));
                }
                y = g.node("Pad", n.name(), ins, out, OnnxGraph.attrString("mode", mode));
                break;
            }
            case MATMUL:
                y = g.node("MatMul", n.name(), List.of(operand(n, 0), operand(n, 1)), out);
                break;
            case RESIZE: {
                Val x = values.val(n.input(0));
                String xn = values.floatOf(x, true);
                int[] size = a.getInts("size", null);
                String shape = g.node("Shape", n.name() + "/shape", List.of(xn), g.fresh(n.output() + "/shape"));
                String nc = g.node("Slice", n.name() + "/nc", List.of(shape, g.int64s(n.name() + "/s0", new int[] {1}, new long[] {0}),
                        g.int64s(n.name() + "/s2", new int[] {1}, new long[] {2})), g.fresh(n.output() + "/nc"));
                String sizes = g.node("Concat", n.name() + "/sizes", List.of(nc, g.int64s(n.name() + "/hw", new int[] {2},
                        new long[] {size[0], size[1]})), g.fresh(n.output() + "/sizes"), OnnxGraph.attr("axis", 0L));
                List<dev.tern.compress.onnx.proto.Onnx.AttributeProto> attrs = new ArrayList<>(List.of(
                        OnnxGraph.attrString("mode", a.getString("mode", "nearest")),
                        OnnxGraph.attrString("coordinate_transformation_mode", a.getString("coordinate", "half_pixel")),
                        OnnxGraph.attrString("nearest_mode", a.getString("nearest", "round_prefer_floor"))));
                y = g.node("Resize", n.name(), List.of(xn, "", "", sizes), out,
                        attrs.toArray(new dev.tern.compress.onnx.proto.Onnx.AttributeProto[0]));
                values.putFloat(n, y, true);
                return;
            }
            case CONV_TRANSPOSE: {
                Val x = values.val(n.input(0));
                Tensor w = def.tensor(n.input(1));
                int[] s = w.shape(); // [cout, kh, kw, cin]
                float[] wf = w.floats();
                float[] t = new float[wf.length]; // ONNX [cin, cout, kh, kw]
                for (int o = 0; o < s[0]; o++) {
                    for (int ky = 0; ky < s[1]; ky++) {
                        for (int kx = 0; kx < s[2]; kx++) {
                            for (int i = 0; i < s[3]; i++) {
                                t[((i * s[0] + o) * s[1] + ky) * s[2] + kx] = wf[((o * s[1] + ky) * s[2] + kx) * s[3] + i];
                            }
                        }
                    }
                }
                List<String> ins = new ArrayList<>(List.of(values.floatOf(x, true), g.floats(n.name() + "/w", new int[] {s[3], s[0], s[1], s[2]}, t)));
                if (n.inputs().size() > 2) {
                    Tensor b = def.tensor(n.input(2));
                    ins.add(g.floats(n.name() + "/b", b.shape(), b.floats()));
                }
                y = g.node("ConvTranspose", n.name(), ins, out, OnnxGraph.attr("kernel_shape", s[1], s[2]),
                        OnnxGraph.attr("strides", a.getInts("strides", new int[] {1, 1})),
                        OnnxGraph.attr("dilations", a.getInts("dilations", new int[] {1, 1})),
                        OnnxGraph.attr("pads", a.getInts("pads", new int[4])),
                        OnnxGraph.attr("output_padding", a.getInts("output_padding", new int[2])));
                values.putFloat(n, y, true);
                return;
            }
            default:
                throw new IllegalStateException(n.op().id());
        }
        values.putFloat(n, y, false);
    }
}
