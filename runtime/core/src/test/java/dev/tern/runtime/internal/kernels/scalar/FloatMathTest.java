package dev.tern.runtime.internal.kernels.scalar;

import org.junit.jupiter.api.Test;

import java.util.function.DoubleUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FloatMath} against java.lang.Math's double functions (within an ulp of the exact
 * values in double, so exact at float precision): the documented error bounds in float ulps
 * on floats spread over each function's whole range (every 997th float bit pattern between
 * the bounds, plus the bounds), and the special values.
 */
class FloatMathTest {
    interface FloatFn {
        float apply(float x);
    }

    /** The largest error in ulps of the correctly rounded result over every step-th float in [lo, hi] (same sign). */
    static double worstUlps(FloatFn f, DoubleUnaryOperator exact, float lo, float hi, int step) {
        double worst = 0;
        int a = Float.floatToRawIntBits(lo);
        int b = Float.floatToRawIntBits(hi);
        int from = Math.min(a, b);
        int to = Math.max(a, b);
        for (long bits = from; bits <= to; bits = bits < to && bits + step > to ? to : bits + step) {
            float x = Float.intBitsToFloat((int) bits);
            double e = exact.applyAsDouble(x);
            float got = f.apply(x);
            // ulp of the result, never below the smallest normal's (results in the subnormals are absolute)
            double ulp = Math.ulp(Math.max(Math.abs((float) e), Float.MIN_NORMAL));
            double err = Math.abs(got - e) / ulp;
            assertTrue(err == err, "NaN at " + x);
            worst = Math.max(worst, err);
        }
        return worst;
    }

    @Test
    void expIsWithinItsBound() {
        double w = Math.max(worstUlps(FloatMath::exp, Math::exp, -103.9f, -0f, 997), worstUlps(FloatMath::exp, Math::exp, 0f, 88.72f, 997));
        assertTrue(w <= 1.02, "exp: " + w + " ulp");
    }

    @Test
    void expm1IsWithinItsBoundUpToZero() {
        double w = worstUlps(FloatMath::expm1, Math::expm1, -40f, -Float.MIN_VALUE, 997);
        assertTrue(w <= 0.9, "expm1: " + w + " ulp");
    }

    @Test
    void tanhIsWithinItsBound() {
        double w = Math.max(worstUlps(FloatMath::tanh, Math::tanh, Float.MIN_VALUE, 20f, 997),
                worstUlps(FloatMath::tanh, Math::tanh, -20f, -Float.MIN_VALUE, 997));
        assertTrue(w <= 2.5, "tanh: " + w + " ulp");
    }

    @Test
    void logIsWithinItsBound() {
        double w = worstUlps(FloatMath::log, Math::log, Float.MIN_VALUE, Float.MAX_VALUE, 997);
        assertTrue(w <= 0.84, "log: " + w + " ulp");
    }

    @Test
    void specialValuesAreThoseOfTheDoubleFunctions() {
        float[] xs = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, Float.MIN_NORMAL,
            Float.MAX_VALUE, -Float.MAX_VALUE, 88.72283f, 88.72284f, -87.34f, -103.98f, -104f, -200f, 1f, -1f};
        for (float x : xs) {
            assertWithinAnUlp((float) Math.exp(x), FloatMath.exp(x), "exp(" + x + ")");
            assertWithinAnUlp((float) Math.tanh(x), FloatMath.tanh(x), "tanh(" + x + ")");
            assertWithinAnUlp((float) Math.log(x), FloatMath.log(x), "log(" + x + ")");
            if (!(x > 0)) {
                assertWithinAnUlp((float) Math.expm1(x), FloatMath.expm1(x), "expm1(" + x + ")");
            }
        }
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(FloatMath.tanh(-0f)), "tanh(-0) = -0");
    }

    /** The same value (NaN and infinities included), or finite and at most an ulp of the expected value apart. */
    static void assertWithinAnUlp(float expected, float actual, String what) {
        boolean same = Float.floatToIntBits(expected) == Float.floatToIntBits(actual)
                || Float.isFinite(expected) && Float.isFinite(actual) && Math.abs(expected - actual) <= Math.ulp(expected);
        assertTrue(same, what + ": expected " + expected + ", got " + actual);
    }
}
