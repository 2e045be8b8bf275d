package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.compress.eval.QuickBench;
import dev.tern.runtime.TernModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code tern bench MODEL}: a quick latency check without JMH (p50/p99 over timed runs after a warm-up). */
@Command(name = "bench", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Quick latency of a model: warm-up runs (at least --warmup, then until allocation and median latency are flat, or it says it did not settle), then timed runs of Session.run on seeded random "
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

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "300", description = "Untimed runs first, at least (default: ${DEFAULT-VALUE}); more follow until the JIT has settled.")
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

    @Option(names = "--latency-table", paramLabel = "FILE", description = "Per-layer latency table (JSON, of this machine, JDK "
            + "and backend): first price the model from it (the sum of its layers' medians, when the table knows every "
            + "layer) against this run's p50, then profile each layer and record it there (batch 1, one thread).")
    Path latencyTable;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        QuickBench.Config config = new QuickBench.Config(batch, runs, warmup, threads, tasks, perOp).check();
        if (latencyTable != null && (batch != 1 || threads != 1 || tasks != null && !tasks.isEmpty())) {
            throw new UsageException("--latency-table prices batch 1 on one thread with every task; drop --batch, --threads and --task");
        }
        TernModel m = ModelFiles.load(model);
        dev.tern.compress.search.LatencyTable table = latencyTable == null ? null
                : dev.tern.compress.search.LatencyTable.read(latencyTable, dev.tern.compress.search.LatencyTable.machineOf(m));
        if (latencyTable != null) {
            dev.tern.runtime.format.AtomicFiles.checkWritable(latencyTable);
        }
        dev.tern.compress.search.LatencyTable.Estimate estimate = table == null ? null : table.estimate(m);
        QuickBench.Outcome r = QuickBench.run(m, config);
        if (table != null) {
            table.measure(m, new float[m.def().inputs().get(0).sampleSize()], warmup, runs);
            table.write(latencyTable);
        }
        String[] nodes = m.kernels().keySet().toArray(new String[0]);
        String[] kernels = m.kernels().values().toArray(new String[0]);
        long opsTotal = 0;
        if (r.opNanos() != null) {
            for (long t : r.opNanos()) {
                opsTotal += Math.max(0, t);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = Json.object();
            o.put("model", model.toString());
            o.put("backend", m.backend().id());
            o.put("batch", batch);
            o.put("threads", threads);
            o.put("runs", runs);
            o.put("warmup", warmup);
            o.put("warmup_runs", r.warmupRuns());
            o.put("steady", r.steady());
            ObjectNode lat = o.putObject("latency_us");
            lat.put("p50", r.p50());
            lat.put("p90", r.p90());
            lat.put("p99", r.p99());
            lat.put("max", r.max());
            lat.put("mean", r.mean());
            o.put("samples_per_second", r.samplesPerSecond(batch));
            if (r.allocatedPerRun() >= 0) {
                o.put("allocated_bytes_per_run", r.allocatedPerRun());
            }
            if (estimate != null) {
                ObjectNode e = o.putObject("latency_table");
                e.put("file", latencyTable.toString());
                e.put("layers_missing", estimate.missing().size());
                if (estimate.complete()) {
                    e.put("estimate_us", estimate.micros());
                    e.put("error", (estimate.micros() - r.p50()) / r.p50());
                }
                e.put("entries_after", table.size());
            }
            if (r.opNanos() != null) {
                com.fasterxml.jackson.databind.node.ArrayNode arr = o.putArray("ops");
                for (int i = 0; i < r.opNanos().length; i++) {
                    if (r.opNanos()[i] >= 0) {
                        ObjectNode op = arr.addObject();
                        op.put("node", nodes[i]);
                        op.put("kernel", kernels[i]);
                        op.put("p50_us", r.opNanos()[i] / 1e3);
                        op.put("share", opsTotal == 0 ? 0 : r.opNanos()[i] / (double) opsTotal);
                    }
                }
            }
            Json.print(o, out);
        } else {
            out.printf("%s (%s kernels), batch %d, %d thread(s), %d runs after %,d warm-up (%d asked, then until steady)%n",
                    model, m.backend().id(), batch, threads, runs, r.warmupRuns(), warmup);
            if (!r.steady()) {
                out.printf("  not steady after %,d warm-up runs (last round %.0f bytes allocated per run): the figures "
                        + "include JIT compilation; use the JMH benchmarks for figures to compare%n", r.warmupRuns(),
                        r.lastRoundAllocatedPerRun());
            }
            out.printf("  latency us: p50 %.1f  p90 %.1f  p99 %.1f  max %.1f  mean %.1f%n", r.p50(), r.p90(), r.p99(),
                    r.max(), r.mean());
            out.printf("  %.0f samples/s%s%n", r.samplesPerSecond(batch),
                    r.allocatedPerRun() >= 0 ? String.format(", %.1f bytes allocated per run", r.allocatedPerRun()) : "");
            if (r.opNanos() != null) {
                printOps(out, nodes, kernels, r.opNanos(), opsTotal);
            }
            if (estimate != null) {
                out.print(estimate.complete()
                        ? String.format("  latency table: estimate %.1f us, %+.1f%% of the measured p50; %d entries now in %s%n",
                            estimate.micros(), 100 * (estimate.micros() - r.p50()) / r.p50(), table.size(), latencyTable)
                        : String.format("  latency table: knew %d of %d layers, no estimate; recorded them, %d entries now in %s%n",
                            nodes.length - estimate.missing().size(), nodes.length, table.size(), latencyTable));
            }
        }
        out.flush();
        return 0;
    }

    private void printOps(PrintWriter out, String[] nodes, String[] kernels, long[] ops, long opsTotal) {
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
