package dev.tern.compress.eval;

/**
 * Per-label confusion counts of multilabel predictions against the truth: true positives,
 * false positives and false negatives for each of L labels, plus the number of samples.
 */
final class LabelCounts {
    final int samples;
    final long[] tp;
    final long[] fp;
    final long[] fn;

    private LabelCounts(int samples, int labels) {
        this.samples = samples;
        this.tp = new long[labels];
        this.fp = new long[labels];
        this.fn = new long[labels];
    }

    /** Counts over [n][L] matrices of the same shape (checked by the caller). */
    static LabelCounts of(boolean[][] truth, boolean[][] predicted) {
        LabelCounts c = new LabelCounts(truth.length, truth[0].length);
        for (int i = 0; i < truth.length; i++) {
            for (int l = 0; l < c.tp.length; l++) {
                boolean t = truth[i][l];
                boolean p = predicted[i][l];
                if (t && p) {
                    c.tp[l]++;
                } else if (p) {
                    c.fp[l]++;
                } else if (t) {
                    c.fn[l]++;
                }
            }
        }
        return c;
    }

    int labels() {
        return tp.length;
    }

    /** F1 = 2TP / (2TP + FP + FN), 0 when the denominator is 0 (scikit-learn's zero_division default). */
    static double f1(long tp, long fp, long fn) {
        long denominator = 2 * tp + fp + fn;
        return denominator == 0 ? 0.0 : 2.0 * tp / denominator;
    }
}
