package dev.tern.compress.report;

import java.util.List;
import java.util.Locale;

/**
 * How busy the machine was while latency was measured: samples of the system load average
 * (one-minute, as {@code OperatingSystemMXBean.getSystemLoadAverage}) against the number of
 * available processors. Independent of the variants: one per run.
 *
 * <p>The run counts as loaded when the highest sample exceeds {@link #LOADED_FRACTION} of
 * the processors. The probe itself keeps one core busy, so on 2 cores a load of 1 is the
 * measurement alone and 1.5 means another job took at least half of the other core.
 *
 * @param samples    load averages; empty when unknown (not sampled, or not available on this OS)
 * @param processors available processors; 0 when unknown
 */
public record MachineLoad(List<Double> samples, int processors) {
    /** Load average per processor above which the run counts as loaded. */
    public static final double LOADED_FRACTION = 0.75;

    public MachineLoad {
        // getSystemLoadAverage is negative where the OS does not provide it: such a sample is no sample
        samples = samples.stream().filter(v -> v >= 0 && !Double.isInfinite(v)).toList();
    }

    /** Nothing known about the load. */
    public static MachineLoad unknown() {
        return new MachineLoad(List.of(), 0);
    }

    /** Whether the run was loaded, idle, or unknown. */
    public Status status() {
        if (samples.isEmpty() || processors <= 0) {
            return Status.UNKNOWN;
        }
        return max() > LOADED_FRACTION * processors ? Status.LOADED : Status.IDLE;
    }

    /** The highest sample (NaN without samples). */
    public double max() {
        return samples.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** The mean of the samples (NaN without samples). */
    public double mean() {
        return samples.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** One sentence for the report. */
    public String sentence() {
        return switch (status()) {
            case UNKNOWN -> "The machine's load during the latency measurement is unknown.";
            case IDLE -> String.format(Locale.ROOT, "The machine was quiet during the latency measurement (load average "
                    + "%.2f at most, mean %.2f, on %d processors).", max(), mean(), processors);
            case LOADED -> String.format(Locale.ROOT, "The machine was loaded during the latency measurement (load average up "
                    + "to %.2f, mean %.2f, on %d processors): other work competed with the timed runs, so latencies and "
                    + "speedups may differ on an idle machine.", max(), mean(), processors);
        };
    }

    /** See {@link #status()}. */
    public enum Status {
        IDLE, LOADED, UNKNOWN
    }
}
