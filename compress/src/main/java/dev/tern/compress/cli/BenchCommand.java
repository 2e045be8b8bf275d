package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.runtime.Session;
import dev.tern.runtime.SessionOptions;
import dev.tern.runtime.TaskSet;
import dev.tern.runtime.TernModel;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;

/** {@code tern bench MODEL}: a quick latency check without JMH (p50/p99 over timed runs after a warm-up). */
@Command(name = "bench", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Quick latency of a model: warm-up runs, then timed runs of Session.run on seeded random "
                + "inputs in [0, 1) (one input array per batch, reused), one thread. Prints p50/p90/p99/max and mean in "
                + "microseconds, samples per second and bytes allocated per run. For numbers to compare or publish, "
                + "use the JMH benchmarks (bench/target/benchmarks.jar, docs/PERFORMANCE.md)."})
public final class BenchCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL", description = "A .tern file.")
    Path model;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "1", description = "Samples per run (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "1000", description = "Timed runs (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "300", description = "Untimed runs first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
            description = "Threads per run: the batch is split over them (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--task", paramLabel = "T", description = "Run only these tasks (repeatable; default: all).")
    List<String> tasks;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--per-op", description = "Then profile each node: the median time of its kernel over the same "
            + "number of warm-up and timed runs, on one thread (Session.profileNodes), with its share of their sum.")
    boolean perOp;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (batch < 1 || batch > 4096) {
            throw new UsageException("--batch must lie in [1, 4096], got " + batch);
        }
        if (runs < 1) {
            throw new UsageException("--runs must be at least 1, got " + runs);
        }
        if (threads < 1 || threads > dev.tern.runtime.SessionOptions.MAX_THREADS) {
            throw new UsageException("--threads must lie in [1, " + dev.tern.runtime.SessionOptions.MAX_THREADS + "], got " + threads);
        }
        if (warmup < 0) {
            throw new UsageException("--warmup must be >= 0, got " + warmup);
        }
        TernModel m = ModelFiles.load(model);
        if (m.def().inputs().size() != 1) {
            throw new UsageException(model + " has " + m.def().inputs().size() + " inputs; tern bench runs single-input models");
        }
        TaskSet set = tasks == null || tasks.isEmpty() ? m.allTasks() : m.taskSet(tasks.toArray(new String[0]));
        float[] x = new float[m.def().inputs().get(0).sampleSize() * batch];
        Random rnd = new Random(42);
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextFloat();
        }
        java.lang.management.ThreadMXBean tb = ManagementFactory.getThreadMXBean();
        com.sun.management.ThreadMXBean alloc = tb instanceof com.sun.management.ThreadMXBean
                ? (com.sun.management.ThreadMXBean) tb : null;
        long thread = Thread.currentThread().getId();
        Histogram h = new Histogram(3_600_000_000_000L, 3);
        long allocated;
        long[] ops;
        try (Session s = m.newSession(SessionOptions.defaults().withMaxBatch(batch).withThreads(threads))) {
            for (int i = 0; i < warmup; i++) {
                s.run(x, set);
            }
            long a0 = alloc == null ? 0 : alloc.getThreadAllocatedBytes(thread);
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                s.run(x, set);
                h.recordValue(Math.max(1, System.nanoTime() - t0));
            }
            allocated = alloc == null ? -1 : alloc.getThreadAllocatedBytes(thread) - a0;
            ops = perOp ? s.profileNodes(x, set, warmup, runs) : null;
        }
        String[] nodes = m.kernels().keySet().toArray(new String[0]);
        String[] kernels = m.kernels().values().toArray(new String[0]);
        long opsTotal = 0;
        if (ops != null) {
            for (long t : ops) {
                opsTotal += Math.max(0, t);
            }
        }
        double mean = h.getMean() / 1e3;
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = Json.object();
            o.put("model", model.toString());
            o.put("backend", m.backend().id());
            o.put("batch", batch);
            o.put("threads", threads);
            o.put("runs", runs);
            o.put("warmup", warmup);
            ObjectNode lat = o.putObject("latency_us");
            lat.put("p50", h.getValueAtPercentile(50) / 1e3);
            lat.put("p90", h.getValueAtPercentile(90) / 1e3);
            lat.put("p99", h.getValueAtPercentile(99) / 1e3);
            lat.put("max", h.getMaxValue() / 1e3);
            lat.put("mean", mean);
            o.put("samples_per_second", batch * 1e6 / mean);
            if (allocated >= 0) {
                o.put("allocated_bytes_per_run", allocated / (double) runs);
            }
            if (ops != null) {
                com.fasterxml.jackson.databind.node.ArrayNode arr = o.putArray("ops");
                for (int i = 0; i < ops.length; i++) {
                    if (ops[i] >= 0) {
                        ObjectNode op = arr.addObject();
                        op.put("node", nodes[i]);
                        op.put("kernel", kernels[i]);
                        op.put("p50_us", ops[i] / 1e3);
                        op.put("share", opsTotal == 0 ? 0 : ops[i] / (double) opsTotal);
                    }
                }
            }
            Json.print(o, out);
        } else {
            out.printf("%s (%s kernels), batch %d, %d thread(s), %d runs after %d warm-up%n", model, m.backend().id(), batch,
                    threads, runs, warmup);
            out.printf("  latency us: p50 %.1f  p90 %.1f  p99 %.1f  max %.1f  mean %.1f%n", h.getValueAtPercentile(50) / 1e3,
                    h.getValueAtPercentile(90) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getMaxValue() / 1e3, mean);
            out.printf("  %.0f samples/s%s%n", batch * 1e6 / mean,
                    allocated >= 0 ? String.format(", %.1f bytes allocated per run", allocated / (double) runs) : "");
            if (ops != null) {
                int w = 4;
                for (String n : nodes) {
                    w = Math.max(w, n.length());
                }
                out.printf("  per op (median of %d timed runs each; sum %.1f us):%n", runs, opsTotal / 1e3);
                for (int i = 0; i < ops.length; i++) {
                    if (ops[i] >= 0) {
                        out.printf("    %-" + w + "s  %9.1f us  %5.1f%%  %s%n", nodes[i], ops[i] / 1e3,
                                opsTotal == 0 ? 0 : 100.0 * ops[i] / opsTotal, kernels[i]);
                    }
                }
            }
        }
        out.flush();
        return 0;
    }
}
