package dev.tern.compress.eval;

/**
 * Evaluation metrics for Tern's task kinds, in plain Java. Every method checks its inputs
 * (non-empty, matching lengths, rectangular matrices, labels in range, no NaN scores) and
 * throws {@link IllegalArgumentException} saying what was expected and what was found. Sums
 * are in double; results are fractions in [0, 1] unless stated.
 *
 * <h2>Multiclass ([n][C] scores, int labels in [0, C))</h2>
 * <ul>
 * <li>{@link #accuracy}: fraction of rows whose arg max equals the label; ties go to the
 * lowest class index (as numpy's argmax).</li>
 * <li>{@link #topKAccuracy}: fraction of rows whose label is among the k best classes, ranking
 * by score descending and breaking ties by lower class index, so top-1 = {@link #accuracy}.
 * (scikit-learn's {@code top_k_accuracy_score} breaks ties the other way.) Requires
 * 1 &lt;= k &lt;= C.</li>
 * </ul>
 *
 * <h2>Multilabel ([n][L] scores, multi-hot truth)</h2>
 * Predictions are {@code score > threshold} per label ({@link #predict}); truth is boolean, or
 * 0/1 ints through {@link #multiHot}. With TP, FP, FN counted per label l:
 * <ul>
 * <li>{@link #hammingLoss} = (sum FP + sum FN) / (n * L);</li>
 * <li>{@link #subsetAccuracy} = fraction of rows predicted exactly;</li>
 * <li>{@link #microF1} = 2 sum TP / (2 sum TP + sum FP + sum FN);</li>
 * <li>{@link #macroF1} = mean over all L labels of F1_l = 2 TP_l / (2 TP_l + FP_l + FN_l).</li>
 * </ul>
 * Zero division follows scikit-learn's default ({@code zero_division="warn"}, which returns
 * 0): an F1 whose denominator is 0 (no true and no predicted positive) is 0, and such a label
 * still counts in the macro mean, pulling it down. Tern does not warn; callers that want to
 * see those labels use {@link #perLabelF1}.
 * <ul>
 * <li>{@link #averagePrecision}: AP per label as scikit-learn's {@code average_precision_score}
 * and its mean (mAP), labels with no positive left out and reported; see
 * {@link AveragePrecision}.</li>
 * </ul>
 *
 * <h2>Regression</h2>
 * {@link #mae} = mean |p - t|, {@link #rmse} = sqrt(mean (p - t)^2); NaN in, NaN out.
 */
public final class Metrics {
    private Metrics() {
    }

    /** Fraction of rows whose arg max (first one on ties) equals the label. */
    public static double accuracy(float[][] scores, int[] labels) {
        return topKAccuracy(scores, labels, 1);
    }

    /**
     * Recall of each class: of the samples whose label is class c, the fraction predicted c
     * (argmax; ties to the lower index, as {@link #accuracy}); NaN for a class with no sample.
     * What "who compression hurts" compares per class (Hooker et al. 2019).
     */
    public static double[] classRecall(float[][] scores, int[] labels, int classes) {
        MetricsChecks.rows("scores", scores.length, "labels", labels.length);
        long[] right = new long[classes];
        long[] count = new long[classes];
        for (int i = 0; i < labels.length; i++) {
            count[labels[i]]++;
            if (argmax(scores[i]) == labels[i]) {
                right[labels[i]]++;
            }
        }
        double[] r = new double[classes];
        for (int c = 0; c < classes; c++) {
            r[c] = count[c] == 0 ? Double.NaN : (double) right[c] / count[c];
        }
        return r;
    }

    /** The first index of the highest score. */
    private static int argmax(float[] s) {
        int k = 0;
        for (int c = 1; c < s.length; c++) {
            if (s[c] > s[k]) {
                k = c;
            }
        }
        return k;
    }

    /** Recall of each label, tp / (tp + fn) at the predictions given; NaN for a label with no positive. */
    public static double[] labelRecall(boolean[][] truth, boolean[][] predicted) {
        LabelCounts c = LabelCounts.of(truth, predicted);
        double[] r = new double[c.labels()];
        for (int l = 0; l < r.length; l++) {
            long pos = c.tp[l] + c.fn[l];
            r[l] = pos == 0 ? Double.NaN : (double) c.tp[l] / pos;
        }
        return r;
    }

    /**
     * Fraction of rows whose label ranks among the {@code k} highest scores (ties: lower class
     * index first). A row's label ranks
     * {@code r = #{c : s[c] > s[y] or (s[c] == s[y] and c < y)}}; a hit is {@code r < k}.
     */
    public static double topKAccuracy(float[][] scores, int[] labels, int k) {
        MetricsChecks.rows("scores", scores.length, "labels", labels.length);
        int classes = MetricsChecks.columns("scores", scores);
        if (k < 1 || k > classes) {
            throw new IllegalArgumentException("k = " + k + " is not in [1, " + classes + "] (scores have " + classes + " classes)");
        }
        MetricsChecks.labels(labels, classes);
        MetricsChecks.noNaN("scores", scores);
        long hits = 0;
        for (int i = 0; i < scores.length; i++) {
            float[] s = scores[i];
            int y = labels[i];
            int rank = 0;
            for (int c = 0; c < classes && rank < k; c++) {
                if (s[c] > s[y] || (s[c] == s[y] && c < y)) {
                    rank++;
                }
            }
            if (rank < k) {
                hits++;
            }
        }
        return (double) hits / scores.length;
    }

