package dev.tern.compress.report;

import java.util.List;
import java.util.Locale;

/**
 * How busy the machine was while latency was measured: for each latency probe, the cores
 * that other processes used while it ran (the machine's busy time less the probe's and the
 * pipeline's own CPU time, over the probe's wall time), and the number of processors.
 * Independent of the variants: one per run.
 *
 * <p>The run counts as loaded when, during some probe, other processes used more than
 * {@link #LOADED_CORES} of a core on average: the probe's own JVM needs one core to run and,
 * while it warms up, another for its JIT compiler. (The system load average, used before,
 * counts the probe itself and trails by a minute: after the demo's training it called an
 * idle 2-core machine loaded.)
 *
 * @param samples    other processes' cores per probe; empty when unknown (not sampled, or
 *                   not measurable on this OS: NaN and negative samples are dropped)
 * @param processors available processors; 0 when unknown
 */
public record MachineLoad(List<Double> samples, int processors) {
    /** Cores used by other processes during a probe above which the run counts as loaded. */
    public static final double LOADED_CORES = 0.5;

    public MachineLoad {
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
        return max() > LOADED_CORES ? Status.LOADED : Status.IDLE;
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
            case IDLE -> String.format(Locale.ROOT, "The machine was quiet during the latency measurement (other processes "
                    + "used %.2f cores at most, %.2f on average, of %d processors).", max(), mean(), processors);
            case LOADED -> String.format(Locale.ROOT, "The machine was loaded during the latency measurement (other processes "
                    + "used up to %.2f cores, %.2f on average, of %d processors): other work competed with the timed runs, so "
                    + "latencies and speedups may differ on an idle machine.", max(), mean(), processors);
        };
    }

    /** See {@link #status()}. */
    public enum Status {
        IDLE, LOADED, UNKNOWN
    }
}
