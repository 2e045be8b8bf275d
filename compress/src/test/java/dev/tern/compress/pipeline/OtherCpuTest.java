package dev.tern.compress.pipeline;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The accounting that tells the report whether other work competed with a latency probe. */
class OtherCpuTest {
    @Test
    void busyTicksAreUserNiceSystemIrqSoftirqAndSteal() {
        // cpu user nice system idle iowait irq softirq steal guest guest_nice
        assertEquals(100 + 2 + 30 + 4 + 5 + 6, OtherCpu.parseBusy("cpu  100 2 30 9000 70 4 5 6 0 0"));
        assertEquals(-1, OtherCpu.parseBusy("cpu0 100 2 30 9000 70 4 5 6 0 0"), "the all-CPU line only");
        assertEquals(-1, OtherCpu.parseBusy("cpu 1 2 3"), "too short");
    }

    @Test
    void othersAreTheBusyTimeLessTheProbeAndUsOverTheWallTime() {
        // 2 s of wall time; 300 ticks = 3.0 core-seconds busy, of which the probe used 1.8 s and we 0.2 s:
        // others used 1.0 core-second, 0.5 cores
        assertEquals(0.5, OtherCpu.cores(300, 1_800_000_000L, 200_000_000L, 2_000_000_000L), 1e-12);
        // the probe alone, measured a tick short: never negative
        assertEquals(0.0, OtherCpu.cores(180, 1_805_000_000L, 0, 2_000_000_000L));
        assertTrue(Double.isNaN(OtherCpu.cores(1, 0, 0, 0)));
    }

    @Test
    void onLinuxASampleIsMeasured() {
        if (!System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return;
        }
        assertTrue(OtherCpu.busyTicks() > 0);
        assertTrue(OtherCpu.selfCpuNanos() > 0);
        double others = OtherCpu.start().end(0);
        assertTrue(others >= 0, "a sample with no probe is this process's neighbours only: " + others);
    }
}
