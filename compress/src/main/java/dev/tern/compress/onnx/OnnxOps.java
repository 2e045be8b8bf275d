package dev.tern.compress.onnx;

import dev.tern.compress.BadInputException;
import dev.tern.compress.onnx.OnnxValues.Val;
import dev.tern.compress.onnx.OnnxWeights.Layout;
import dev.tern.compress.onnx.proto.Onnx.AttributeProto;
import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.Padding;
import dev.tern.runtime.model.Tensor;
import dev.tern.runtime.model.ValueType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The ONNX nodes of each Tern op: convolutions, pools and image-wise ops in NCHW, the rest in
 * Tern's NHWC order; float32 computation between DequantizeLinear and QuantizeLinear where
 * Tern computes in int8, data movement on the int8 tensors themselves.
 */
final class OnnxOps {
    private final ModelDef def;
    private final OnnxGraph g;
    private final OnnxValues values;
    private final OnnxWeights weights;

    OnnxOps(ModelDef def, OnnxGraph g, OnnxValues values, OnnxWeights weights) {
        this.def = def;
        this.g = g;
        this.values = values;
        this.weights = weights;
    }

    /** Appends the ONNX nodes that compute Tern node {@code n} and records its output in {@link OnnxValues}. */
    void emit(Node n) {
        Attributes a = n.attributes();
        if (OnnxOps14.handles(n, def)) {
            new OnnxOps14(def, g, values).emit(n);
            return;
        }
        switch (n.op()) {
            case CONV2D:
            case DEPTHWISE_CONV2D:
                conv(n, a);
                return;
            case DENSE: {
                Val x = values.val(n.input(0));
                Tensor w = def.tensor(n.input(1));
                String wf = weights.weights(n, w, x.type, Layout.DENSE);
                String bf = weights.bias(n, x.type, w);
                String y = g.node("Gemm", n.name(), Arrays.asList(values.floatOf(x, false), wf, bf), g.fresh(n.output() + "/gemm"),
                        OnnxGraph.attr("transB", 1L));
                values.putFloat(n, activation(n, y, a), false);
                return;
            }
            case MAX_POOL:
            case AVG_POOL: {
                Val x = values.val(n.input(0));
                int[] s = def.shapeOf(n.input(0));
                int[] win = a.getInts("window", null);
                int[] st = a.getInts("strides", new int[] {1, 1});
                Padding p = Padding.parse(a.getString("padding", "valid"));
                List<AttributeProto> al = new ArrayList<>(List.of(OnnxGraph.attr("kernel_shape", win), OnnxGraph.attr("strides", st),
                    OnnxGraph.attr("pads", pads(s, win[0], win[1], st, p, a))));
                if (a.getInt("ceil_mode", 0) != 0) {
                    al.add(OnnxGraph.attr("ceil_mode", 1L));
                }
                AttributeProto[] attrs = al.toArray(new AttributeProto[0]);
                if (n.op() == OpType.MAX_POOL) {
                    // ONNX MaxPool takes int8 (and uint8) directly, and the max of quantized values keeps their quantization.
                    values.putRaw(n, g.node("MaxPool", n.name(), List.of(values.layout(x, true)), g.fresh(n.output() + "/pool"), attrs), true);
                } else {
                    AttributeProto[] avg = Arrays.copyOf(attrs, attrs.length + 1);
                    // SAME averages over in-bounds cells only; explicit padding may count the padding cells
                    avg[attrs.length] = OnnxGraph.attr("count_include_pad", (long) a.getInt("count_include_pad", 0));
                    values.putFloat(n, g.node("AveragePool", n.name(), List.of(values.floatOf(x, true)), g.fresh(n.output() + "/pool"), avg), true);
                }
                return;
            }
            case GLOBAL_AVG_POOL:
            case GLOBAL_MAX_POOL: {
                Val x = values.val(n.input(0));
                String op = n.op() == OpType.GLOBAL_AVG_POOL ? "GlobalAveragePool" : "GlobalMaxPool";
                String y = g.node(op, n.name(), List.of(values.floatOf(x, true)), g.fresh(n.output() + "/pool"));
                ValueType t = def.typeOf(n.output());
                if (t.isInt8()) {
                    y = values.quantize(y, t);
                }
                // [N, C, 1, 1] -> [N, C]
                values.putRaw(n, g.node("Flatten", n.name() + "/flatten", List.of(y), g.fresh(n.output() + "/flat"),
                        OnnxGraph.attr("axis", 1L)), false);
                return;
            }
            case ADD: {
                Val x = values.val(n.input(0));
                Val y = values.val(n.input(1));
                boolean nchw = values.rank(n.output()) == 3 && (x.nchw || y.nchw);
                String s = g.node("Add", n.name(), List.of(values.floatOf(x, nchw), values.floatOf(y, nchw)), g.fresh(n.output() + "/add"));
                values.putFloat(n, activation(n, s, a), nchw);
                return;
            }
            case CONCAT:
                concat(n, a);
                return;
            case FLATTEN: {
                Val x = values.val(n.input(0));
                values.putRaw(n, g.node("Flatten", n.name(), List.of(values.layout(x, false)), g.fresh(n.output() + "/flat"),
                        OnnxGraph.attr("axis", 1L)), false);
                return;
            }
            case RESHAPE: {
                Val x = values.val(n.input(0));
                int[] s = def.shapeOf(n.output());
                long[] shape = new long[s.length + 1];
                shape[0] = 0; // copy the batch dimension
                for (int i = 0; i < s.length; i++) {
                    shape[i + 1] = s[i];
                }
                String target = g.int64s(n.name() + "/shape", new int[] {shape.length}, shape);
                values.putRaw(n, g.node("Reshape", n.name(), List.of(values.layout(x, false), target), g.fresh(n.output() + "/reshaped")), false);
                return;
            }
            case RELU:
            case RELU6:
            case SIGMOID:
            case HARD_SIGMOID:
            case HARD_SWISH: {
                Val x = values.val(n.input(0));
                String in = values.floatOf(x, x.nchw);
                String y;
                if (n.op() == OpType.RELU) {
                    y = g.node("Relu", n.name(), List.of(in), g.fresh(n.output() + "/relu"));
                } else if (n.op() == OpType.RELU6) {
                    y = g.node("Clip", n.name(), List.of(in, g.scalar(0f), g.scalar(6f)), g.fresh(n.output() + "/relu6"));
                } else if (n.op() == OpType.HARD_SIGMOID) {
                    // int8: dequantized, computed in float, quantized to the node's type (QDQ), as Tern defines it
                    y = g.node("HardSigmoid", n.name(), List.of(in), g.fresh(n.output() + "/hard_sigmoid"),
                            OnnxGraph.attr("alpha", n.attributes().getFloat("alpha", 0.2f)),
                            OnnxGraph.attr("beta", n.attributes().getFloat("beta", 0.5f)));
                } else if (n.op() == OpType.HARD_SWISH) {
                    // HardSwish is opset 14; at 13 it is its definition, x HardSigmoid(x) with alpha 1/6
                    String h = g.node("HardSigmoid", n.name() + "/gate", List.of(in), g.fresh(n.output() + "/gate"),
                            OnnxGraph.attr("alpha", 1f / 6), OnnxGraph.attr("beta", 0.5f));
                    y = g.node("Mul", n.name(), List.of(in, h), g.fresh(n.output() + "/hard_swish"));
                } else {
                    y = g.node("Sigmoid", n.name(), List.of(in), g.fresh(n.output() + "/sigmoid"));
                }
                values.putFloat(n, y, x.nchw);
                return;
            }
            case SOFTMAX: {
                Val x = values.val(n.input(0));
                boolean nchw = x.nchw && values.rank(n.input(0)) == 3;
                // Tern's softmax runs over the last per-sample axis: channels, axis 1 in NCHW
                String y = g.node("Softmax", n.name(), List.of(values.floatOf(x, nchw)), g.fresh(n.output() + "/softmax"),
                        OnnxGraph.attr("axis", nchw ? 1L : -1L));
                values.putFloat(n, y, nchw);
                return;
            }
            case QUANTIZE: {
                Val x = values.val(n.input(0));
                ValueType t = def.typeOf(n.output());
                String[] q = values.quantParams(t);
                values.putRaw(n, g.node("QuantizeLinear", n.name(), List.of(values.layout(x, x.nchw), q[0], q[1]),
                        g.fresh(n.output() + "/quantized")), x.nchw);
                return;
            }
            case DEQUANTIZE: {
                Val x = values.val(n.input(0));
                String[] q = values.quantParams(x.type);
                values.putRaw(n, g.node("DequantizeLinear", n.name(), List.of(values.layout(x, x.nchw), q[0], q[1]),
                        g.fresh(n.output() + "/dequantized")), x.nchw);
                return;
            }
            default:
                throw new BadInputException("node '" + n.name() + "' is a " + n.op().id() + ", which ONNX export does not support");
        }
    }

