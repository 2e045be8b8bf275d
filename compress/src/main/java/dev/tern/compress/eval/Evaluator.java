package dev.tern.compress.eval;

import dev.tern.compress.BadInputException;
import dev.tern.compress.data.CanvasSet;
import dev.tern.compress.data.MultiFashion;
import dev.tern.runtime.model.TaskKind;
import dev.tern.runtime.model.TaskSpec;
import org.HdrHistogram.Histogram;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores a {@link Predictor} on Multi-Fashion canvases: the tasks {@code left} and
 * {@code right} (multiclass: accuracy, top-3 accuracy) and {@code present} (multilabel:
 * Hamming loss, subset accuracy, micro-F1, macro-F1, mAP at the model's per-label
 * thresholds), and the latency of one batch-1 prediction (p50, p99, after a warm-up of
 * {@link #WARMUP} predictions). Any other task has no ground truth in this data and is rejected.
 */
public final class Evaluator {
    public static final int WARMUP = 300;
    public static final int TOP_K = 3;

    private Evaluator() {
    }

    /** Metrics per task, plus the latency and the scores (for agreement with a reference). */
    public static final class Report {
        public final int samples;
        public final Map<String, Map<String, Double>> tasks = new LinkedHashMap<>();
        public final double p50Micros;
        public final double p99Micros;
        public final float[][][] scores;

        Report(int samples, double p50, double p99, float[][][] scores) {
            this.samples = samples;
            this.p50Micros = p50;
            this.p99Micros = p99;
            this.scores = scores;
        }
    }

    /** Whether Multi-Fashion has ground truth for this task (left/right multiclass, present multilabel, 10 outputs). */
    public static boolean scorable(TaskSpec t) {
        boolean known = (t.name().equals("left") || t.name().equals("right")) && t.kind() == TaskKind.MULTICLASS
                || t.name().equals("present") && t.kind() == TaskKind.MULTILABEL;
        return known && t.size() == MultiFashion.CLASSES;
    }

    public static Report evaluate(Predictor p, CanvasSet data) {
        List<TaskSpec> tasks = p.tasks();
        for (TaskSpec t : tasks) {
            boolean known = (t.name().equals("left") || t.name().equals("right")) && t.kind() == TaskKind.MULTICLASS
                    || t.name().equals("present") && t.kind() == TaskKind.MULTILABEL;
            if (!known) {
                throw new BadInputException("task '" + t.name() + "' (" + t.kind().id() + ") has no ground truth in "
                        + "Multi-Fashion, which labels left and right (multiclass) and present (multilabel)");
            }
            if (t.size() != MultiFashion.CLASSES) {
                throw new BadInputException("task '" + t.name() + "' has " + t.size() + " outputs, Multi-Fashion has "
                        + MultiFashion.CLASSES + " classes");
            }
        }
        int n = data.size();
        float[][][] scores = new float[tasks.size()][n][];
        float[] x = new float[MultiFashion.PIXELS];
        float[][] out = new float[tasks.size()][];
        for (int t = 0; t < tasks.size(); t++) {
            out[t] = new float[tasks.get(t).size()];
        }
        for (int i = 0; i < Math.min(WARMUP, n); i++) {
            data.fill(i, x, 0);
            p.predict(x, out);
        }
        Histogram h = new Histogram(3_600_000_000_000L, 3);
        for (int i = 0; i < n; i++) {
            data.fill(i, x, 0);
            long t0 = System.nanoTime();
            p.predict(x, out);
            h.recordValue(Math.max(1, System.nanoTime() - t0));
            for (int t = 0; t < tasks.size(); t++) {
                scores[t][i] = out[t].clone();
            }
        }
        Report r = new Report(n, h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, scores);
        for (int t = 0; t < tasks.size(); t++) {
            TaskSpec spec = tasks.get(t);
            Map<String, Double> m = new LinkedHashMap<>();
            if (spec.kind() == TaskKind.MULTICLASS) {
                int[] labels = spec.name().equals("left") ? data.left() : data.right();
                m.put("accuracy", Metrics.accuracy(scores[t], labels));
                m.put("top" + TOP_K + "_accuracy", Metrics.topKAccuracy(scores[t], labels, TOP_K));
            } else {
                boolean[][] truth = Metrics.multiHot(data.present());
                boolean[][] pred = Metrics.predict(scores[t], spec.thresholds());
                m.put("hamming_loss", Metrics.hammingLoss(truth, pred));
                m.put("subset_accuracy", Metrics.subsetAccuracy(truth, pred));
                m.put("micro_f1", Metrics.microF1(truth, pred));
                m.put("macro_f1", Metrics.macroF1(truth, pred));
                m.put("map", Metrics.averagePrecision(scores[t], truth).mean());
            }
            r.tasks.put(spec.name(), m);
        }
        return r;
    }

    /**
     * Top-1 agreement per multiclass task, and for multilabel tasks the fraction of
     * (sample, label) decisions that agree, between two reports on the same samples.
     */
    public static Map<String, Double> agreement(List<TaskSpec> tasks, Report a, Report b) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int t = 0; t < tasks.size(); t++) {
            TaskSpec spec = tasks.get(t);
            long same = 0;
            long total = 0;
            for (int i = 0; i < a.samples; i++) {
                if (spec.kind() == TaskKind.MULTICLASS) {
                    same += argmax(a.scores[t][i]) == argmax(b.scores[t][i]) ? 1 : 0;
                    total++;
                } else {
                    for (int l = 0; l < spec.size(); l++) {
                        boolean pa = a.scores[t][i][l] > spec.threshold(l);
                        boolean pb = b.scores[t][i][l] > spec.threshold(l);
                        same += pa == pb ? 1 : 0;
                        total++;
                    }
                }
            }
            out.put(spec.name(), same / (double) total);
        }
        return out;
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
