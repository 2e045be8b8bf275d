package dev.tern.compress.eval;

import dev.tern.compress.BadInputException;
import dev.tern.compress.data.CanvasSet;
import dev.tern.compress.data.Dataset;
import dev.tern.compress.data.MultiFashionData;
import dev.tern.compress.data.TaskLabels;
import dev.tern.compress.data.MultiFashion;
import dev.tern.runtime.model.TaskKind;
import dev.tern.runtime.model.TaskSpec;
import org.HdrHistogram.Histogram;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores a {@link Predictor} on a labeled {@link Dataset} (Multi-Fashion canvases, an
 * {@code .npz}, an image folder): per task, multiclass accuracy and top-3 accuracy;
 * multilabel Hamming loss, subset accuracy, micro-F1, macro-F1 and mAP at the model's
 * per-label thresholds; regression RMSE and MAE; and the latency of one batch-1 prediction
 * (p50, p99, after a warm-up of {@link #WARMUP} predictions). A task the data set does not
 * label is rejected before anything runs.
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
        /**
         * Per classification task, the recall of each class (multiclass) or label (multilabel,
         * at the model's thresholds), in label order; NaN for one without samples.
         */
        public final Map<String, double[]> classRecall = new LinkedHashMap<>();
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

    /** Whether {@code data} labels this task with its kind and width. */
    public static boolean scorable(TaskSpec t, Dataset data) {
        TaskLabels l = data.labels(t.name());
        return l != null && l.kind() == t.kind() && l.width() == t.size();
    }

    /** Whether Multi-Fashion has ground truth for this task (left/right multiclass, present multilabel, 10 outputs). */
    public static boolean scorable(TaskSpec t) {
        boolean known = (t.name().equals("left") || t.name().equals("right")) && t.kind() == TaskKind.MULTICLASS
                || t.name().equals("present") && t.kind() == TaskKind.MULTILABEL;
        return known && t.size() == MultiFashion.CLASSES;
    }

    /** Scores {@code p} on Multi-Fashion canvases. */
    public static Report evaluate(Predictor p, CanvasSet data) {
        return evaluate(p, new MultiFashionData(data));
    }

    /**
     * Scores {@code p} on {@code data}: every task of the model needs labels of its kind and
     * width in the data set (checked before anything runs). Multiclass: accuracy and top-3
     * accuracy; multilabel: Hamming loss, subset accuracy, micro-F1, macro-F1, mAP at the
     * model's thresholds; regression: RMSE and MAE over every target.
     *
     * @throws BadInputException when a task has no labels, or labels of another kind or width,
     *                           or the samples do not fit the model's input
     */
    public static Report evaluate(Predictor p, Dataset data) {
        List<TaskSpec> tasks = p.tasks();
        TaskLabels[] truth = new TaskLabels[tasks.size()];
        for (int t = 0; t < tasks.size(); t++) {
            TaskSpec spec = tasks.get(t);
            TaskLabels l = data.labels(spec.name());
            if (l == null) {
                throw new BadInputException("task '" + spec.name() + "' (" + spec.kind().id() + ") has no labels in " + data.name()
                        + (data.tasks().isEmpty() ? ", which labels no task" : ", which labels " + String.join(", ", data.tasks())));
            }
            if (l.kind() != spec.kind()) {
                throw new BadInputException("task '" + spec.name() + "' is " + spec.kind().id() + ", " + data.name()
                        + " labels it as " + l.kind().id());
            }
            if (l.width() != spec.size()) {
                throw new BadInputException("task '" + spec.name() + "' has " + spec.size() + " outputs, " + data.name() + " labels "
                        + l.width() + (spec.kind() == TaskKind.MULTICLASS ? " classes" : " columns"));
            }
            truth[t] = l;
        }
        int inputSize = p.input().sampleSize();
        if (data.sampleSize() != inputSize) {
            throw new BadInputException(data.name() + ": samples of " + data.sampleSize() + " values; input '" + p.input().name()
                    + "' " + java.util.Arrays.toString(p.input().shape()) + " takes " + inputSize + " per sample");
        }
        int n = data.size();
        float[][][] scores = new float[tasks.size()][n][];
        float[] x = new float[data.sampleSize()];
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
            r.tasks.put(tasks.get(t).name(), metrics(tasks.get(t), scores[t], truth[t]));
            double[] recall = classRecall(tasks.get(t), scores[t], truth[t]);
            if (recall != null) {
                r.classRecall.put(tasks.get(t).name(), recall);
            }
        }
        return r;
    }

    /** The recall of each class or label of a classification task; null for regression. */
    static double[] classRecall(TaskSpec spec, float[][] scores, TaskLabels truth) {
        return switch (spec.kind()) {
            case MULTICLASS -> Metrics.classRecall(scores, truth.classes(), spec.size());
            case MULTILABEL -> Metrics.labelRecall(truth.multiHot(), Metrics.predict(scores, spec.thresholds()));
            default -> null;
        };
    }

    /** The metrics of one task's scores against its labels. */
    static Map<String, Double> metrics(TaskSpec spec, float[][] scores, TaskLabels truth) {
        Map<String, Double> m = new LinkedHashMap<>();
        switch (spec.kind()) {
            case MULTICLASS:
                m.put("accuracy", Metrics.accuracy(scores, truth.classes()));
                m.put("top" + TOP_K + "_accuracy", Metrics.topKAccuracy(scores, truth.classes(), TOP_K));
                break;
            case MULTILABEL: {
                boolean[][] hot = truth.multiHot();
                boolean[][] pred = Metrics.predict(scores, spec.thresholds());
                m.put("hamming_loss", Metrics.hammingLoss(hot, pred));
                m.put("subset_accuracy", Metrics.subsetAccuracy(hot, pred));
                m.put("micro_f1", Metrics.microF1(hot, pred));
                m.put("macro_f1", Metrics.macroF1(hot, pred));
                m.put("map", Metrics.averagePrecision(scores, hot).mean());
                break;
            }
            default: {
                float[][] y = truth.values();
                int k = spec.size();
                float[] predicted = new float[scores.length * k];
                float[] target = new float[scores.length * k];
                for (int i = 0; i < scores.length; i++) {
                    System.arraycopy(scores[i], 0, predicted, i * k, k);
                    System.arraycopy(y[i], 0, target, i * k, k);
                }
                m.put("rmse", Metrics.rmse(predicted, target));
                m.put("mae", Metrics.mae(predicted, target));
                break;
            }
        }
        return m;
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
