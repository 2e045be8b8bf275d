package dev.tern.runtime.internal.kernels.scalar;

/**
 * exp, expm1, tanh and log in float32 arithmetic, for the scalar kernels of the 1.4 ops that
 * need them (exp, tanh, log, elu, log_softmax). java.lang.Math has these in double only, as
 * calls the JIT cannot unroll or schedule with the loop around them (tanh, on JDK 17, a native
 * call); these are short straight-line float code, inlined into the kernels' loops. Arguments
 * are clamped by comparisons, branches that data almost never take (Math.min and max of floats
 * cost more on C2's path, which must order -0 and NaN).
 *
 * <p>Accuracy, measured on every float of the ranges named against Math's double results
 * (which are within an ulp of the exact values): exp at most 1.02 ulp, expm1 (x <= 0) 0.90 ulp,
 * tanh 2.5 ulp, log 0.84 ulp. Special values are the double functions' rounded to float: NaN
 * stays NaN, exp(-inf) = 0, exp(+inf) = +inf, exp overflows to +inf and underflows through the
 * subnormals to 0, tanh(+-inf) = +-1, tanh(-0) = -0, log(0) = -inf, log(x < 0) = NaN,
 * log(+inf) = +inf.
 */
final class FloatMath {
    private FloatMath() {
    }

    static final float LOG2E = 1.44269504f;
    /** 1.5 x 2^23: x + SHIFTER - SHIFTER rounds x to an integer (|x| < 2^22). */
    static final float SHIFTER = 12582912f;
    /** ln 2 in two parts (Cody and Waite): k LN2_HI is exact for |k| < 512. */
    static final float LN2_HI = 0.693145752f;
    static final float LN2_LO = 1.42860677e-6f;
    // Taylor coefficients of e^r - 1 - r - r^2/2 beyond r^2 (|r| <= ln2 / 2: remainder below 2^-26 relative)
    static final float E3 = 1f / 6, E4 = 1f / 24, E5 = 1f / 120, E6 = 1f / 720, E7 = 1f / 5040;
    // log: fdlibm's e_logf.c (|log(1 + s) - log(1 - s)) / s - Lg(s)| < 2^-34.24) and its ln 2 split
    static final float LG1 = 0.66666662693f, LG2 = 0.40000972152f, LG3 = 0.28498786688f, LG4 = 0.24279078841f;
    static final float LOG_LN2_HI = 6.9313812256e-01f, LOG_LN2_LO = 9.0580006145e-06f;

    /** e^r - 1 for |r| <= ln2 / 2, relative error below 1 ulp. */
    private static float expm1Reduced(float r) {
        float q = ((((E7 * r + E6) * r + E5) * r + E4) * r + E3) * r + 0.5f;
        return r + (r * r) * q;
    }

    /** 2^n as a float, for -126 <= n <= 127. */
    private static float pow2(int n) {
        return Float.intBitsToFloat((n + 127) << 23);
    }

    /**
     * e^x: x = k ln2 + r with k = round(x / ln2), |r| <= ln2 / 2; e^x = (1 + expm1(r)) 2^k, the
     * scaling in two exact steps so that results in the subnormals round once.
     */
    static float exp(float x) {
        float v = x; // beyond [-104, 89], 0 and +inf; NaN fails both tests and stays NaN
        if (v < -104f) {
            v = -104f;
        }
        if (v > 89f) {
            v = 89f;
        }
        float k = (v * LOG2E + SHIFTER) - SHIFTER;
        float r = (v - k * LN2_HI) - k * LN2_LO;
        int n = (int) k; // -150..128
        int n1 = n >> 1;
        return (1f + expm1Reduced(r)) * pow2(n1) * pow2(n - n1);
    }

    /**
     * e^x - 1 for x <= 0 (callers clamp: a positive x is outside the reduction's range):
     * 2^k expm1(r) + (2^k - 1), relative error below 1 ulp also near 0, where e^x - 1 would
     * cancel.
     */
    static float expm1(float x) {
        float v = x; // below -30 the result rounds to -1; NaN stays NaN
        if (v < -30f) {
            v = -30f;
        }
        float k = (v * LOG2E + SHIFTER) - SHIFTER;
        float r = (v - k * LN2_HI) - k * LN2_LO;
        float s = pow2((int) k);
        return s * expm1Reduced(r) + (s - 1f);
    }

    /** tanh x = -t / (t + 2) with t = expm1(-2|x|), signed as x: no cancellation near 0 or overflow for large |x|. */
    static float tanh(float x) {
        float t = expm1(-2f * Math.abs(x));
        return Math.copySign(-t / (t + 2f), x);
    }

    /**
     * log x = k ln2 + log(1 + f), 1 + f in [sqrt(2) / 2, sqrt(2)), log(1 + f) from s = f / (2 + f)
     * (fdlibm's logf). Zero, negative, subnormal, infinite and NaN arguments take Math.log.
     */
    static float log(float x) {
        if (!(x >= Float.MIN_NORMAL && x < Float.POSITIVE_INFINITY)) {
            return (float) Math.log(x);
        }
        int ix = Float.floatToRawIntBits(x) + (0x3f800000 - 0x3f3504f3);
        int k = (ix >> 23) - 0x7f;
        float f = Float.intBitsToFloat((ix & 0x007fffff) + 0x3f3504f3) - 1f;
        float s = f / (2f + f);
        float z = s * s;
        float w = z * z;
        float r = z * (LG1 + w * LG3) + w * (LG2 + w * LG4);
        float hfsq = 0.5f * f * f;
        float dk = k;
        return s * (hfsq + r) + dk * LOG_LN2_LO - hfsq + f + dk * LOG_LN2_HI;
    }
}
