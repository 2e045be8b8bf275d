package dev.tern.compress.quant;

import dev.tern.compress.BadInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;
import java.util.Objects;

/**
 * Int8 symmetric weight quantization, TFLite's scheme (Jacob et al. 2018, "Quantization and
 * Training of Neural Networks for Efficient Integer-Arithmetic-Only Inference"; per-channel
 * weights as in Krishnamoorthi 2018, "Quantizing deep convolutional networks for efficient
 * inference: A whitepaper"): zero point 0, range [-M, M] with M = 127 (never -128, so that -w
 * is representable), or M = 63 for 7-bit weights ({@link WeightScheme}: exact in ONNX Runtime
 * on x86 CPUs without VNNI), per output channel or per tensor:
 * <pre>
 *   scale[c] = max |w| over channel c / M      (float32; an all-zero channel gets 1.0f)
 *   q        = clamp(roundHalfAwayFromZero(w / scale[c]), -M, M)   (w / scale in float32)
 * </pre>
 * The channel axis is 0 for Dense [out, in] and Conv2D [cout, kh, kw, cin], and the last axis
 * for DepthwiseConv2D [kh, kw, c * m]. Biases are int32 with scale inputScale * weightScale[o].
 * The array work is ND4J's.
 */
public final class WeightQuantizer {
    /** Largest int8 weight magnitude of 8-bit weights: the symmetric range is [-127, 127]. */
    public static final int WEIGHT_MAX = 127;
    /**
     * Scale of a channel whose weights are all zero (its values are 0 whatever the scale). 1.0f
     * keeps its bias scale (inputScale * 1) and requantization multiplier ordinary.
     */
    public static final float ZERO_CHANNEL_SCALE = 1.0f;

    private WeightQuantizer() {
    }

    /** {@link #quantize} with one scale per index of {@code channelAxis}, 8 bits. */
    public static Result perChannel(String name, float[] weights, int[] shape, int channelAxis) {
        return quantize(name, weights, shape, channelAxis, false);
    }

    /** {@link #quantize} with one scale for the whole tensor, 8 bits. */
    public static Result perTensor(String name, float[] weights, int[] shape) {
        return quantize(name, weights, shape, -1, true);
    }

    /** Quantizes a float weight tensor to int8 symmetric over the full 8-bit range [-127, 127]. */
    public static Result quantize(String name, float[] weights, int[] shape, int channelAxis, boolean perTensor) {
        return quantize(name, weights, shape, channelAxis, WeightScheme.of(perTensor, 8));
    }