    private void conv(Node n, Attributes a) {
        Val x = values.val(n.input(0));
        boolean depthwise = n.op() == OpType.DEPTHWISE_CONV2D;
        Tensor w = def.tensor(n.input(1));
        int kh = depthwise ? w.dim(0) : w.dim(1);
        int kw = depthwise ? w.dim(1) : w.dim(2);
        int[] in = def.shapeOf(n.input(0));
        int[] st = a.getInts("strides", new int[] {1, 1});
        Padding p = Padding.parse(a.getString("padding", "valid"));
        String wf = weights.weights(n, w, x.type, depthwise ? Layout.DEPTHWISE : Layout.CONV);
        String bf = weights.bias(n, x.type, w);
        String y = g.node("Conv", n.name(), Arrays.asList(values.floatOf(x, true), wf, bf), g.fresh(n.output() + "/conv"),
                OnnxGraph.attr("kernel_shape", kh, kw), OnnxGraph.attr("strides", st),
                OnnxGraph.attr("pads", pads(in, kh, kw, st, p, a)), OnnxGraph.attr("dilations", a.getInts("dilations", new int[] {1, 1})),
                OnnxGraph.attr("group", depthwise ? in[2] : 1L));
        values.putFloat(n, activation(n, y, a), true);
    }

    private void concat(Node n, Attributes a) {
        int r = values.rank(n.output());
        int axis = a.getInt("axis", -1);
        int ax = axis < 0 ? axis + r : axis;
        List<Val> ins = new ArrayList<>();
        int nchwCount = 0;
        for (String s : n.inputs()) {
            Val v = values.val(s);
            ins.add(v);
            nchwCount += v.nchw ? 1 : 0;
        }
        boolean nchw = r == 3 && 2 * nchwCount >= ins.size();
        int onnxAxis = nchw ? new int[] {2, 3, 1}[ax] : ax + 1;
        ValueType t = def.typeOf(n.output());
        boolean same = true;
        for (Val v : ins) {
            same &= v.type.equals(t);
        }
        List<String> xs = new ArrayList<>();
        for (Val v : ins) {
            // Inputs quantized as the output are concatenated as they are (Tern copies them); others are requantized.
            xs.add(same ? values.layout(v, nchw) : values.floatOf(v, nchw));
        }
        String y = g.node("Concat", n.name(), xs, g.fresh(n.output() + "/concat"), OnnxGraph.attr("axis", (long) onnxAxis));
        if (same) {
            values.putRaw(n, y, nchw);
        } else {
            values.putFloat(n, y, nchw);
        }
    }

