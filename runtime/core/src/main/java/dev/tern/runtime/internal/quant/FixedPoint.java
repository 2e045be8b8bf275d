package dev.tern.runtime.internal.quant;

/**
 * The integer requantization arithmetic of the int8 scheme (TFLite's, so results can be
 * compared with the wider ecosystem), bit-exact on every JVM, ISA and Android:
 * a real multiplier M in (0, 2^31) is represented as a Q31 fixed-point multiplier m in
 * [2^30, 2^31) and a power-of-two exponent e, M = m * 2^(e - 31); an int32 accumulator x is
 * rescaled as {@code roundingDivideByPOT(saturatingRoundingDoublingHighMul(x * 2^max(e,0), m), max(-e,0))}.
 * Rounding is to nearest in both steps, exactly as gemmlowp and TFLite's reference kernels
 * do it: ties toward +infinity in the high multiply, ties away from zero in the shift.
 */
public final class FixedPoint {
    /** The largest right shift a multiplier may need; smaller multipliers are rejected. */
    public static final int MAX_RIGHT_SHIFT = 31;
    /** The largest left shift; larger multipliers are rejected. */
    public static final int MAX_LEFT_SHIFT = 30;

    private FixedPoint() {
    }

    /** A real multiplier as (Q31 multiplier, exponent). */
    public static final class Multiplier {
        public final int multiplier;
        public final int shift;

        Multiplier(int multiplier, int shift) {
            this.multiplier = multiplier;
            this.shift = shift;
        }

        /** The real value m * 2^(shift - 31) this represents. */
        public double value() {
            return multiplier * Math.pow(2, shift - 31);
        }

        @Override
        public String toString() {
            return "Multiplier{" + multiplier + " * 2^(" + shift + " - 31)}";
        }
    }

    /**
     * Quantizes a positive real multiplier (e.g. input scale * weight scale / output scale)
     * to (m, e) with m in [2^30, 2^31), as TFLite's {@code QuantizeMultiplier}: frexp, then
     * round the mantissa to 31 bits (a mantissa that rounds up to 1.0 moves to the next exponent).
     *
     * @throws IllegalArgumentException for a multiplier that is not finite and positive, or
     *                                  whose exponent lies outside [-31, 30] (the scales that
     *                                  produced it cannot be requantized in 32-bit arithmetic)
     */
    public static Multiplier quantizeMultiplier(double real) {
        if (!(real > 0) || Double.isInfinite(real)) {
            throw new IllegalArgumentException("requantization multiplier must be finite and > 0, got " + real);
        }
        int exp = Math.getExponent(real) + 1;           // real = frac * 2^exp, frac in [0.5, 1)
        double frac = real / Math.pow(2, exp);
        if (Double.isInfinite(Math.pow(2, exp)) || frac == 0) { // subnormal or huge: outside any usable range
            throw new IllegalArgumentException("requantization multiplier " + real + " is outside [2^-32, 2^31)");
        }
        long q = Math.round(frac * (1L << 31));          // round half away from zero (frac > 0)
        if (q == (1L << 31)) {
            q /= 2;
            exp++;
        }
        if (exp < -MAX_RIGHT_SHIFT || exp > MAX_LEFT_SHIFT) {
            throw new IllegalArgumentException("requantization multiplier " + real + " needs a shift of " + exp
                    + ", outside [-" + MAX_RIGHT_SHIFT + ", " + MAX_LEFT_SHIFT + "]: the scales are out of proportion");
        }
        return new Multiplier((int) q, exp);
    }

    /**
     * (a * b * 2) / 2^32 rounded to nearest, ties toward +infinity (gemmlowp adds 2^30, or
     * 1 - 2^30 for negative products, then truncates), saturating the one overflowing case
     * (a = b = Integer.MIN_VALUE) to Integer.MAX_VALUE. gemmlowp's
     * {@code SaturatingRoundingDoublingHighMul}.
     */
    public static int saturatingRoundingDoublingHighMul(int a, int b) {
        if (a == Integer.MIN_VALUE && b == Integer.MIN_VALUE) {
            return Integer.MAX_VALUE;
        }
        long ab = (long) a * (long) b;
        long nudge = ab >= 0 ? (1L << 30) : (1L - (1L << 30));
        return (int) ((ab + nudge) / (1L << 31));        // Java's / truncates toward zero, as C++'s
    }

    /** x / 2^exponent rounded half away from zero; exponent in [0, 31]. gemmlowp's {@code RoundingDivideByPOT}. */
    public static int roundingDivideByPOT(int x, int exponent) {
        int mask = (int) ((1L << exponent) - 1);
        int remainder = x & mask;
        int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
        return (x >> exponent) + (remainder > threshold ? 1 : 0);
    }

    /**
     * x * M for M = (multiplier, shift), as TFLite's {@code MultiplyByQuantizedMultiplier}.
     * For M >= 1 the left shift saturates to the int32 range where TFLite's would overflow
     * (undefined in C++); any such result is far outside int8 and clamps the same way.
     */
    public static int multiplyByQuantizedMultiplier(int x, int multiplier, int shift) {
        int left = shift > 0 ? shift : 0;
        int right = shift > 0 ? 0 : -shift;
        long shifted = (long) x << left;
        int xs = shifted > Integer.MAX_VALUE ? Integer.MAX_VALUE : (shifted < Integer.MIN_VALUE ? Integer.MIN_VALUE : (int) shifted);
        return roundingDivideByPOT(saturatingRoundingDoublingHighMul(xs, multiplier), right);
    }

    /**
     * The whole output step of an int8 kernel: rescale the int32 accumulator, add the output
     * zero point, clamp to [min, max] (the fused activation's bounds within [-128, 127]).
     */
    public static int requantize(int acc, int multiplier, int shift, int zeroPoint, int min, int max) {
        if (shift > 0 || multiplier <= 0) {
            int v = multiplyByQuantizedMultiplier(acc, multiplier, shift) + zeroPoint;
            return v < min ? min : (v > max ? max : v);
        }
        // The same two roundings in closed form, without data-dependent branches (this runs once
        // per output of every int8 kernel, and the signs and remainders are random: branches
        // mispredicted half the time). FixedPointTest holds it to the two-step form.
        //  1. High multiply: the nudge is 2^30, or 1 - 2^30 for a negative product, then a
        //     division by 2^31 truncating toward zero. For ab >= 0 that is floor((ab + 2^30) / 2^31);
        //     for ab < 0, t = ab + 1 - 2^30 < 0 and truncation is ceil(t / 2^31) =
        //     floor((t + 2^31 - 1) / 2^31): so h = floor(u / 2^31) with u = ab + 2^30 either way.
        //  2. Rounding divide by 2^r, ties away from zero (r >= 1): floor((h + 2^(r-1) - [h < 0]) / 2^r);
        //     for r = 0 it is h. Since h + k = floor((u + k * 2^31) / 2^31) for an integer k, and
        //     nested floors compose, both steps are one floor: (u + (2^(r-1) - [u < 0]) * 2^31) >> (31 + r)
        //     ([h < 0] is [u < 0]; the terms are 0 for r = 0). Exact for multiplier > 0.
        long u = (long) acc * multiplier + (1L << 30);
        int right = -shift;
        long nudge = right > 0 ? (1L << (right - 1)) << 31 : 0;
        long negative = right > 0 ? (u >> 63) & (1L << 31) : 0;
        int v = (int) ((u + nudge - negative) >> (31 + right)) + zeroPoint;
        return Math.min(Math.max(v, min), max);
    }
}