    /**
     * Quantizes a float weight tensor to int8 symmetric, in the range of {@code scheme}.
     *
     * @param name        the tensor's name, used in messages
     * @param weights     row-major values, {@code product(shape)} of them
     * @param shape       the tensor's shape, every dimension >= 1
     * @param channelAxis axis of the output channels (ignored for a per-tensor scheme)
     * @param scheme      per channel or per tensor, 8 or 7 bits
     * @throws BadInputException        when a weight is NaN or infinite (the message names the
     *                                  tensor, the element's flat index and its coordinates)
     * @throws IllegalArgumentException when shape, length or axis disagree
     */
    public static Result quantize(String name, float[] weights, int[] shape, int channelAxis, WeightScheme scheme) {
        boolean perChannel = !scheme.perTensor();
        int max = scheme.maxMagnitude();
        Objects.requireNonNull(name, "name");
        long n = checkShape(name, weights, shape);
        if (perChannel && (channelAxis < 0 || channelAxis >= shape.length)) {
            throw new IllegalArgumentException("weights '" + name + "': channel axis " + channelAxis
                    + " is outside shape " + Arrays.toString(shape));
        }
        try (Nd4jScope g = new Nd4jScope()) {
            INDArray w = g.add(Nd4j.create(weights, toLong(shape), 'c'));
            checkFinite(g, name, "weight", w, shape);

            float[] scales;
            INDArray scaled;
            if (perChannel) {
                int[] others = new int[shape.length - 1];
                for (int d = 0, k = 0; d < shape.length; d++) {
                    if (d != channelAxis) {
                        others[k++] = d;
                    }
                }
                float[] maxAbs = others.length == 0
                        ? g.add(Transforms.abs(w, true)).toFloatVector()
                        : g.add(w.amax(others)).toFloatVector();
                scales = scalesOf(maxAbs, max);
                long[] bshape = new long[shape.length];
                Arrays.fill(bshape, 1);
                bshape[channelAxis] = shape[channelAxis];
                INDArray s = g.add(g.add(Nd4j.createFromArray(scales)).reshape(bshape));
                scaled = g.add(w.div(s)); // broadcast along the channel axis, float32 division
            } else {
                scales = scalesOf(new float[] {w.amaxNumber().floatValue()}, max);
                scaled = g.add(w.div(scales[0]));
            }
            Transforms.round(scaled, false); // C round: halves away from zero
            Transforms.max(scaled, -max, false);
            Transforms.min(scaled, max, false);
            int[] q = g.add(g.add(scaled.castTo(DataType.INT32)).reshape(-1)).toIntVector();
            byte[] values = new byte[(int) n];
            for (int i = 0; i < values.length; i++) {
                values[i] = (byte) q[i];
            }
            return new Result(name, shape, values, scales, perChannel ? channelAxis : -1);
        }
    }

    /**
     * Int32 bias for an int8 layer: {@code q[o] = clamp(roundHalfAwayFromZero(bias[o] / s[o]),
     * Integer.MIN_VALUE, Integer.MAX_VALUE)} with the bias scale {@code s[o] = inputScale *
     * weightScales[o]} (float32 product; the division in double), TFLite's rule, so that the
     * bias adds straight into the int32 accumulator of input * weight products.
     *
     * @param name         the bias tensor's name, used in messages
     * @param weightScales one scale per output (per-channel weights) or a single one (per tensor)
     * @throws BadInputException        when a bias value is NaN or infinite
     * @throws IllegalArgumentException when a scale is not positive and finite, or the lengths disagree
     */
    public static int[] quantizeBias(String name, float[] bias, float inputScale, float[] weightScales) {
        Objects.requireNonNull(name, "name");
        if (weightScales.length != 1 && weightScales.length != bias.length) {
            throw new IllegalArgumentException("bias '" + name + "': " + bias.length + " values but "
                    + weightScales.length + " weight scales (need 1 or " + bias.length + ")");
        }
        if (!(inputScale > 0) || !Float.isFinite(inputScale)) {
            throw new IllegalArgumentException("bias '" + name + "': input scale must be positive and finite, got " + inputScale);
        }
        if (bias.length == 0) {
            return new int[0];
        }
        double[] biasScale = new double[bias.length];
        for (int o = 0; o < bias.length; o++) {
            float ws = weightScales[weightScales.length == 1 ? 0 : o];
            float s = inputScale * ws;
            if (!(ws > 0) || !Float.isFinite(ws) || !(s > 0) || !Float.isFinite(s)) {
                throw new IllegalArgumentException("bias '" + name + "': bias scale inputScale * weightScale[" + o
                        + "] = " + inputScale + " * " + ws + " = " + s + " is not positive and finite");
            }
            biasScale[o] = s;
        }
        try (Nd4jScope g = new Nd4jScope()) {
            INDArray b = g.add(g.add(Nd4j.createFromArray(bias)).castTo(DataType.DOUBLE));
            checkFinite(g, name, "bias", b, new int[] {bias.length});
            INDArray q = g.add(b.div(g.add(Nd4j.createFromArray(biasScale))));
            Transforms.round(q, false);
            Transforms.max(q, Integer.MIN_VALUE, false);
            Transforms.min(q, Integer.MAX_VALUE, false);
            return g.add(q.castTo(DataType.INT32)).toIntVector();
        }
    }

