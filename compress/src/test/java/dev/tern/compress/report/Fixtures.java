package dev.tern.compress.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Hand-made report inputs. */
final class Fixtures {
    private Fixtures() {
    }

    /** Tasks left and right (multiclass) and present (multilabel); p99 twice the p50. */
    static VariantResult v(String name, String precision, double left, double right, double f1, long size, double p50,
                           double... rounds) {
        Map<String, TaskMetrics> t = new LinkedHashMap<>();
        t.put("left", new TaskMetrics.Multiclass(left, 3, Math.min(1, left + 0.1)));
        t.put("right", new TaskMetrics.Multiclass(right, 3, Math.min(1, right + 0.1)));
        t.put("present", new TaskMetrics.Multilabel(f1, f1 - 0.02, f1 + 0.05, 0.1, 0.05));
        List<Double> r = new ArrayList<>();
        for (double x : rounds) {
            r.add(x);
        }
        return new VariantResult(name, null, List.of("make " + name), name + ".tern", precision, size, 1000, t,
                new Latency(p50, 2 * p50, r), 10, null);
    }

    /** The teacher: 1000 bytes, p50 950 µs over rounds 900, 950, 1000. */
    static final VariantResult TEACHER = v("teacher", "fp32", 0.90, 0.80, 0.70, 1000, 950, 900, 950, 1000);

    static ReportModel.Run run() {
        return new ReportModel.Run("test recipe", true, 2000, 300, 3, "amd64, 2 cores", 125.4);
    }

    static ReportModel model(List<VariantResult> variants, List<ReportModel.DistillPair> pairs, MachineLoad load) {
        return ReportModel.build(run(), TEACHER, variants, pairs, load);
    }
}
