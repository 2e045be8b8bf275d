package dev.tern.compress.quant;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RangeTest {
    @Test
    void nonNegativeRangePutsZeroAtMinus128() {
        Range r = new Range(0f, 2.55f);
        // 2.55f = 2.5499999523..., / 255 = 0.0099999998..., nearest float 0.01f
        assertEquals(0.01f, r.scale());
        assertEquals(-128, r.zeroPoint());
    }

    @Test
    void nonPositiveRangePutsZeroAt127() {
        Range r = new Range(-2.55f, 0f);
        assertEquals(0.01f, r.scale());
        // -128 + 2.55f / 0.01f = -128 + 255.0000003 -> 127
        assertEquals(127, r.zeroPoint());
    }

    @Test
    void symmetricRangeRoundsTheHalfAwayFromZero() {
        Range r = new Range(-1f, 1f);
        // float(2/255) = 2^-7 * (1 + 32897 / 2^23) = 0.0078431377187..., just above 2/255, so
        // 1 / scale = 127.4999925 and -128 - lo / scale = -0.5000075, which rounds to -1
        assertEquals(0.007843137718737125f, r.scale());
        assertEquals((float) (2.0 / 255), r.scale());
        assertEquals(-1, r.zeroPoint());
    }

    @Test
    void asymmetricRange() {
        Range r = new Range(-0.5f, 1.5f);
        // same scale as [-1, 1]; -128 + 0.5 / 0.0078431377 = -128 + 63.7499962 = -64.25 -> -64
        assertEquals((float) (2.0 / 255), r.scale());
        assertEquals(-64, r.zeroPoint());
    }

    @Test
    void theNudgedGridCoversTheRangeWithinHalfAStep() {
        float[][] cases = {{-1f, 1f}, {-0.5f, 1.5f}, {0f, 6f}, {-3.7f, 0.2f}, {-1e-3f, 4e-3f}, {-100f, 27.5f}};
        for (float[] c : cases) {
            Range r = new Range(c[0], c[1]);
            float s = r.scale();
            int z = r.zeroPoint();
            assertTrue(z >= -128 && z <= 127);
            assertTrue(s * (-128.0 - z) <= c[0] + s / 2.0 + 1e-6 * s, r.toString());
            assertTrue(s * (127.0 - z) >= c[1] - s / 2.0 - 1e-6 * s, r.toString());
        }
    }

    @Test
    void coveringExtendsToZero() {
        assertEquals(new Range(0f, 5f), Range.covering(2, 5));
        assertEquals(new Range(-3f, 0f), Range.covering(-3, -1));
        assertEquals(new Range(-3f, 4f), Range.covering(-3, 4));
        assertSame(Range.ALL_ZERO, Range.covering(0, 0));
        assertSame(Range.ALL_ZERO, Range.covering(-1e-40, 1e-40));
        // ends are rounded outward to floats
        Range r = Range.covering(-0.1, 0.1);
        assertTrue(r.lo() <= -0.1 && r.hi() >= 0.1);
    }

    @Test
    void rejectsRangesWithoutZeroOrWidth() {
        assertThrows(IllegalArgumentException.class, () -> new Range(0.5f, 1f));
        assertThrows(IllegalArgumentException.class, () -> new Range(-1f, -0.5f));
        assertThrows(IllegalArgumentException.class, () -> new Range(0f, 0f));
        assertThrows(IllegalArgumentException.class, () -> new Range(Float.NaN, 1f));
        assertThrows(IllegalArgumentException.class, () -> new Range(-1f, Float.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> Range.covering(1, 0));
    }

    @Test
    void roundsHalvesAwayFromZero() {
        assertEquals(1.0, Range.roundHalfAwayFromZero(0.5));
        assertEquals(-1.0, Range.roundHalfAwayFromZero(-0.5));
        assertEquals(3.0, Range.roundHalfAwayFromZero(2.5));
        assertEquals(0.0, Range.roundHalfAwayFromZero(0.49999999999999994));
        assertEquals(-2.0, Range.roundHalfAwayFromZero(-1.6));
    }
}
