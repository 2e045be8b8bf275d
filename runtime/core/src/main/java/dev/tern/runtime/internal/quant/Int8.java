package dev.tern.runtime.internal.quant;

import dev.tern.runtime.model.Activation;

/**
 * The int8 scheme's conversions between real and quantized values, shared by every kernel
 * and by type checking so that all of them agree to the bit:
 * {@code q = clamp(roundHalfAwayFromZero(x / scale) + zeroPoint, -128, 127)} (x / scale in
 * float32, which is IEEE-exact on every JVM and on Android) and {@code x = scale * (q - zeroPoint)}.
 */
public final class Int8 {
    public static final int MIN = -128;
    public static final int MAX = 127;
    /** Weights use the symmetric range [-127, 127] (as TFLite), so that -w is representable. */
    public static final int WEIGHT_MIN = -127;
    /** Left shift of Add's and Concat's rescaled inputs (TFLite's add uses 20), keeping precision through two roundings. */
    public static final int RESCALE_SHIFT = 20;

    private Int8() {
    }

    /** Rounds half away from zero (C's {@code round}); exact for every float. */
    public static float roundHalfAwayFromZero(float v) {
        double r = Math.floor(Math.abs((double) v) + 0.5);
        return (float) Math.copySign(r, v);
    }

    /** Quantizes one real value; NaN maps to the zero point. */
    public static int quantize(float x, float scale, int zeroPoint) {
        float r = roundHalfAwayFromZero(x / scale);
        if (r != r) {
            return zeroPoint;
        }
        float v = r + zeroPoint;
        return v < MIN ? MIN : (v > MAX ? MAX : (int) v);
    }

    public static float dequantize(int q, float scale, int zeroPoint) {
        return scale * (q - zeroPoint);
    }

    /** Clamps to [{@link #MIN}, {@link #MAX}]. */
    public static int clamp(int v) {
        return v < MIN ? MIN : (v > MAX ? MAX : v);
    }

    /** Integer average rounded half away from zero (TFLite's average pooling). */
    public static int roundedAverage(int sum, int count) {
        return sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
    }

    /**
     * The int8 bounds [min, max] of a fused activation for an output of this scale and zero
     * point: ReLU clamps at the zero point, ReLU6 also at the quantized 6.
     */
    public static int[] activationBounds(Activation act, float scale, int zeroPoint) {
        int lo = MIN;
        int hi = MAX;
        if (act == Activation.RELU || act == Activation.RELU6) {
            lo = Math.max(lo, zeroPoint);
        }
        if (act == Activation.RELU6) {
            hi = Math.min(hi, quantize(6f, scale, zeroPoint));
        }
        return new int[] {lo, hi};
    }

    /**
     * The requantization multipliers of a Dense/Conv output channel set: for each channel,
     * inputScale * weightScale[c] / outputScale (computed in double, as TFLite).
     *
     * @return {multipliers[], shifts[]}
     * @throws IllegalArgumentException when a multiplier cannot be represented (the scales are out of proportion)
     */
    public static int[][] channelMultipliers(float inputScale, float[] weightScales, float outputScale) {
        int[] m = new int[weightScales.length];
        int[] s = new int[weightScales.length];
        for (int c = 0; c < weightScales.length; c++) {
            double real = (double) inputScale * weightScales[c] / outputScale;
            FixedPoint.Multiplier q;
            try {
                q = FixedPoint.quantizeMultiplier(real);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("channel " + c + ": input scale " + inputScale + " x weight scale "
                        + weightScales[c] + " / output scale " + outputScale + ": " + e.getMessage());
            }
            m[c] = q.multiplier;
            s[c] = q.shift;
        }
        return new int[][] {m, s};
    }

    /**
     * Multiplier that rescales an input of scale {@code in}, pre-shifted left by
     * {@link #RESCALE_SHIFT}, to scale {@code out}: in / (out * 2^RESCALE_SHIFT).
     */
    public static FixedPoint.Multiplier rescale(float in, float out) {
        return FixedPoint.quantizeMultiplier((double) in / ((double) out * (1 << RESCALE_SHIFT)));
    }
}
