package dev.tern.compress.gate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The latency regression gate: compares a current JMH run with a baseline.
 *
 * <p>A result run in several forks scores its best fork: the fork whose iterations have the
 * best mean (lowest time, highest throughput). A real regression slows every fork; what C2
 * happens to compile in one JVM slows only some (the int8 teacher ran 1.3-1.65x slower in 4
 * of 10 single-fork runs on one machine), so the best fork is what the code can do. A result
 * of one fork (or without per-fork data) keeps JMH's own score and error.
 *
 * <p>Scores are then divided by the calibration benchmark of their own run (a fixed
 * workload, {@code CalibrationBench}), so a slower or busier machine does not count as a
 * regression; without it in both runs the raw scores are compared (and the report says so).
 * A benchmark regresses when it got worse by more than {@code threshold} (relative) and by
 * more than the combined score error (sqrt(e_base^2 + e_cur^2), both scaled like their
 * scores): both, so neither noise nor a tiny real change fails a build. Lower is better for
 * time modes (avgt, sample, ss), higher for throughput.
 *
 * <p>Within the current run it also checks DESIGN's invariant "int8 is never slower than
 * fp32": every benchmark whose {@code model} parameter names an int8 file ({@code X-int8.tern})
 * is compared, by the same rule, with its twin on {@code X.tern} (all other parameters equal).
 *
 * <p>A benchmark (name and parameters) that only one of the two runs has fails the gate: a
 * renamed or added parameter, or a benchmark dropped from the run, would otherwise switch its
 * check off unseen (a new {@code fuse} parameter once did, for months). Record a new baseline
 * when the set of benchmarks changes on purpose.
 */
public final class Gate {
    public static final String CALIBRATION = "dev.tern.bench.CalibrationBench.matVec";

    private Gate() {
    }

    /** One comparison. */
    public static final class Row {
        public final String kind;
        public final String key;
        public final double before;
        public final double after;
        public final double change;
        public final boolean failed;

        Row(String kind, String key, double before, double after, double change, boolean failed) {
            this.kind = kind;
            this.key = key;
            this.before = before;
            this.after = after;
            this.change = change;
            this.failed = failed;
        }
    }

    /** The outcome: rows, whether scores were normalized, and benchmarks only one run has (each a failure). */
    public static final class Report {
        public final List<Row> rows = new ArrayList<>();
        /** Benchmarks of the current run that the baseline lacks, or with another mode. */
        public final List<String> notInBaseline = new ArrayList<>();
        /** Benchmarks of the baseline that the current run lacks. */
        public final List<String> notInRun = new ArrayList<>();
        public boolean normalized;

        /** Whether a check failed or a benchmark is in one run only. */
        public boolean failed() {
            if (!notInBaseline.isEmpty() || !notInRun.isEmpty()) {
                return true;
            }
            for (Row r : rows) {
                if (r.failed) {
                    return true;
                }
            }
            return false;
        }
    }

    public static Report compare(List<JmhResult> baseline, List<JmhResult> current, double threshold) {
        return compare(baseline, current, threshold, threshold);
    }