    private static float[] scalesOf(float[] maxAbs, int max) {
        float[] s = new float[maxAbs.length];
        for (int c = 0; c < s.length; c++) {
            float v = maxAbs[c] / max;
            // an all-zero channel, or one so small that its scale underflows
            s[c] = v > 0 ? v : ZERO_CHANNEL_SCALE;
        }
        return s;
    }

    private static long checkShape(String name, float[] weights, int[] shape) {
        Objects.requireNonNull(weights, "weights");
        if (shape.length == 0) {
            throw new IllegalArgumentException("weights '" + name + "': empty shape");
        }
        long n = 1;
        for (int d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException("weights '" + name + "': shape " + Arrays.toString(shape)
                        + " has a dimension < 1");
            }
            n *= d;
        }
        if (n != weights.length) {
            throw new IllegalArgumentException("weights '" + name + "': shape " + Arrays.toString(shape) + " holds "
                    + n + " values, got " + weights.length);
        }
        return n;
    }

    /** Rejects the first NaN or infinite element, naming the tensor, its flat index and its coordinates. */
    private static void checkFinite(Nd4jScope g, String name, String what, INDArray a, int[] shape) {
        long bad = g.add(BooleanIndexing.firstIndex(a, Conditions.notFinite())).getLong(0);
        if (bad >= 0) {
            throw new BadInputException(what + " tensor '" + name + "': " + what + " " + a.getDouble(bad)
                    + " at index " + bad + " " + coordinates(bad, shape) + " is not finite; "
                    + "cannot quantize NaN or infinite values");
        }
    }

    /** Row-major coordinates of flat index {@code i}, like "[1, 0, 2]". */
    static String coordinates(long i, int[] shape) {
        long[] c = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            c[d] = i % shape[d];
            i /= shape[d];
        }
        return Arrays.toString(c);
    }

    private static long[] toLong(int[] shape) {
        long[] l = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            l[i] = shape[i];
        }
        return l;
    }

    /**
     * Int8 symmetric weights: the int8 values in the layout of the float weights, one scale per
     * channel (or one for the tensor), zero point 0, so that {@code w ~= scales[c] * values[i]}.
     * A plain carrier: the arrays are the caller's.
     */
    public static final class Result {
        /** Name of the weight tensor. */
        public final String name;
        /** Shape of the weight tensor (row-major). */
        public final int[] shape;
        /** The int8 values, in [-127, 127] (7-bit weights: [-63, 63]), row-major in {@link #shape} like the float weights. */
        public final byte[] values;
        /** One scale per index of {@link #channelAxis}, or a single one for the tensor; all positive. */
        public final float[] scales;
        /** The channel axis of the scales, or -1 for a per-tensor scale. */
        public final int channelAxis;

        Result(String name, int[] shape, byte[] values, float[] scales, int channelAxis) {
            this.name = name;
            this.shape = shape.clone();
            this.values = values;
            this.scales = scales;
            this.channelAxis = channelAxis;
        }

        /** Whether there is one scale per channel. */
        public boolean perChannel() {
            return channelAxis >= 0;
        }

        /** Index into {@link #scales} of row-major element {@code i}. */
        public int channelOf(int i) {
            if (channelAxis < 0) {
                return 0;
            }
            int inner = 1;
            for (int d = channelAxis + 1; d < shape.length; d++) {
                inner *= shape[d];
            }
            return (i / inner) % shape[channelAxis];
        }

        /** The real value of element {@code i} (row-major): scale * q. */
        public float dequantize(int i) {
            return scales[channelOf(i)] * values[i];
        }

        @Override
        public String toString() {
            return "WeightQuantizer.Result{" + name + ", shape=" + Arrays.toString(shape)
                    + (perChannel() ? ", per channel (axis " + channelAxis + ")" : ", per tensor")
                    + ", " + scales.length + " scale(s)}";
        }
    }
}
