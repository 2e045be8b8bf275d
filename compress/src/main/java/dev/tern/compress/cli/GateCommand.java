package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.compress.gate.Gate;
import dev.tern.compress.gate.JmhResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code tern gate --baseline B.json --current C.json}: the latency regression gate over JMH JSON. */
@Command(name = "gate", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Latency regression gate: compare a JMH run (-rf json) with a baseline.",
            "Scores are divided by the calibration benchmark of their own run (" + Gate.CALIBRATION + ") when both "
                + "runs have it, so a slower machine is not a regression. A benchmark fails when it is worse by more "
                + "than the threshold AND by more than the combined score error; lower is better for time modes, "
                + "higher for throughput. Also fails any int8 model (model=X-int8.tern) slower, by the same rule, than "
                + "its fp32 twin (X.tern) in the current run, and any benchmark (name and parameters) that only one of "
                + "the two runs has, so that a renamed parameter cannot switch a check off. Exit 0: pass; 1: regression "
                + "or unmatched benchmark; 2: bad input."})
public final class GateCommand implements Callable<Integer> {
    @Option(names = "--baseline", required = true, paramLabel = "B.json", description = "JMH JSON of the baseline run.")
    Path baseline;

    @Option(names = "--current", required = true, paramLabel = "C.json", description = "JMH JSON of the run to check.")
    Path current;

    @Option(names = "--threshold", paramLabel = "F", defaultValue = "0.10",
            description = "Largest tolerated slowdown, as a fraction (default: ${DEFAULT-VALUE}).")
    double threshold;

    @Option(names = "--int8-threshold", paramLabel = "F",
            description = "Largest tolerated int8-over-fp32 slowdown in the current run (default: the --threshold).")
    Double int8Threshold;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!(threshold >= 0 && threshold < 10)) {
            throw new UsageException("--threshold is a fraction in [0, 10), got " + threshold);
        }
        double int8 = int8Threshold == null ? threshold : int8Threshold;
        if (!(int8 >= 0 && int8 < 10)) {
            throw new UsageException("--int8-threshold is a fraction in [0, 10), got " + int8);
        }
        List<JmhResult> b = JmhResult.read(baseline);
        List<JmhResult> c = JmhResult.read(current);
        Gate.Report r = Gate.compare(b, c, threshold, int8);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = Json.object();
            o.put("passed", !r.failed());
            o.put("normalized", r.normalized);
            o.put("threshold", threshold);
            o.put("int8_threshold", int8);
            ArrayNode rows = o.putArray("checks");
            for (Gate.Row row : r.rows) {
                ObjectNode n = rows.addObject();
                n.put("kind", row.kind);
                n.put("benchmark", row.key);
                n.put("before", row.before);
                n.put("after", row.after);
                n.put("change", row.change);
                n.put("failed", row.failed);
            }
            ArrayNode nb = o.putArray("not_in_baseline");
            r.notInBaseline.forEach(nb::add);
            ArrayNode nr = o.putArray("not_in_run");
            r.notInRun.forEach(nr::add);
            Json.print(o, out);
        } else {
            out.printf("gate: %s vs %s: %d checks, threshold %.0f%% (int8 vs fp32: %.0f%%), %s%n", current, baseline,
                    r.rows.size(), threshold * 100,
                    int8 * 100,
                    r.normalized ? "scores divided by the calibration benchmark of each run"
                            : "raw scores (the calibration benchmark is missing from a run)");
            for (Gate.Row row : r.rows) {
                out.printf("  %-4s %-13s %+7.1f%%  %s%n", row.failed ? "FAIL" : "ok", row.kind, row.change * 100, row.key);
            }
            for (String u : r.notInBaseline) {
                out.printf("  FAIL %-13s %8s  %s%n", "not in baseline", "", u);
            }
            for (String u : r.notInRun) {
                out.printf("  FAIL %-13s %8s  %s%n", "not in run", "", u);
            }
            if (!r.notInBaseline.isEmpty() || !r.notInRun.isEmpty()) {
                out.println("  (a benchmark in one run only is not checked: if the set of benchmarks or their parameters "
                        + "changed on purpose, record a new baseline: scripts/perf-gate --update-baseline)");
            }
            out.println(r.failed() ? "gate: FAILED" : "gate: passed");
        }
        out.flush();
        return r.failed() ? 1 : 0;
    }
}
