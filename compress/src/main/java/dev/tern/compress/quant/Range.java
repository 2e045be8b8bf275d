package dev.tern.compress.quant;

/**
 * The real range [lo, hi] of an int8 asymmetric per-tensor quantizer (activations), with
 * {@code lo <= 0 <= hi} and {@code hi > lo}, and its TFLite quantization parameters:
 * <pre>
 *   scale     = (float) ((hi - lo) / 255)
 *   zeroPoint = clamp(roundHalfAwayFromZero(-128 - lo / scale), -128, 127)
 * </pre>
 * ({@code lo / scale} in double, from the float {@code lo} and the float {@code scale}). The
 * zero point is an integer, so the real value 0 maps exactly onto it ("nudging", as TFLite's
 * {@code ChooseQuantizationParams}); the represented range is then
 * {@code [scale * (-128 - zeroPoint), scale * (127 - zeroPoint)]}, within half a step of [lo, hi].
 * Worked cases: [0, 2.55] gives scale 0.01f and zero point -128; [-1, 1] gives scale
 * 0.0078431377f (float(2/255) is just above 2/255), so -128 - lo/scale = -0.5000075 and the
 * zero point is -1.
 *
 * @param lo lower end, finite and {@code <= 0}
 * @param hi upper end, finite, {@code >= 0} and {@code > lo}
 */
public record Range(float lo, float hi) {
    /** Lowest int8 value. */
    public static final int QMIN = -128;
    /** Highest int8 value. */
    public static final int QMAX = 127;
    /**
     * The range given to a tensor that is zero everywhere (or whose values are all below
     * {@link #MIN_SPAN} in magnitude): any positive scale represents it exactly. [0, 1] (scale
     * 1/255) keeps the requantization multipliers of the layers around it ordinary (a tiny
     * scale would give the layer producing it a multiplier too large to represent), and
     * still resolves values up to 1 that the calibration set never produced.
     */
    public static final Range ALL_ZERO = new Range(0f, 1f);
    /** Smallest span hi - lo: below it (255 times the smallest normal float) the scale would be subnormal. */
    public static final float MIN_SPAN = 255f * Float.MIN_NORMAL;

    public Range {
        if (!Float.isFinite(lo) || !Float.isFinite(hi)) {
            throw new IllegalArgumentException("range ends must be finite, got [" + lo + ", " + hi + "]");
        }
        if (lo > 0f || hi < 0f) {
            throw new IllegalArgumentException("range must contain 0, got [" + lo + ", " + hi + "]");
        }
        if (!((double) hi - lo >= MIN_SPAN)) {
            throw new IllegalArgumentException("range must have hi - lo >= " + MIN_SPAN + ", got [" + lo + ", " + hi + "]");
        }
    }

    /**
     * The smallest range containing [lo, hi] and 0 (TFLite's rule: zero must be exactly
     * representable); {@link #ALL_ZERO} when that range is narrower than {@link #MIN_SPAN}.
     * The ends are rounded outward to floats.
     */
    public static Range covering(double lo, double hi) {
        if (!Double.isFinite(lo) || !Double.isFinite(hi) || lo > hi) {
            throw new IllegalArgumentException("cannot cover [" + lo + ", " + hi + "]");
        }
        float l = floatAtMost(Math.min(lo, 0.0));
        float h = floatAtLeast(Math.max(hi, 0.0));
        if ((double) h - l < MIN_SPAN) {
            return ALL_ZERO;
        }
        return new Range(l, h);
    }

    /** {@code (float) ((hi - lo) / 255)}: the real value of one int8 step. */
    public float scale() {
        return (float) (((double) hi - (double) lo) / (QMAX - QMIN));
    }

    /** {@code clamp(roundHalfAwayFromZero(-128 - lo / scale), -128, 127)}: the int8 value of real 0. */
    public int zeroPoint() {
        double z = QMIN - (double) lo / (double) scale();
        return (int) Math.max(QMIN, Math.min(QMAX, roundHalfAwayFromZero(z)));
    }

    /** Whether {@code x} lies in [lo, hi]. */
    public boolean contains(double x) {
        return x >= lo && x <= hi;
    }

    /** C's {@code round}: halves go away from zero; exact for every double (a - floor(a) is exact). */
    static double roundHalfAwayFromZero(double v) {
        double a = Math.abs(v);
        double f = Math.floor(a);
        return Math.copySign(a - f >= 0.5 ? f + 1 : f, v);
    }

    private static float floatAtMost(double v) {
        float f = (float) v;
        return f > v ? Math.nextDown(f) : f;
    }

    private static float floatAtLeast(double v) {
        float f = (float) v;
        return f < v ? Math.nextUp(f) : f;
    }
}
