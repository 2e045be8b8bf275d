package dev.tern.compress.prune;

import dev.tern.compress.BadInputException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolynomialScheduleTest {
    @Test
    void cubicFromInitialToTarget() {
        PolynomialSchedule s = new PolynomialSchedule(0.0, 0.8, 100, 300, 10);
        assertEquals(0.0, s.sparsityAt(0));
        assertEquals(0.0, s.sparsityAt(100));
        // halfway: target + (initial - target) * 0.5^3 = 0.8 - 0.8 / 8
        assertEquals(0.7, s.sparsityAt(200), 1e-12);
        assertEquals(0.8, s.sparsityAt(300), 1e-12);
        assertEquals(0.8, s.sparsityAt(10_000), 1e-12);
        double prev = -1;
        for (int t = 0; t <= 400; t++) {
            double v = s.sparsityAt(t);
            assertTrue(v >= prev, "step " + t);
            prev = v;
        }
        // a quarter of the way already prunes more than half the target
        assertEquals(0.8 - 0.8 * 0.75 * 0.75 * 0.75, s.sparsityAt(150), 1e-12);
    }

    @Test
    void masksUpdateEveryFrequencyStepsAndAtTheEnd() {
        PolynomialSchedule s = new PolynomialSchedule(0.1, 0.5, 5, 27, 10);
        assertFalse(s.updatesAt(4));
        assertTrue(s.updatesAt(5));
        assertFalse(s.updatesAt(6));
        assertTrue(s.updatesAt(15));
        assertTrue(s.updatesAt(25));
        assertTrue(s.updatesAt(27));
        assertFalse(s.updatesAt(35));
        assertEquals(0.8, PolynomialSchedule.oneShot(0.8).sparsityAt(0));
    }

    @Test
    void badSchedulesAreRejected() {
        assertThrows(BadInputException.class, () -> new PolynomialSchedule(0.5, 0.2, 0, 10, 1));
        assertThrows(BadInputException.class, () -> new PolynomialSchedule(0, 0.8, 10, 10, 1));
        assertThrows(BadInputException.class, () -> new PolynomialSchedule(0, 0.8, 0, 10, 0));
        assertThrows(BadInputException.class, () -> new PolynomialSchedule(0, 1.0, 0, 10, 1));
    }
}
