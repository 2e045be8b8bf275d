package dev.tern.compress.eval;

import dev.tern.compress.BadInputException;
import dev.tern.runtime.Session;
import dev.tern.runtime.SessionOptions;
import dev.tern.runtime.TaskSet;
import dev.tern.runtime.TernModel;
import org.HdrHistogram.Histogram;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The measurement behind {@code tern bench}: batch latency of {@code Session.run} on seeded random
 * inputs after a warm-up that lasts until the JIT has settled, with bytes allocated per run.
 *
 * <p>Why "until settled": with a fixed 300 warm-up runs the int8 teacher reported 105 KB
 * allocated per run next to 0 for fp32, because its code was not compiled yet (objects that
 * C2's escape analysis removes are still allocated by the interpreter and C1). So the warm-up
 * runs the requested runs, then rounds of at least {@link #ROUND} runs and {@link #ROUND_NANOS} until {@link #FLAT_ROUNDS}
 * rounds in a row allocate the same per run (within 1%) and have medians within 10% of each
 * other, at most {@link #MAX_EXTRA_RUNS} more runs or {@link #MAX_EXTRA_NANOS}. If it does not
 * settle, the outcome says so rather than passing compile-time figures as steady ones.
 */
public final class QuickBench {
    static final int ROUND = 200;
    /** A round also lasts at least this long: C2 compiles in the background, slower than a tiny model runs 200 times. */
    static final long ROUND_NANOS = 250_000_000L;
    static final int FLAT_ROUNDS = 3;
    static final int MAX_EXTRA_RUNS = 30_000;
    static final long MAX_EXTRA_NANOS = 60_000_000_000L;

    /** What to measure; {@link #check()} names the option that is out of range. */
    public record Config(int batch, int runs, int warmup, int threads, List<String> tasks, boolean perOp) {
        public Config check() {
            if (batch < 1 || batch > 4096) {
                throw new BadInputException("batch must lie in [1, 4096], got " + batch);
            }
            if (runs < 1) {
                throw new BadInputException("runs must be at least 1, got " + runs);
            }
            if (threads < 1 || threads > SessionOptions.MAX_THREADS) {
                throw new BadInputException("threads must lie in [1, " + SessionOptions.MAX_THREADS + "], got " + threads);
            }
            if (warmup < 0) {
                throw new BadInputException("warmup must be >= 0, got " + warmup);
            }
            return this;
        }
    }

    /**
     * Latencies in microseconds; {@code allocatedPerRun} is -1 where the JVM cannot count a
     * thread's allocation; {@code warmupRuns} is how many untimed runs there were in all;
     * {@code opNanos} is null unless per-op profiling was asked for (-1 for nodes not run).
     */
    public record Outcome(double p50, double p90, double p99, double max, double mean, double allocatedPerRun,
                          int warmupRuns, boolean steady, double lastRoundAllocatedPerRun, long[] opNanos) {
        public double samplesPerSecond(int batch) {
            return batch * 1e6 / mean;
        }
    }

    private QuickBench() {
    }

    public static Outcome run(TernModel model, Config config) {
        config.check();
        if (model.def().inputs().size() != 1) {
            throw new BadInputException("the model has " + model.def().inputs().size() + " inputs; tern bench runs single-input models");
        }
        TaskSet set = config.tasks() == null || config.tasks().isEmpty() ? model.allTasks()
                : model.taskSet(config.tasks().toArray(new String[0]));
        float[] x = new float[model.def().inputs().get(0).sampleSize() * config.batch()];
        Random rnd = new Random(42);
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextFloat();
        }
        Allocation alloc = new Allocation();
        Histogram h = new Histogram(3_600_000_000_000L, 3);
        try (Session s = model.newSession(SessionOptions.defaults().withMaxBatch(config.batch()).withThreads(config.threads()))) {
            for (int i = 0; i < config.warmup(); i++) {
                s.run(x, set);
            }
            Settle settle = settle(s, x, set, alloc);
            long a0 = alloc.now();
            for (int i = 0; i < config.runs(); i++) {
                long t0 = System.nanoTime();
                s.run(x, set);
                h.recordValue(Math.max(1, System.nanoTime() - t0));
            }
            double allocated = alloc.known() ? (alloc.now() - a0) / (double) config.runs() : -1;
            long[] ops = config.perOp() ? s.profileNodes(x, set, config.warmup(), config.runs()) : null;
            return new Outcome(h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3,
                    h.getValueAtPercentile(99) / 1e3, h.getMaxValue() / 1e3, h.getMean() / 1e3, allocated,
                    config.warmup() + settle.runs, settle.steady, settle.lastAllocated, ops);
        }
    }

    private record Settle(int runs, boolean steady, double lastAllocated) {
    }

    /** Rounds of warm-up until allocation and median latency are flat (see the class comment). */
    private static Settle settle(Session s, float[] x, TaskSet set, Allocation alloc) {
        double[] allocated = new double[FLAT_ROUNDS];
        double[] medians = new double[FLAT_ROUNDS];
        long[] t = new long[ROUND];
        long start = System.nanoTime();
        int runs = 0;
        for (int round = 0; ; round++) {
            long a0 = alloc.now();
            long roundStart = System.nanoTime();
            int n = 0;
            while (n < ROUND || System.nanoTime() - roundStart < ROUND_NANOS) {
                long t0 = System.nanoTime();
                s.run(x, set);
                long dt = System.nanoTime() - t0;
                if (n < ROUND) {
                    t[n] = dt;
                } else {
                    t[n % ROUND] = dt; // the median of the round's last ROUND runs
                }
                n++;
            }
            runs += n;
            Arrays.sort(t);
            allocated[round % FLAT_ROUNDS] = alloc.known() ? (alloc.now() - a0) / (double) n : 0;
            medians[round % FLAT_ROUNDS] = t[ROUND / 2];
            if (round + 1 >= FLAT_ROUNDS && flat(allocated, 0.01, 8) && flat(medians, 0.10, 0)) {
                return new Settle(runs, true, allocated[round % FLAT_ROUNDS]);
            }
            if (runs >= MAX_EXTRA_RUNS || System.nanoTime() - start > MAX_EXTRA_NANOS) {
                return new Settle(runs, false, allocated[round % FLAT_ROUNDS]);
            }
        }
    }

    /** Whether all values lie within {@code rel} of the largest, or within {@code abs} of each other. */
    static boolean flat(double[] v, double rel, double abs) {
        double lo = Double.MAX_VALUE;
        double hi = -Double.MAX_VALUE;
        for (double d : v) {
            lo = Math.min(lo, d);
            hi = Math.max(hi, d);
        }
        return hi - lo <= abs || hi - lo <= rel * hi;
    }

    /** This thread's allocated bytes, where the JVM counts them (HotSpot does; some JVMs do not). */
    private static final class Allocation {
        private final com.sun.management.ThreadMXBean bean;
        private final long thread = Thread.currentThread().getId();

        Allocation() {
            java.lang.management.ThreadMXBean tb = ManagementFactory.getThreadMXBean();
            bean = tb instanceof com.sun.management.ThreadMXBean ? (com.sun.management.ThreadMXBean) tb : null;
        }

        boolean known() {
            return bean != null;
        }

        long now() {
            return bean == null ? 0 : bean.getThreadAllocatedBytes(thread);
        }
    }
}
