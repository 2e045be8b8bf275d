package dev.tern.compress.pipeline;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How much CPU other processes used while a latency probe ran: the machine's busy time
 * (from /proc/stat) minus what the probe JVM and this JVM used, over the probe's wall time,
 * in cores. The system load average, which the report used before, counts the probe itself
 * (a fresh JVM keeps one core busy and its JIT another for a while) and trails by a minute,
 * so right after the demo's training it called an idle machine loaded.
 *
 * <p>Linux only; elsewhere (or if /proc/stat cannot be read) a sample is NaN, and the
 * report says the load is unknown. /proc/stat counts in USER_HZ ticks, 100 per second on
 * every Linux architecture this runs on; a tick is 10 ms, so a sample is exact to about
 * 0.02 cores over a one-second probe.
 */
final class OtherCpu {
    /** Nanoseconds per /proc/stat tick (USER_HZ = 100). */
    static final long TICK_NS = 10_000_000L;
    private static final Path STAT = Path.of("/proc/stat");

    private final long busy0;
    private final long self0;
    private final long wall0;

    private OtherCpu(long busy0, long self0, long wall0) {
        this.busy0 = busy0;
        this.self0 = self0;
        this.wall0 = wall0;
    }

    /** Starts a sample: call just before starting the probe. */
    static OtherCpu start() {
        return new OtherCpu(busyTicks(), selfCpuNanos(), System.nanoTime());
    }

    /**
     * Ends the sample: call after the probe exited, with the CPU time it reported.
     * Returns the cores other processes used meanwhile, or NaN when unknown.
     */
    double end(long probeCpuNanos) {
        long busy1 = busyTicks();
        long self1 = selfCpuNanos();
        long wall = System.nanoTime() - wall0;
        if (busy0 < 0 || busy1 < 0 || self0 < 0 || self1 < 0 || probeCpuNanos < 0) {
            return Double.NaN;
        }
        return cores(busy1 - busy0, probeCpuNanos, self1 - self0, wall);
    }

    /**
     * Other processes' cores: busy ticks as nanoseconds, less the probe's and our own CPU
     * time, over the wall time; never below 0 (the tick count is coarser than the CPU times).
     */
    static double cores(long busyTicks, long probeCpuNanos, long selfCpuNanos, long wallNanos) {
        if (wallNanos <= 0) {
            return Double.NaN;
        }
        double others = (double) busyTicks * TICK_NS - probeCpuNanos - selfCpuNanos;
        return Math.max(0, others / wallNanos);
    }

    /**
     * Busy ticks of all CPUs from the first line of /proc/stat: user, nice, system, irq,
     * softirq and steal (steal is time the hypervisor gave to other machines, which a probe
     * loses as surely as time taken by a local process); idle and iowait are not busy.
     * Returns -1 when the file is missing or not in that form.
     */
    static long busyTicks() {
        try {
            return parseBusy(Files.readAllLines(STAT).get(0));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** See {@link #busyTicks()}: {@code cpu user nice system idle iowait irq softirq steal ...}. */
    static long parseBusy(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        if (f.length < 9 || !f[0].equals("cpu")) {
            return -1;
        }
        long busy = 0;
        for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
            busy += Long.parseLong(f[i]);
        }
        return busy;
    }

    /** This process's CPU time, or -1 where the JVM does not tell. */
    static long selfCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }
}
