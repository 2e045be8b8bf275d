package dev.tern.runtime.internal.quant;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The requantization arithmetic against an exact BigInteger oracle (round half away from
 * zero at each of the two rounding steps, as gemmlowp), at its edges: ties, saturation,
 * multipliers near the limits, impossible multipliers.
 */
class FixedPointTest {
    static final long SEED = 20261125L;

    /** Exact round-half-away-from-zero of num / 2^bits. */
    static BigInteger roundHalfAway(BigInteger num, int bits) {
        BigInteger den = BigInteger.ONE.shiftLeft(bits);
        BigInteger[] qr = num.abs().divideAndRemainder(den);
        BigInteger q = qr[0];
        if (qr[1].shiftLeft(1).compareTo(den) >= 0) {
            q = q.add(BigInteger.ONE);
        }
        return num.signum() < 0 ? q.negate() : q;
    }

    /** Exact round-half-up (toward +infinity) of num / 2^bits: floor((num + 2^(bits-1)) / 2^bits). */
    static BigInteger roundHalfUp(BigInteger num, int bits) {
        BigInteger den = BigInteger.ONE.shiftLeft(bits);
        BigInteger[] qr = num.add(den.shiftRight(1)).divideAndRemainder(den);
        return qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
    }

    /** gemmlowp's high multiply: a * b / 2^31, nearest, ties toward +infinity, MIN * MIN saturated. */
    static int oracleHighMul(int a, int b) {
        if (a == Integer.MIN_VALUE && b == Integer.MIN_VALUE) {
            return Integer.MAX_VALUE;
        }
        return roundHalfUp(BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)), 31).intValueExact();
    }

    @Test
    void highMulMatchesTheOracle() {
        Random rnd = new Random(SEED);
        int[] edges = {0, 1, -1, 2, -2, 1 << 30, -(1 << 30), Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MIN_VALUE + 1};
        for (int a : edges) {
            for (int b : edges) {
                assertEquals(oracleHighMul(a, b), FixedPoint.saturatingRoundingDoublingHighMul(a, b), a + " * " + b);
            }
        }
        for (int i = 0; i < 200_000; i++) {
            int a = rnd.nextInt();
            int b = i % 2 == 0 ? rnd.nextInt() : (1 << 30) + rnd.nextInt(1 << 30);
            assertEquals(oracleHighMul(a, b), FixedPoint.saturatingRoundingDoublingHighMul(a, b),
                    a + " * " + b + " (seed " + SEED + ")");
        }
    }

    @Test
    void highMulRoundsTiesUp() {
        // a * b = +-2^30 exactly: +-0.5 after the division by 2^31; ties go toward +infinity.
        assertEquals(1, FixedPoint.saturatingRoundingDoublingHighMul(1 << 15, 1 << 15));
        assertEquals(0, FixedPoint.saturatingRoundingDoublingHighMul(-(1 << 15), 1 << 15));
        assertEquals(-1, FixedPoint.saturatingRoundingDoublingHighMul(-3 * (1 << 14), 1 << 15)); // -1.5 -> -1
        // just below the tie rounds toward zero
        assertEquals(0, FixedPoint.saturatingRoundingDoublingHighMul((1 << 15) - 1, 1 << 15));
        assertEquals(Integer.MAX_VALUE, FixedPoint.saturatingRoundingDoublingHighMul(Integer.MIN_VALUE, Integer.MIN_VALUE));
    }

    @Test
    void divideByPowerOfTwoMatchesTheOracleWithTiesAwayFromZero() {
        assertEquals(2, FixedPoint.roundingDivideByPOT(3, 1));    // 1.5 -> 2
        assertEquals(-2, FixedPoint.roundingDivideByPOT(-3, 1));  // -1.5 -> -2
        assertEquals(-1, FixedPoint.roundingDivideByPOT(-1, 1));  // -0.5 -> -1
        assertEquals(1, FixedPoint.roundingDivideByPOT(5, 3));    // 0.625 -> 1
        assertEquals(0, FixedPoint.roundingDivideByPOT(-3, 3));   // -0.375 -> 0
        assertEquals(7, FixedPoint.roundingDivideByPOT(7, 0));
        Random rnd = new Random(SEED + 1);
        for (int i = 0; i < 200_000; i++) {
            int x = i < 1000 ? i - 500 : rnd.nextInt();
            int e = rnd.nextInt(32);
            int want = roundHalfAway(BigInteger.valueOf(x), e).intValueExact();
            assertEquals(want, FixedPoint.roundingDivideByPOT(x, e), x + " / 2^" + e);
        }
        assertEquals(-1, FixedPoint.roundingDivideByPOT(Integer.MIN_VALUE, 31));
        assertEquals(1, FixedPoint.roundingDivideByPOT(Integer.MAX_VALUE, 31));
    }

    @Test
    void quantizedMultipliersRepresentTheRealValue() {
        Random rnd = new Random(SEED + 2);
        for (int i = 0; i < 100_000; i++) {
            double real = Math.pow(2, -30 + rnd.nextDouble() * 59);
            FixedPoint.Multiplier m = FixedPoint.quantizeMultiplier(real);
            assertTrue(m.multiplier >= (1 << 30), "normalized mantissa for " + real + ": " + m);
            assertEquals(real, m.value(), real * Math.pow(2, -31), "value of " + m);
        }
        FixedPoint.Multiplier one = FixedPoint.quantizeMultiplier(1.0);
        assertEquals(1 << 30, one.multiplier);
        assertEquals(1, one.shift);
        // a mantissa that rounds up to 1.0 moves to the next exponent
        FixedPoint.Multiplier up = FixedPoint.quantizeMultiplier(Math.nextDown(0.5));
        assertEquals(1 << 30, up.multiplier);
        assertEquals(0, up.shift);
        // the limits: 2^-32 needs the largest right shift (31), 2^29 the largest left shift (30); beyond is rejected
        assertEquals(-31, FixedPoint.quantizeMultiplier(Math.pow(2, -32)).shift);
        assertEquals(30, FixedPoint.quantizeMultiplier(Math.pow(2, 29)).shift);
        for (double bad : new double[] {0, -1e-3, Double.NaN, Double.POSITIVE_INFINITY, Math.pow(2, -33), Math.pow(2, 30),
            Double.MIN_VALUE}) {
            assertThrows(IllegalArgumentException.class, () -> FixedPoint.quantizeMultiplier(bad), "multiplier " + bad);
        }
    }

    @Test
    void multiplyMatchesTwoStepRoundingAndApproximatesTheRealProduct() {
        Random rnd = new Random(SEED + 3);
        for (int i = 0; i < 200_000; i++) {
            double real = Math.pow(2, -20 + rnd.nextDouble() * 20);   // the usual range, < 1
            FixedPoint.Multiplier m = FixedPoint.quantizeMultiplier(real);
            int x = rnd.nextInt(1 << 24) - (1 << 23);                     // int32 accumulators of int8 dots
            int got = FixedPoint.multiplyByQuantizedMultiplier(x, m.multiplier, m.shift);
            int left = Math.max(m.shift, 0);
            int right = Math.max(-m.shift, 0);
            int step1 = oracleHighMul(x * (1 << left), m.multiplier);
            int want = roundHalfAway(BigInteger.valueOf(step1), right).intValueExact();
            assertEquals(want, got, x + " * " + m + " (seed " + (SEED + 3) + ")");
            assertTrue(Math.abs(got - x * m.value()) <= 1.0, x + " * " + real + " = " + x * m.value() + ", got " + got);
        }
    }

    @Test
    void requantizeAddsTheZeroPointAndSaturates() {
        FixedPoint.Multiplier half = FixedPoint.quantizeMultiplier(0.5);
        assertEquals(5 + 3, FixedPoint.requantize(10, half.multiplier, half.shift, 3, -128, 127));
        assertEquals(127, FixedPoint.requantize(1 << 20, half.multiplier, half.shift, 0, -128, 127));
        assertEquals(-128, FixedPoint.requantize(-(1 << 20), half.multiplier, half.shift, 0, -128, 127));
        // fused ReLU: clamp at the zero point
        assertEquals(-5, FixedPoint.requantize(-100, half.multiplier, half.shift, -5, -5, 127));
        // 0.5 = 2^30 * 2^(0 - 31): no shift, so a tie is settled by the high multiply (up):
        assertEquals(2, FixedPoint.requantize(3, half.multiplier, half.shift, 0, -128, 127));
        assertEquals(-1, FixedPoint.requantize(-3, half.multiplier, half.shift, 0, -128, 127));
        // 0.25 = 2^30 * 2^(-1 - 31): -6 -> -3 exactly, then -3 / 2 = -1.5 -> -2 (the shift rounds away from zero)
        FixedPoint.Multiplier quarter = FixedPoint.quantizeMultiplier(0.25);
        assertEquals(-1, quarter.shift);
        assertEquals(-2, FixedPoint.requantize(-6, quarter.multiplier, quarter.shift, 0, -128, 127));
        assertEquals(2, FixedPoint.requantize(6, quarter.multiplier, quarter.shift, 0, -128, 127));
    }

    /** The branch-free requantize against the two-step form it replaces, over the whole int32 range. */
    @Test
    void requantizeEqualsTheTwoStepForm() {
        Random rnd = new Random(SEED + 7);
        int[] edges = {0, 1, -1, 2, -2, 3, -3, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MIN_VALUE + 1, 1 << 30, -(1 << 30)};
        for (int i = 0; i < 2_000_000; i++) {
            int m = (1 << 30) + rnd.nextInt(1 << 30);                  // Q31 multipliers are in [2^30, 2^31)
            if (i % 97 == 0) {
                m = i % 2 == 0 ? 1 << 30 : Integer.MAX_VALUE;
            }
            int shift = -rnd.nextInt(32);                               // [-31, 0]; left shifts take the plain path
            if (i % 13 == 0) {
                shift = rnd.nextInt(31);
            }
            int x;
            switch (i % 4) {
                case 0: x = rnd.nextInt(); break;
                case 1: x = rnd.nextInt(1 << 20) - (1 << 19); break;
                case 2: x = edges[rnd.nextInt(edges.length)]; break;
                default: {
                    // near a tie of the shift: high = k * 2^right + 2^(right-1) + {-1, 0, 1}
                    int right = -Math.min(shift, 0);
                    x = (rnd.nextInt(2001) - 1000) * (1 << Math.min(right, 20)) + (right > 0 ? 1 << (right - 1) : 0)
                            + rnd.nextInt(3) - 1;
                }
            }
            int zp = rnd.nextInt(256) - 128;
            int lo = rnd.nextBoolean() ? -128 : zp;
            int hi = rnd.nextInt(4) == 0 ? Math.min(127, zp + rnd.nextInt(128)) : 127;
            int v = FixedPoint.multiplyByQuantizedMultiplier(x, m, shift) + zp;
            int want = v < lo ? lo : (v > hi ? hi : v);
            int got = FixedPoint.requantize(x, m, shift, zp, lo, hi);
            if (want != got) {
                assertEquals(want, got, "requantize(" + x + ", " + m + ", " + shift + ", " + zp + ", " + lo + ", " + hi + ")");
            }
        }
    }

    @Test
    void aLeftShiftThatWouldOverflowSaturates() {
        // M = 2^16 (shift 17): 40000 * 2^17 does not fit int32; it must saturate, not wrap negative.
        FixedPoint.Multiplier big = FixedPoint.quantizeMultiplier(65536.0);
        assertEquals(17, big.shift);
        assertEquals(127, FixedPoint.requantize(40000, big.multiplier, big.shift, 0, -128, 127));
        assertEquals(-128, FixedPoint.requantize(-40000, big.multiplier, big.shift, 0, -128, 127));
        // (the shifted accumulator saturates at 2^31 - 1 before the Q31 multiply by 0.5)
        assertEquals(1 << 30, FixedPoint.multiplyByQuantizedMultiplier(40000, big.multiplier, big.shift));
        assertEquals(-(1 << 30), FixedPoint.multiplyByQuantizedMultiplier(-40000, big.multiplier, big.shift));
        // still exact where it fits: 3 * 2^16
        assertEquals(3 * 65536, FixedPoint.multiplyByQuantizedMultiplier(3, big.multiplier, big.shift));
    }
}
