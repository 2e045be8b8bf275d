package dev.tern.runtime.model;

import dev.tern.runtime.internal.quant.FixedPoint;
import dev.tern.runtime.internal.quant.Int8;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;

/**
 * The element type of each node's output, and every check the int8 arithmetic needs
 * (docs/FORMAT.md, "Value types"). Shapes were checked by {@link ShapeInference} first.
 */
final class Types {
    static final String SCALE = "scale";
    static final String ZERO_POINT = "zero_point";

    private Types() {
    }

    static ValueType infer(ModelDef def, Node n, Map<String, ValueType> types, Map<String, int[]> shapes) {
        Attributes a = n.attributes();
        switch (n.op()) {
            case QUANTIZE:
                requireFloat(n, types.get(n.input(0)), "quantize");
                return outputType(n, a);
            case DEQUANTIZE:
                if (!types.get(n.input(0)).isInt8()) {
                    throw new IllegalArgumentException("input '" + n.input(0) + "' is float32; dequantize reads int8");
                }
                noOutputType(n, a);
                return ValueType.FLOAT32;
            case DENSE:
            case CONV2D:
            case DEPTHWISE_CONV2D:
                return weighted(def, n, types.get(n.input(0)), shapes.get(n.input(0)));
            case ADD: {
                ValueType x = operandType(def, n, 0, types);
                ValueType y = operandType(def, n, 1, types);
                if (x.isInt8() || y.isInt8()) {
                    int[] xs = shapes.get(n.input(0));
                    int[] ys = shapes.get(n.input(1));
                    if (xs == null || ys == null || !Arrays.equals(xs, ys)) {
                        throw new IllegalArgumentException("int8 add takes two activations of one shape (no broadcasting, no constant)");
                    }
                }
                if (x.dtype() != y.dtype()) {
                    throw new IllegalArgumentException("operands are " + x + " and " + y + "; both must be float32 or both int8");
                }
                if (!x.isInt8()) {
                    noOutputType(n, a);
                    return ValueType.FLOAT32;
                }
                ValueType out = outputType(n, a);
                float twiceMax = 2 * Math.max(x.scale(), y.scale());
                multiplier(x.scale() / (double) twiceMax, "input scale " + x.scale());
                multiplier(y.scale() / (double) twiceMax, "input scale " + y.scale());
                multiplier(twiceMax / ((double) (1 << Int8.RESCALE_SHIFT) * out.scale()), "output scale " + out.scale());
                return out;
            }
            case CONCAT: {
                ValueType first = types.get(n.input(0));
                for (String in : n.inputs()) {
                    if (types.get(in).dtype() != first.dtype()) {
                        throw new IllegalArgumentException("inputs mix " + first + " and " + types.get(in)
                                + "; all must be float32 or all int8");
                    }
                }
                if (!first.isInt8()) {
                    noOutputType(n, a);
                    return ValueType.FLOAT32;
                }
                ValueType out = outputType(n, a);
                for (String in : n.inputs()) {
                    float s = types.get(in).scale();
                    multiplier(s / ((double) out.scale() * (1 << Int8.RESCALE_SHIFT)), "input '" + in + "' scale " + s
                            + " to output scale " + out.scale());
                }
                return out;
            }
            case HARD_SIGMOID:
            case HARD_SWISH: {
                // the output range differs from the input's: an int8 output has its own type
                if (!types.get(n.input(0)).isInt8()) {
                    noOutputType(n, a);
                    return ValueType.FLOAT32;
                }
                return outputType(n, a);
            }
            case SIGMOID:
            case SOFTMAX:
                requireFloat(n, types.get(n.input(0)), n.op().id());
                noOutputType(n, a);
                return ValueType.FLOAT32;
            case TRANSPOSE:
            case MUL:
            case SUB:
            case DIV:
            case MAX:
            case MIN:
            case TANH:
            case LEAKY_RELU:
            case ELU:
            case PRELU:
            case CLIP:
            case LOG_SOFTMAX:
            case REDUCE_MEAN:
            case REDUCE_MAX:
            case REDUCE_MIN:
            case REDUCE_SUM:
            case SLICE:
            case PAD:
            case MATMUL:
            case EXP:
            case NEG:
            case ABS:
            case SQRT:
            case RECIPROCAL:
            case LOG:
            case RESIZE:
            case CONV_TRANSPOSE:
                // the ops of 1.4 run in float32 (an int8 graph dequantizes before them)
                for (int i = 0; i < n.inputs().size(); i++) {
                    if (types.containsKey(n.input(i))) {
                        if (types.get(n.input(i)).isInt8()) {
                            throw new IllegalArgumentException("input '" + n.input(i) + "' is " + types.get(n.input(i)) + "; "
                                    + n.op().id() + " reads float32 (dequantize first)");
                        }
                    } else if (def.tensor(n.input(i)) != null && def.tensor(n.input(i)).dtype() != DType.FLOAT32) {
                        throw new IllegalArgumentException("constant '" + n.input(i) + "' is " + def.tensor(n.input(i)).dtype().id()
                                + "; " + n.op().id() + " takes float32 constants");
                    }
                }
                noOutputType(n, a);
                return ValueType.FLOAT32;
            default:
                // Pooling, flatten, reshape, relu, relu6: the input's type (int8 keeps its scale and zero point).
                noOutputType(n, a);
                return types.get(n.input(0));
        }
    }