    /** A fused activation (Dense, convolutions, Add) after {@code y}. */
    private String activation(Node n, String y, Attributes a) {
        Activation act = Activation.parse(a.getString("activation", "none"));
        switch (act) {
            case RELU:
                return g.node("Relu", n.name() + "/relu", List.of(y), g.fresh(n.output() + "/relu"));
            case RELU6:
                return g.node("Clip", n.name() + "/relu6", List.of(y, g.scalar(0f), g.scalar(6f)), g.fresh(n.output() + "/relu6"));
            default:
                return y;
        }
    }

    /** ONNX pads [top, left, bottom, right]: explicit ones as they are, else TensorFlow's padding's. */
    static int[] pads(int[] in, int kh, int kw, int[] st, Padding p, Attributes a) {
        if (p == Padding.EXPLICIT) {
            return a.getInts("pads", null);
        }
        return pads(in, kh, kw, st, p);
    }

    /** ONNX pads [top, left, bottom, right] of TensorFlow's padding (SAME: the smaller half before). */
    static int[] pads(int[] in, int kh, int kw, int[] st, Padding p) {
        int[] before = new int[2];
        int[] after = new int[2];
        int[] k = {kh, kw};
        for (int d = 0; d < 2; d++) {
            if (p == Padding.SAME) {
                int out = (in[d] + st[d] - 1) / st[d];
                int total = Math.max((out - 1) * st[d] + k[d] - in[d], 0);
                before[d] = total / 2;
                after[d] = total - before[d];
            }
        }
        return new int[] {before[0], before[1], after[0], after[1]};
    }
}