    /** Binary predictions [n][L]: {@code scores[i][l] > thresholds[l]}. */
    public static boolean[][] predict(float[][] scores, float[] thresholds) {
        int labels = MetricsChecks.columns("scores", scores);
        if (thresholds.length != labels) {
            throw new IllegalArgumentException("thresholds has " + thresholds.length + " entries, expected " + labels
                    + " (one per label of scores)");
        }
        boolean[][] out = new boolean[scores.length][labels];
        for (int i = 0; i < scores.length; i++) {
            for (int l = 0; l < labels; l++) {
                out[i][l] = scores[i][l] > thresholds[l];
            }
        }
        return out;
    }

    /** Binary predictions [n][L]: {@code scores[i][l] > threshold}. */
    public static boolean[][] predict(float[][] scores, float threshold) {
        float[] t = new float[MetricsChecks.columns("scores", scores)];
        java.util.Arrays.fill(t, threshold);
        return predict(scores, t);
    }

    /** 0/1 int rows as booleans; any other value is an error. */
    public static boolean[][] multiHot(int[][] truth) {
        boolean[][] out = new boolean[truth.length][];
        for (int i = 0; i < truth.length; i++) {
            out[i] = new boolean[truth[i].length];
            for (int l = 0; l < truth[i].length; l++) {
                int v = truth[i][l];
                if (v != 0 && v != 1) {
                    throw new IllegalArgumentException("truth[" + i + "][" + l + "] is " + v + ", expected 0 or 1");
                }
                out[i][l] = v == 1;
            }
        }
        return out;
    }

    /** (sum FP + sum FN) / (n * L): the fraction of wrong label decisions. */
    public static double hammingLoss(boolean[][] truth, boolean[][] predicted) {
        LabelCounts c = counts(truth, predicted);
        long wrong = 0;
        for (int l = 0; l < c.labels(); l++) {
            wrong += c.fp[l] + c.fn[l];
        }
        return (double) wrong / ((long) c.samples * c.labels());
    }

    /** Fraction of rows whose predicted label set equals the true one (exact match). */
    public static double subsetAccuracy(boolean[][] truth, boolean[][] predicted) {
        MetricsChecks.sameShape("truth", truth, "predicted", predicted);
        long exact = 0;
        for (int i = 0; i < truth.length; i++) {
            if (java.util.Arrays.equals(truth[i], predicted[i])) {
                exact++;
            }
        }
        return (double) exact / truth.length;
    }

    /** 2 sum TP / (2 sum TP + sum FP + sum FN); 0 when nothing is positive in truth or prediction. */
    public static double microF1(boolean[][] truth, boolean[][] predicted) {
        LabelCounts c = counts(truth, predicted);
        long tp = 0;
        long fp = 0;
        long fn = 0;
        for (int l = 0; l < c.labels(); l++) {
            tp += c.tp[l];
            fp += c.fp[l];
            fn += c.fn[l];
        }
        return LabelCounts.f1(tp, fp, fn);
    }

    /** F1 of each label, 2 TP / (2 TP + FP + FN), 0 when the denominator is 0. */
    public static double[] perLabelF1(boolean[][] truth, boolean[][] predicted) {
        LabelCounts c = counts(truth, predicted);
        double[] f1 = new double[c.labels()];
        for (int l = 0; l < f1.length; l++) {
            f1[l] = LabelCounts.f1(c.tp[l], c.fp[l], c.fn[l]);
        }
        return f1;
    }

    /** Mean of {@link #perLabelF1} over all labels (a label with no true and no predicted positive counts as 0). */
    public static double macroF1(boolean[][] truth, boolean[][] predicted) {
        double sum = 0;
        double[] f1 = perLabelF1(truth, predicted);
        for (double f : f1) {
            sum += f;
        }
        return sum / f1.length;
    }

    /** AP per label and mAP over the labels that have a positive; see {@link AveragePrecision}. */
    public static AveragePrecision averagePrecision(float[][] scores, boolean[][] truth) {
        MetricsChecks.rows("scores", scores.length, "truth", truth.length);
        int labels = MetricsChecks.columns("scores", scores);
        int t = MetricsChecks.columns("truth", truth);
        if (t != labels) {
            throw new IllegalArgumentException("truth has " + t + " columns, expected " + labels + " (as scores)");
        }
        MetricsChecks.noNaN("scores", scores);
        return AveragePrecision.of(scores, truth);
    }

    /** Mean absolute error: mean |predicted - truth|. */
    public static double mae(float[] predicted, float[] truth) {
        MetricsChecks.rows("predicted", predicted.length, "truth", truth.length);
        double sum = 0;
        for (int i = 0; i < predicted.length; i++) {
            sum += Math.abs((double) predicted[i] - truth[i]);
        }
        return sum / predicted.length;
    }

    /** Root mean squared error: sqrt(mean (predicted - truth)^2). */
    public static double rmse(float[] predicted, float[] truth) {
        MetricsChecks.rows("predicted", predicted.length, "truth", truth.length);
        double sum = 0;
        for (int i = 0; i < predicted.length; i++) {
            double d = (double) predicted[i] - truth[i];
            sum += d * d;
        }
        return Math.sqrt(sum / predicted.length);
    }

    private static LabelCounts counts(boolean[][] truth, boolean[][] predicted) {
        MetricsChecks.sameShape("truth", truth, "predicted", predicted);
        return LabelCounts.of(truth, predicted);
    }
}
