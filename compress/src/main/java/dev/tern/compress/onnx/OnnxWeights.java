package dev.tern.compress.onnx;

import dev.tern.compress.BadInputException;
import dev.tern.compress.onnx.proto.Onnx.AttributeProto;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.QuantParams;
import dev.tern.runtime.model.Tensor;
import dev.tern.runtime.model.ValueType;

import java.util.ArrayList;
import java.util.List;

/**
 * Weights and biases of dense and convolution nodes as ONNX initializers: permuted from
 * Tern's layout to ONNX's, float32 as they are, int8 weights and int32 biases behind a
 * DequantizeLinear (per channel along ONNX's output-channel axis).
 */
final class OnnxWeights {
    private final ModelDef def;
    private final OnnxGraph g;

    OnnxWeights(ModelDef def, OnnxGraph g) {
        this.def = def;
        this.g = g;
    }

    /** Tern weight layouts and their ONNX counterparts. */
    enum Layout {
        /** [out, in], Gemm with transB = 1; channel axis 0. */
        DENSE,
        /** [cout, kh, kw, cin] to OIHW [cout, cin, kh, kw]; channel axis 0. */
        CONV,
        /** [kh, kw, c * m] (channel axis 2) to [c * m, 1, kh, kw] (axis 0), a Conv with group = c. */
        DEPTHWISE
    }

    /** Source index (Tern layout) of each element of the ONNX weight tensor, and the ONNX shape. */
    private static int[][] permutation(Tensor w, Layout layout) {
        int[] s = w.shape();
        int n = w.elementCount();
        int[] src = new int[n];
        switch (layout) {
            case CONV: {
                int o = s[0], kh = s[1], kw = s[2], ci = s[3];
                int i = 0;
                for (int a = 0; a < o; a++) {
                    for (int c = 0; c < ci; c++) {
                        for (int y = 0; y < kh; y++) {
                            for (int x = 0; x < kw; x++) {
                                src[i++] = ((a * kh + y) * kw + x) * ci + c;
                            }
                        }
                    }
                }
                return new int[][] {src, {o, ci, kh, kw}};
            }
            case DEPTHWISE: {
                int kh = s[0], kw = s[1], cm = s[2];
                int i = 0;
                for (int a = 0; a < cm; a++) {
                    for (int y = 0; y < kh; y++) {
                        for (int x = 0; x < kw; x++) {
                            src[i++] = (y * kw + x) * cm + a;
                        }
                    }
                }
                return new int[][] {src, {cm, 1, kh, kw}};
            }
            default:
                for (int i = 0; i < n; i++) {
                    src[i] = i;
                }
                return new int[][] {src, s};
        }
    }

    /** The weights as a float32 ONNX value: an initializer, or int8 behind a DequantizeLinear. */
    String weights(Node n, Tensor w, ValueType x, Layout layout) {
        int[][] perm = permutation(w, layout);
        int[] src = perm[0];
        int[] shape = perm[1];
        if (w.dtype() == DType.FLOAT32) {
            float[] v = w.floats();
            float[] out = new float[v.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = v[src[i]];
            }
            return g.floats(w.name(), shape, out);
        }
        if (w.dtype() != DType.INT8) {
            throw new BadInputException("node '" + n.name() + "': weights '" + w.name() + "' are " + w.dtype().id()
                    + "; ONNX export maps float32 and int8 weights");
        }
        byte[] v = w.int8s();
        byte[] out = new byte[v.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = v[src[i]];
        }
        String q = g.int8s(w.name(), shape, out);
        QuantParams qp = w.quant();
        String scale;
        String zp;
        List<AttributeProto> attrs = new ArrayList<>();
        if (qp.axis() == -1) {
            scale = g.floats(w.name() + "/scale", new int[0], new float[] {qp.scale(0)});
            zp = g.int8s(w.name() + "/zero_point", new int[0], new byte[] {0});
        } else {
            scale = g.floats(w.name() + "/scale", new int[] {qp.count()}, qp.scales());
            zp = g.int8s(w.name() + "/zero_point", new int[] {qp.count()}, new byte[qp.count()]);
            attrs.add(OnnxGraph.attr("axis", 0L)); // the output channel in ONNX's layout, for every op
        }
        return g.node("DequantizeLinear", w.name() + "/dequantize", List.of(q, scale, zp), g.fresh(w.name() + "/dequantized"),
                attrs.toArray(new AttributeProto[0]));
    }

    /** The bias as a float32 ONNX value (null when the node has none); int32 biases are dequantized with input x weight scales. */
    String bias(Node n, ValueType x, Tensor w) {
        if (n.inputs().size() < 3) {
            return null;
        }
        Tensor b = def.tensor(n.input(2));
        if (b.dtype() == DType.FLOAT32) {
            return g.floats(b.name(), b.shape(), b.floats());
        }
        if (b.dtype() != DType.INT32 || !x.isInt8()) {
            throw new BadInputException("node '" + n.name() + "': bias '" + b.name() + "' is " + b.dtype().id()
                    + " with a " + x + " input; ONNX export maps float32 biases and int32 biases of int8 layers");
        }
        // Tern adds the int32 bias to the accumulator: its scale is exactly input scale x weight scale.
        QuantParams wq = w.quant();
        boolean perTensor = wq.axis() == -1;
        int channels = b.dim(0);
        float[] scales = new float[perTensor ? 1 : channels];
        for (int c = 0; c < scales.length; c++) {
            scales[c] = x.scale() * wq.scale(c);
        }
        String q = g.int32s(b.name(), b.shape(), b.ints());
        String scale;
        String zp;
        List<AttributeProto> attrs = new ArrayList<>();
        if (perTensor) {
            scale = g.floats(b.name() + "/scale", new int[0], scales);
            zp = g.int32s(b.name() + "/zero_point", new int[0], new int[1]);
        } else {
            scale = g.floats(b.name() + "/scale", new int[] {channels}, scales);
            zp = g.int32s(b.name() + "/zero_point", new int[] {channels}, new int[channels]);
            attrs.add(OnnxGraph.attr("axis", 0L));
        }
        return g.node("DequantizeLinear", b.name() + "/dequantize", List.of(q, scale, zp), g.fresh(b.name() + "/dequantized"),
                attrs.toArray(new AttributeProto[0]));
    }
}
