package dev.tern.compress.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuickBenchTest {
    @Test
    void flatMeansWithinTheRelativeOrAbsoluteMargin() {
        assertTrue(QuickBench.flat(new double[] {0, 0, 0}, 0.01, 8));
        assertTrue(QuickBench.flat(new double[] {100, 104, 96}, 0.01, 8));
        assertTrue(QuickBench.flat(new double[] {1000, 1009, 1005}, 0.01, 0));
        assertFalse(QuickBench.flat(new double[] {105_000, 52_000, 0}, 0.01, 8));
        assertFalse(QuickBench.flat(new double[] {1000, 1200, 1000}, 0.10, 0));
    }
}