    private static ValueType weighted(ModelDef def, Node n, ValueType x, int[] xShape) {
        Attributes a = n.attributes();
        Tensor w = def.tensor(n.input(1));
        Tensor b = n.inputs().size() > 2 ? def.tensor(n.input(2)) : null;
        int channelAxis = n.op() == OpType.DEPTHWISE_CONV2D ? 2 : 0;
        if (w.dtype() == DType.FLOAT32) {
            if (x.isInt8()) {
                throw new IllegalArgumentException("input '" + n.input(0) + "' is int8 but weights '" + w.name()
                        + "' are float32; int8 inputs need int8 weights");
            }
            if (b != null && b.dtype() != DType.FLOAT32) {
                throw new IllegalArgumentException("bias '" + b.name() + "' is " + b.dtype().id() + "; float32 weights take a float32 bias");
            }
            noOutputType(n, a);
            return ValueType.FLOAT32;
        }
        float[] ws = weightScales(w, channelAxis);
        if (!x.isInt8()) {
            // Weight-only (dynamic) int8: weights are expanded to float32 at load.
            if (b != null && b.dtype() != DType.FLOAT32) {
                throw new IllegalArgumentException("bias '" + b.name() + "' is " + b.dtype().id()
                        + "; with a float32 input, int8 weights take a float32 bias");
            }
            noOutputType(n, a);
            return ValueType.FLOAT32;
        }
        ValueType out = outputType(n, a);
        long maxBias = 0;
        if (b != null) {
            maxBias = checkBias(b, x.scale(), ws);
        }
        try {
            Int8.channelMultipliers(x.scale(), ws, out.scale());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("impossible requantization: " + e.getMessage());
        }
        long dot;
        if (n.op() == OpType.DENSE) {
            dot = xShape[0];
        } else if (n.op() == OpType.CONV2D) {
            dot = (long) w.dim(1) * w.dim(2) * w.dim(3);
        } else {
            dot = (long) w.dim(0) * w.dim(1);
        }
        long bound = 255L * 127L * dot + maxBias;
        if (bound > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("int32 accumulator could overflow: " + dot + " products of up to 255 x 127 plus a bias of "
                    + maxBias + " reach " + bound + " > 2^31 - 1");
        }
        return out;
    }

