package dev.tern.compress.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import static dev.tern.compress.report.ReportModel.POINTS;
import static dev.tern.compress.report.ReportModel.SIZE_BAR;
import static dev.tern.compress.report.ReportModel.SPEED_BAR;

/** The rules of the report's analysis: within 1 point, Pareto fronts, the best variant, the verdict. */
final class Analysis {
    private Analysis() {
    }

    /** Whether two results are one model (same file), as a variant without stages is the teacher. */
    static boolean sameModel(VariantResult a, VariantResult b) {
        return a.model() != null && a.model().equals(b.model());
    }

    /** Results not dominated in (cost lower, mean headline metric higher): the Pareto front, by cost. */
    static List<VariantResult> front(List<VariantResult> rs, ToDoubleFunction<VariantResult> cost) {
        List<VariantResult> f = new ArrayList<>();
        for (VariantResult a : rs) {
            boolean dominated = false;
            for (VariantResult b : rs) {
                double cb = cost.applyAsDouble(b);
                double ca = cost.applyAsDouble(a);
                if (b != a && cb <= ca && b.meanHeadline() >= a.meanHeadline() && (cb < ca || b.meanHeadline() > a.meanHeadline())) {
                    dominated = true;
                    break;
                }
            }
            if (!dominated && !f.contains(a)) {
                f.add(a);
            }
        }
        f.sort(Comparator.comparingDouble(cost));
        return f;
    }

    /** Whether every task's headline metric is at most one point below the teacher's. */
    static boolean withinOnePoint(VariantResult r, VariantResult teacher) {
        for (Map.Entry<String, TaskMetrics> e : teacher.tasks().entrySet()) {
            TaskMetrics m = r.tasks().get(e.getKey());
            // the epsilon keeps "exactly one point below" within, whatever the rounding of the fractions
            if (m == null || !(m.headline() >= e.getValue().headline() - POINTS / 100 - 1e-12)) {
                return false;
            }
        }
        return true;
    }

    /** Points behind the teacher on the row's worst task (negative: ahead on every task). */
    static double worstGap(ReportModel.Row r) {
        return -r.change().values().stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    /** The smallest row within 1 point of the teacher (ties: the faster), or null. */
    static ReportModel.Row best(List<ReportModel.Row> rows) {
        ReportModel.Row best = null;
        for (ReportModel.Row r : rows) {
            long size = r.result().sizeBytes();
            if (r.withinOnePoint() && (best == null || size < best.result().sizeBytes()
                    || size == best.result().sizeBytes() && r.result().latency().p50() < best.result().latency().p50())) {
                best = r;
            }
        }
        return best;
    }

    /**
     * The speed bar holds only beyond noise: the low end of the speedup over the rounds (the
     * teacher's fastest round against the variant's slowest) must reach it.
     */
    static boolean meetsSpeedBar(ReportModel.Row r) {
        return r.speedupLow() >= SPEED_BAR;
    }

    static boolean meetsBothBars(ReportModel.Row r) {
        return r.sizeVsTeacher() <= SIZE_BAR && meetsSpeedBar(r);
    }

    /**
     * The verdict: the best variant within 1 point against the bars; when it misses a bar, how
     * close the variants within both bars come in accuracy; a speed that is within noise is
     * said to be so and never counted as a win; a loaded machine is named.
     */
    static String verdict(ReportModel.Best best, ReportModel.Row bestRow, ReportModel.Row teacher, List<ReportModel.Row> rows,
                          MachineLoad load) {
        StringBuilder sb = new StringBuilder(within(best, bestRow, rows));
        if (best == null || !best.meetsSizeBar() || !best.meetsSpeedBar()) {
            ReportModel.Row closest = null;
            for (ReportModel.Row r : rows) {
                if (meetsBothBars(r) && (closest == null || worstGap(r) < worstGap(closest))) {
                    closest = r;
                }
            }
            if (closest == null) {
                sb.append(" No variant is both at most 10% of the teacher's size and 3x faster beyond noise.");
            } else {
                sb.append(String.format(Locale.ROOT, " Of the variants within both bars (at most 10%% of the size, at least "
                        + "3x faster beyond noise), the most accurate is %s: %.1f%% of the size, %s, %.1f points behind the "
                        + "teacher on its worst task.", closest.name(), 100 * closest.sizeVsTeacher(), speed(closest),
                        worstGap(closest)));
            }
        }
        if (load.status() == MachineLoad.Status.LOADED) {
            sb.append(" ").append(load.sentence());
        }
        return sb.toString();
    }

    private static String within(ReportModel.Best best, ReportModel.Row bestRow, List<ReportModel.Row> rows) {
        if (best == null) {
            ReportModel.Row closest = null;
            for (ReportModel.Row r : rows) {
                if (closest == null || worstGap(r) < worstGap(closest)) {
                    closest = r;
                }
            }
            return String.format(Locale.ROOT, "No variant is within 1 point of the teacher on every task; the closest, %s, "
                    + "is %.1f points behind on its worst task.", closest == null ? "none" : closest.name(),
                    closest == null ? Double.NaN : Math.max(0, worstGap(closest)));
        }
        return String.format(Locale.ROOT, "Best variant within 1 point of the teacher on every task: %s, %.1f%% of the "
                + "teacher's size (bar: at most 10%%, %s); at batch 1, %s (bar: at least 3x beyond noise, %s).",
                best.name(), 100 * best.sizeVsTeacher(), best.meetsSizeBar() ? "met" : "not met", speed(bestRow),
                best.meetsSpeedBar() ? "met" : "not met");
    }

    /** "4.50x faster (4.10-4.90x over the rounds)", or what holds within noise. */
    static String speed(ReportModel.Row r) {
        String range = String.format(Locale.ROOT, "%.2f–%.2fx over the rounds", r.speedupLow(), r.speedupHigh());
        return switch (r.vsTeacher()) {
            case FASTER -> String.format(Locale.ROOT, "%.2fx faster (%s)", r.speedup(), range);
            case SLOWER -> String.format(Locale.ROOT, "%.2fx the teacher's speed, slower (%s)", r.speedup(), range);
            case WITHIN_NOISE -> String.format(Locale.ROOT, "%.2fx the teacher's speed, within noise (%s), so no speed "
                    + "difference is claimed", r.speedup(), range);
            case UNKNOWN -> String.format(Locale.ROOT, "%.2fx the teacher's speed (spread over rounds unknown)", r.speedup());
        };
    }
}