    /**
     * As {@link #compare(List, List, double)}, with a threshold of its own for the int8-vs-fp32
     * check (two forks of one run can meet different background load, so a shared CI machine
     * needs a wider margin there than a quiet one).
     */
    public static Report compare(List<JmhResult> baseline, List<JmhResult> current, double threshold,
                                 double int8Threshold) {
        if (!(threshold >= 0) || Double.isInfinite(threshold)) {
            throw new IllegalArgumentException("threshold must be a finite fraction >= 0, got " + threshold);
        }
        if (!(int8Threshold >= 0) || Double.isInfinite(int8Threshold)) {
            throw new IllegalArgumentException("int8 threshold must be a finite fraction >= 0, got " + int8Threshold);
        }
        Report report = new Report();
        JmhResult calBase = find(baseline, CALIBRATION);
        JmhResult calCur = find(current, CALIBRATION);
        report.normalized = calBase != null && calCur != null;
        Map<String, JmhResult> base = byKey(baseline);
        for (JmhResult c : current) {
            if (c.benchmark.equals(CALIBRATION)) {
                continue;
            }
            JmhResult b = base.get(c.key());
            if (b == null || !b.mode.equals(c.mode)) {
                report.notInBaseline.add(c.key() + (b == null ? "" : " (mode " + c.mode + ", baseline " + b.mode + ")"));
                continue;
            }
            report.rows.add(judge("regression", c.key(), b, report.normalized ? calBase : null, c,
                    report.normalized ? calCur : null, c.lowerIsBetter(), threshold));
        }
        for (JmhResult b : baseline) {
            if (!b.benchmark.equals(CALIBRATION) && findKey(current, b.key()) == null) {
                report.notInRun.add(b.key());
            }
        }
        if ((calBase == null) != (calCur == null)) {
            (calBase == null ? report.notInBaseline : report.notInRun).add(CALIBRATION);
        }
        // int8 vs its fp32 twin, within the current run (same machine, same moment: no normalization needed).
        Map<String, JmhResult> cur = byKey(current);
        for (JmhResult q : current) {
            String model = q.params.get("model");
            if (model == null || !model.endsWith("-int8.tern")) {
                continue;
            }
            Map<String, String> twinParams = new java.util.TreeMap<>(q.params);
            twinParams.put("model", model.substring(0, model.length() - "-int8.tern".length()) + ".tern");
            JmhResult f = cur.get(q.benchmark + twinParams);
            if (f != null && f.mode.equals(q.mode)) {
                report.rows.add(judge("int8-vs-fp32", q.key(), f, null, q, null, q.lowerIsBetter(), int8Threshold));
            }
        }
        return report;
    }

    /**
     * A result's score and error, {@code [score, error]}: with one fork (or no per-fork data),
     * JMH's own score and 99.9% error; with several, the mean of the best fork (see the class
     * comment) and no error: the best of several forks is already the guard against a noisy
     * JVM, and a 99.9% error bar over one fork's few iterations is too wide to be one: in a run
     * whose int8 convolutions had fallen back to scalar code, still warming up through its
     * four iterations (8.7 to 6.1 ms), it was wider than the 11x regression itself.
     */
    static double[] stat(JmhResult r) {
        if (r.forks.size() <= 1) {
            return new double[] {r.score, r.error};
        }
        double bestMean = Double.NaN;
        for (double[] f : r.forks) {
            double m = mean(f);
            if (Double.isNaN(bestMean) || (r.lowerIsBetter() ? m < bestMean : m > bestMean)) {
                bestMean = m;
            }
        }
        return new double[] {bestMean, 0};
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** Worse by more than the threshold and more than the combined error (after dividing by the calibrations). */
    static Row judge(String kind, String key, JmhResult before, JmhResult calBefore, JmhResult after, JmhResult calAfter,
                     boolean lowerIsBetter, double threshold) {
        double[] b = stat(before);
        double[] a = stat(after);
        double nb = b[0];
        double eb = b[1];
        double na = a[0];
        double ea = a[1];
        if (calBefore != null && calAfter != null) {
            double calB = stat(calBefore)[0];
            double calA = stat(calAfter)[0];
            // The calibration score is a scale factor for the whole run. Its own error is not
            // added: it is shared by every benchmark of the run, and added in quadrature it made
            // each bar as wide as the calibration's noise (16% on a 5 us workload here), so a
            // 25% slowdown passed.
            nb = nb / calB;
            na = na / calA;
            eb = eb / calB;
            ea = ea / calA;
        }
        double worse = lowerIsBetter ? na - nb : nb - na;
        double change = lowerIsBetter ? na / nb - 1 : nb / na - 1;
        boolean failed = change > threshold && worse > Math.hypot(eb, ea);
        return new Row(kind, key, nb, na, change, failed);
    }

    private static JmhResult find(List<JmhResult> rs, String benchmark) {
        for (JmhResult r : rs) {
            if (r.benchmark.equals(benchmark)) {
                return r;
            }
        }
        return null;
    }

    private static JmhResult findKey(List<JmhResult> rs, String key) {
        for (JmhResult r : rs) {
            if (r.key().equals(key)) {
                return r;
            }
        }
        return null;
    }

    private static Map<String, JmhResult> byKey(List<JmhResult> rs) {
        Map<String, JmhResult> m = new LinkedHashMap<>();
        for (JmhResult r : rs) {
            m.put(r.key(), r);
        }
        return m;
    }
}