    /** Per-channel scales of symmetric int8 weights (expanded when per tensor); checks values in [-127, 127]. */
    static float[] weightScales(Tensor w, int channelAxis) {
        QuantParams q = w.quant();
        if (q == null) {
            throw new IllegalArgumentException("int8 weights '" + w.name() + "' have no quantization parameters");
        }
        if (q.axis() != -1 && q.axis() != channelAxis) {
            throw new IllegalArgumentException("int8 weights '" + w.name() + "' are quantized along axis " + q.axis()
                    + "; expected the output-channel axis " + channelAxis + " or per tensor (-1)");
        }
        int channels = w.dim(channelAxis);
        float[] s = new float[channels];
        for (int c = 0; c < channels; c++) {
            int i = q.axis() == -1 ? 0 : c;
            if (q.zeroPoint(i) != 0) {
                throw new IllegalArgumentException("int8 weights '" + w.name() + "' have zero point " + q.zeroPoint(i)
                        + " at channel " + c + "; weights are symmetric (zero point 0)");
            }
            s[c] = q.scale(i);
            if (!(s[c] >= 1e-30f) || Float.isInfinite(s[c])) {
                throw new IllegalArgumentException("int8 weights '" + w.name() + "' have scale " + s[c] + " at channel " + c
                        + "; scales must be finite and >= 1e-30");
            }
        }
        ByteBuffer d = w.data();
        for (int i = 0; i < w.elementCount(); i++) {
            if (d.get(i) == Byte.MIN_VALUE) {
                throw new IllegalArgumentException("int8 weights '" + w.name() + "' hold -128 at index " + i
                        + "; weights use the symmetric range [-127, 127]");
            }
        }
        return s;
    }

    /** Checks an int32 bias against scale inputScale * weightScale[c], zero point 0; returns max |bias|. */
    private static long checkBias(Tensor b, float inputScale, float[] ws) {
        if (b.dtype() != DType.INT32) {
            throw new IllegalArgumentException("bias '" + b.name() + "' is " + b.dtype().id() + "; an int8 op takes an int32 bias");
        }
        QuantParams q = b.quant();
        if (q == null || (q.axis() != 0 && q.axis() != -1)) {
            throw new IllegalArgumentException("int32 bias '" + b.name() + "' needs quantization parameters per channel (axis 0)");
        }
        for (int c = 0; c < ws.length; c++) {
            int i = q.axis() == -1 ? 0 : c;
            double expected = (double) inputScale * ws[c];
            if (q.zeroPoint(i) != 0 || Math.abs(q.scale(i) - expected) > 1e-5 * expected) {
                throw new IllegalArgumentException("int32 bias '" + b.name() + "' channel " + c + " has scale " + q.scale(i)
                        + " and zero point " + q.zeroPoint(i) + "; expected input scale x weight scale = " + (float) expected
                        + " and zero point 0");
            }
        }
        long max = 0;
        ByteBuffer d = b.data();
        for (int i = 0; i < b.elementCount(); i++) {
            max = Math.max(max, Math.abs((long) d.getInt(i * 4)));
        }
        return max;
    }

    /** The type of operand i: an activation's, or float32 for a constant tensor. */
    private static ValueType operandType(ModelDef def, Node n, int i, Map<String, ValueType> types) {
        ValueType t = types.get(n.input(i));
        return t != null ? t : ValueType.FLOAT32;
    }

    private static void multiplier(double real, String what) {
        try {
            FixedPoint.quantizeMultiplier(real);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("impossible requantization (" + what + "): " + e.getMessage());
        }
    }

    private static void requireFloat(Node n, ValueType x, String op) {
        if (x.isInt8()) {
            throw new IllegalArgumentException("input '" + n.input(0) + "' is " + x + "; " + op
                    + " reads float32 (dequantize first)");
        }
    }

    private static ValueType outputType(Node n, Attributes a) {
        if (!a.has(SCALE) || !a.has(ZERO_POINT)) {
            throw new IllegalArgumentException("an int8 output needs attributes scale and zero_point, got "
                    + (a.has(SCALE) ? "no zero_point" : "no scale"));
        }
        return ValueType.int8(a.getFloat(SCALE, 0f), a.getInt(ZERO_POINT, 0));
    }

    private static void noOutputType(Node n, Attributes a) {
        if (a.has(SCALE) || a.has(ZERO_POINT)) {
            throw new IllegalArgumentException("attributes scale/zero_point apply to int8 outputs only; this "
                    + n.op().id() + " gives " + (n.op() == OpType.QUANTIZE ? "int8" : "its input's type"));
        }
    }

}
