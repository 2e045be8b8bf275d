package dev.tern.compress.onnx;

import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.ValueType;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ONNX value behind each Tern value, in which image layout it is held, and the
 * conversions between them: a Transpose where the layout changes (made once per value and
 * layout), DequantizeLinear where an op reads an int8 value in float, QuantizeLinear where it
 * writes one (the QDQ form).
 */
final class OnnxValues {
    /** NHWC to NCHW and back. */
    private static final int[] TO_NCHW = {0, 3, 1, 2};
    private static final int[] TO_NHWC = {0, 2, 3, 1};

    private final ModelDef def;
    private final OnnxGraph g;
    /** Int8 activations are written as uint8 (zero point + 128). */
    private final boolean uint8Activations;
    /** Tern value -> its ONNX value. */
    private final Map<String, Val> vals = new HashMap<>();
    /** ONNX value -> its transposed version (per target layout), so that each transpose is made once. */
    private final Map<String, String> transposed = new HashMap<>();

    /** How a Tern value is held in ONNX: the value name, whether an image is NCHW, and Tern's type. */
    static final class Val {
        final String name;
        final boolean nchw;
        final ValueType type;

        Val(String name, boolean nchw, ValueType type) {
            this.name = name;
            this.nchw = nchw;
            this.type = type;
        }
    }

    OnnxValues(ModelDef def, OnnxGraph g, boolean uint8Activations) {
        this.def = def;
        this.g = g;
        this.uint8Activations = uint8Activations;
    }

    /** Records a graph input: float32 and NHWC, under its Tern name. */
    void putInput(String name) {
        vals.put(name, new Val(name, false, ValueType.FLOAT32));
    }

    /** The ONNX value of Tern value {@code name}, or null when none was recorded. */
    Val get(String name) {
        return vals.get(name);
    }

    Val val(String name) {
        Val v = vals.get(name);
        if (v == null) {
            throw new IllegalStateException("value '" + name + "' was not exported before its use");
        }
        return v;
    }

    int rank(String value) {
        return def.shapeOf(value).length;
    }

    /** The ONNX value of {@code v} in the given image layout (other ranks have one layout), int8 or float as it is. */
    String layout(Val v, boolean nchw) {
        if (v.nchw == nchw) {
            return v.name;
        }
        String key = v.name + (nchw ? "|nchw" : "|nhwc");
        String t = transposed.get(key);
        if (t == null) {
            t = g.node("Transpose", v.name + (nchw ? "/to_nchw" : "/to_nhwc"), List.of(v.name),
                    g.fresh(v.name + (nchw ? "/nchw" : "/nhwc")), OnnxGraph.attr("perm", nchw ? TO_NCHW : TO_NHWC));
            transposed.put(key, t);
        }
        return t;
    }

    /** The float32 value of {@code v} in a layout: int8 values are dequantized (one DequantizeLinear per use, as QDQ wants). */
    String floatOf(Val v, boolean nchw) {
        String x = layout(v, nchw);
        if (!v.type.isInt8()) {
            return x;
        }
        String[] q = quantParams(v.type);
        return g.node("DequantizeLinear", x + "/dequantize", List.of(x, q[0], q[1]), g.fresh(x + "/dequantized"));
    }

    /**
     * Scale and zero point of an int8 activation type: Tern's int8 zero point, or with uint8
     * activations a uint8 one 128 higher. Every QuantizeLinear and DequantizeLinear of an
     * activation takes them from here, so a value reads back as it was written.
     */
    String[] quantParams(ValueType t) {
        return g.quantParams(t.scale(), t.zeroPoint(), uint8Activations);
    }

    String quantize(String x, ValueType t) {
        String[] q = quantParams(t);
        return g.node("QuantizeLinear", x + "/quantize", List.of(x, q[0], q[1]), g.fresh(x + "/quantized"));
    }

    /**
     * Records the ONNX value {@code x} (float32) as node {@code n}'s output: quantized to the
     * output's int8 type when Tern computes it in int8.
     */
    void putFloat(Node n, String x, boolean nchw) {
        ValueType t = def.typeOf(n.output());
        putRaw(n, t.isInt8() ? quantize(x, t) : x, nchw);
    }

    /** Records {@code x}, already of the output's element type, as node {@code n}'s output, under the Tern name where possible. */
    void putRaw(Node n, String x, boolean nchw) {
        String out = n.output();
        ValueType t = def.typeOf(out);
        boolean image = rank(out) == 3;
        boolean nhwc = !image || !nchw;
        String name = x;
        if (!x.equals(out)) {
            if (g.isReserved(out)) {
                if (nhwc && !t.isInt8()) {
                    name = g.rename(x, g.claim(out), n.name() + "/output");
                }
            } else if (g.take(out)) {
                name = g.rename(x, out, n.name() + "/output");
            }
        }
        vals.put(out, new Val(name, image && nchw, t));
    }
}
