package dev.tern.compress.eval;

import java.util.Arrays;

/**
 * Average precision per label and their mean (mAP), as scikit-learn's
 * {@code average_precision_score} computes AP for one label:
 *
 * <pre>AP = sum_k (R_k - R_{k-1}) * P_k,  R_0 = 0</pre>
 *
 * over the distinct score values t_1 > t_2 > ... taken as thresholds (predicted positive:
 * score >= t_k), with P_k = TP_k / (TP_k + FP_k) and R_k = TP_k / (number of positives). Tied
 * scores form one threshold, so their order never matters (scikit-learn's
 * {@code _binary_clf_curve}). No interpolation.
 *
 * <p>A label with no positive samples has no recall; it gets AP = NaN, is left out of the mean
 * and listed in {@link #excluded()}. (scikit-learn instead warns and counts such a label as
 * AP 0 in the macro mean; Tern reports it apart so that a rare class cannot drag the mean.)
 * When no label has a positive sample the mean is NaN.
 */
public final class AveragePrecision {
    private final double[] perLabel;
    private final int[] excluded;
    private final double mean;

    private AveragePrecision(double[] perLabel) {
        this.perLabel = perLabel;
        int[] ex = new int[perLabel.length];
        int nEx = 0;
        double sum = 0;
        for (int l = 0; l < perLabel.length; l++) {
            if (Double.isNaN(perLabel[l])) {
                ex[nEx++] = l;
            } else {
                sum += perLabel[l];
            }
        }
        this.excluded = Arrays.copyOf(ex, nEx);
        int included = perLabel.length - nEx;
        this.mean = included == 0 ? Double.NaN : sum / included;
    }

    /** AP of every column of {@code scores} [n][L] against {@code truth} [n][L]. Inputs are checked by {@link Metrics}. */
    static AveragePrecision of(float[][] scores, boolean[][] truth) {
        int n = scores.length;
        int labels = scores[0].length;
        double[] ap = new double[labels];
        float[] s = new float[n];
        boolean[] t = new boolean[n];
        for (int l = 0; l < labels; l++) {
            for (int i = 0; i < n; i++) {
                s[i] = scores[i][l];
                t[i] = truth[i][l];
            }
            ap[l] = binary(s, t);
        }
        return new AveragePrecision(ap);
    }

    /** AP of one label; NaN when {@code truth} has no positive. No checks. */
    static double binary(float[] scores, boolean[] truth) {
        int n = scores.length;
        int positives = 0;
        for (boolean b : truth) {
            if (b) {
                positives++;
            }
        }
        if (positives == 0) {
            return Double.NaN;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Float.compare(scores[y], scores[x]));
        double ap = 0;
        double prevRecall = 0;
        int tp = 0;
        int fp = 0;
        int k = 0;
        while (k < n) {
            float threshold = scores[order[k]];
            // One threshold per distinct score: take the whole tie group (-0.0 and 0.0 are one value).
            while (k < n && scores[order[k]] == threshold) {
                if (truth[order[k]]) {
                    tp++;
                } else {
                    fp++;
                }
                k++;
            }
            double recall = (double) tp / positives;
            double precision = (double) tp / (tp + fp);
            ap += (recall - prevRecall) * precision;
            prevRecall = recall;
        }
        return ap;
    }

    /** Mean AP over the labels with at least one positive; NaN when there are none. */
    public double mean() {
        return mean;
    }

    /** AP per label (a copy); NaN for the labels in {@link #excluded()}. */
    public double[] perLabel() {
        return perLabel.clone();
    }

    /** AP of label {@code l}; NaN when it has no positive sample. */
    public double label(int l) {
        return perLabel[l];
    }

    /** The labels with no positive sample, left out of the mean (ascending; a copy). */
    public int[] excluded() {
        return excluded.clone();
    }

    /** Number of labels in the mean. */
    public int included() {
        return perLabel.length - excluded.length;
    }

    @Override
    public String toString() {
        return "mAP " + mean + " over " + included() + " labels" + (excluded.length == 0 ? ""
                : ", excluded (no positives): " + Arrays.toString(excluded));
    }
}
