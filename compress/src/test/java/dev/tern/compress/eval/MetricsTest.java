package dev.tern.compress.eval;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hand-computed cases; the arithmetic is in the comments. The multilabel, AP and regression
 * values were also checked against scikit-learn 1.9 (f1_score, hamming_loss, accuracy_score,
 * average_precision_score, mean_absolute_error, root_mean_squared_error).
 */
class MetricsTest {
    private static final double EPS = 1e-12;
    private static final long SEED = 20261125L;

    // ---- multiclass -------------------------------------------------------------------------

    /** 4 samples, 3 classes. */
    private static final float[][] SCORES = {
        {0.1f, 0.7f, 0.2f}, // label 1: arg max 1, hit. rank of 1 = 0
        {0.5f, 0.5f, 0.0f}, // label 1: tie 0/1, arg max is the first (0): miss. rank of 1 = 1 (class 0 ties and is lower)
        {0.2f, 0.3f, 0.5f}, // label 0: miss. rank of 0 = 2 (0.3 and 0.5 are higher)
        {0.3f, 0.3f, 0.4f}, // label 0: arg max 2, miss. rank of 0 = 1 (only 0.4; class 1 ties but is higher-indexed)
    };
    private static final int[] LABELS = {1, 1, 0, 0};

    @Test
    void accuracyTakesTheFirstMaxOnTies() {
        // hits: row 0 only -> 1/4
        assertEquals(0.25, Metrics.accuracy(SCORES, LABELS), EPS);
        assertEquals(Metrics.accuracy(SCORES, LABELS), Metrics.topKAccuracy(SCORES, LABELS, 1), EPS);
    }

    /** Per-class recall by hand: class 0 has two samples (one right), class 1 one (its tie goes to class 0), class 2 one. */
    @Test
    void classRecallCountsEachClassOwnSamples() {
        float[][] scores = {{0.9f, 0.1f, 0.0f}, {0.5f, 0.5f, 0.0f}, {0.3f, 0.3f, 0.4f}, {0.1f, 0.2f, 0.7f}};
        int[] labels = {0, 1, 0, 2};
        double[] r = Metrics.classRecall(scores, labels, 4);
        assertEquals(0.5, r[0], 1e-12);
        assertEquals(0.0, r[1], 1e-12); // the tie goes to class 0, as in accuracy
        assertEquals(1.0, r[2], 1e-12);
        assertTrue(Double.isNaN(r[3]), "a class without samples has no recall");
        // the classes' right answers add up to the accuracy
        assertEquals(Metrics.accuracy(scores, labels), (0.5 * 2 + 0 + 1) / 4, 1e-12);
        boolean[][] truth = {{true, false, true}, {true, false, false}, {false, false, true}};
        boolean[][] pred = {{true, true, false}, {false, false, false}, {false, true, true}};
        double[] lr = Metrics.labelRecall(truth, pred);
        assertEquals(0.5, lr[0], 1e-12); // 1 of 2 positives found
        assertTrue(Double.isNaN(lr[1]), "no positive: no recall (its false positives do not count)");
        assertEquals(0.5, lr[2], 1e-12);
    }

    @Test
    void topK() {
        // ranks 0, 1, 2, 1: top-2 hits rows 0, 1, 3 -> 3/4; top-3 hits all -> 1
        assertEquals(0.75, Metrics.topKAccuracy(SCORES, LABELS, 2), EPS);
        assertEquals(1.0, Metrics.topKAccuracy(SCORES, LABELS, 3), EPS);
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
            () -> Metrics.topKAccuracy(SCORES, LABELS, 4));
        assertTrue(big.getMessage().contains("k = 4 is not in [1, 3]"), big.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Metrics.topKAccuracy(SCORES, LABELS, 0));
    }

    @Test
    void topKMatchesSortingOnRandomScores() {
        Random rnd = new Random(SEED);
        int n = 200;
        int c = 7;
        float[][] s = new float[n][c];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < c; j++) {
                s[i][j] = rnd.nextInt(5) / 4f; // few distinct values: many ties
            }
            y[i] = rnd.nextInt(c);
        }
        for (int k = 1; k <= c; k++) {
            int hits = 0;
            for (int i = 0; i < n; i++) {
                final float[] row = s[i];
                // stable sort of class indices by descending score: ties keep the lower index first
                Integer[] order = {0, 1, 2, 3, 4, 5, 6};
                java.util.Arrays.sort(order, (p, q) -> Float.compare(row[q], row[p]));
                for (int r = 0; r < k; r++) {
                    hits += order[r] == y[i] ? 1 : 0;
                }
            }
            assertEquals((double) hits / n, Metrics.topKAccuracy(s, y, k), EPS, "k = " + k + ", seed " + SEED);
        }
    }

    @Test
    void multiclassInputsAreChecked() {
        IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
            () -> Metrics.accuracy(SCORES, new int[] {1, 1, 0}));
        assertTrue(rows.getMessage().contains("labels has 3 rows, expected 4"), rows.getMessage());
        IllegalArgumentException ragged = assertThrows(IllegalArgumentException.class,
            () -> Metrics.accuracy(new float[][] {{1, 2}, {1, 2, 3}}, new int[] {0, 0}));
        assertTrue(ragged.getMessage().contains("scores[1] has 3 columns, expected 2"), ragged.getMessage());
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
            () -> Metrics.accuracy(SCORES, new int[] {1, 1, 3, 0}));
        assertTrue(range.getMessage().contains("labels[2] is 3, expected a class in [0, 2]"), range.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
            () -> Metrics.accuracy(new float[][] {{1, Float.NaN}}, new int[] {0}));
        assertTrue(nan.getMessage().contains("scores[0][1] is NaN"), nan.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
            () -> Metrics.accuracy(new float[0][], new int[0]));
        assertTrue(empty.getMessage().contains("no rows"), empty.getMessage());
    }

    // ---- multilabel -------------------------------------------------------------------------

    /** 4 samples, 3 labels, thresholds 0.5, 0.5, 0.3 (prediction: score > threshold). */
    private static final float[][] ML_SCORES = {
        {0.9f, 0.2f, 0.4f}, // pred 1 0 1   truth 1 0 0
        {0.6f, 0.7f, 0.1f}, // pred 1 1 0   truth 1 1 0
        {0.4f, 0.5f, 0.3f}, // pred 0 0 0 (0.5 > 0.5 and 0.3 > 0.3 are false)   truth 0 1 0
        {0.1f, 0.8f, 0.9f}, // pred 0 1 1   truth 1 1 0
    };
    private static final float[] THRESHOLDS = {0.5f, 0.5f, 0.3f};
    private static final int[][] ML_TRUTH = {{1, 0, 0}, {1, 1, 0}, {0, 1, 0}, {1, 1, 0}};

    @Test
    void multilabelHandCase() {
        boolean[][] pred = Metrics.predict(ML_SCORES, THRESHOLDS);
        assertArrayEquals(new boolean[] {true, false, true}, pred[0]);
        assertArrayEquals(new boolean[] {false, false, false}, pred[2]);
        boolean[][] truth = Metrics.multiHot(ML_TRUTH);
        // label 0: truth 1101, pred 1100 -> TP 2, FP 0, FN 1 -> F1 = 4 / (4 + 0 + 1) = 0.8
        // label 1: truth 0111, pred 0101 -> TP 2, FP 0, FN 1 -> F1 = 0.8
        // label 2: truth 0000, pred 1001 -> TP 0, FP 2, FN 0 -> F1 = 0 / 2 = 0
        assertArrayEquals(new double[] {0.8, 0.8, 0.0}, Metrics.perLabelF1(truth, pred), EPS);
        // Hamming: (FP + FN) = 1 + 1 + 2 = 4 wrong of 4 * 3 = 12 -> 1/3
        assertEquals(1.0 / 3, Metrics.hammingLoss(truth, pred), EPS);
        // exact rows: only row 1 -> 1/4
        assertEquals(0.25, Metrics.subsetAccuracy(truth, pred), EPS);
        // micro: TP 4, FP 2, FN 2 -> 8 / (8 + 2 + 2) = 2/3
        assertEquals(2.0 / 3, Metrics.microF1(truth, pred), EPS);
        // macro: (0.8 + 0.8 + 0) / 3 = 0.5333...
        assertEquals(1.6 / 3, Metrics.macroF1(truth, pred), EPS);
        // one threshold for all: 0.5 -> label 2 predicted only on row 3 (0.9): FP 1 -> hamming 3/12
        assertEquals(0.25, Metrics.hammingLoss(truth, Metrics.predict(ML_SCORES, 0.5f)), EPS);
    }

    @Test
    void noPositivesAnywhereGivesZeroF1LikeScikitLearn() {
        // zero_division: F1 = 2*0 / (0 + 0 + 0) -> 0 (scikit-learn's default "warn" returns 0.0)
        boolean[][] none = new boolean[3][2];
        assertEquals(0.0, Metrics.macroF1(none, none), EPS);
        assertEquals(0.0, Metrics.microF1(none, none), EPS);
        assertEquals(0.0, Metrics.hammingLoss(none, none), EPS);
        assertEquals(1.0, Metrics.subsetAccuracy(none, none), EPS);
        // One perfect label and one empty label: macro = (1 + 0) / 2 = 0.5 (the empty label drags it), micro = 2/2 = 1.
        boolean[][] t = {{true, false}, {false, false}};
        assertEquals(0.5, Metrics.macroF1(t, t), EPS);
        assertEquals(1.0, Metrics.microF1(t, t), EPS);
    }

    @Test
    void allLabelsPositive() {
        boolean[][] all = {{true, true, true}, {true, true, true}};
        assertEquals(1.0, Metrics.macroF1(all, all), EPS);
        assertEquals(1.0, Metrics.microF1(all, all), EPS);
        assertEquals(0.0, Metrics.hammingLoss(all, all), EPS);
        // predicting nothing: every label TP 0, FN 2 -> F1 0; hamming 6/6
        boolean[][] nothing = new boolean[2][3];
        assertEquals(0.0, Metrics.macroF1(all, nothing), EPS);
        assertEquals(1.0, Metrics.hammingLoss(all, nothing), EPS);
        // AP with only positives: precision is 1 at every threshold -> AP 1 per label
        AveragePrecision ap = Metrics.averagePrecision(new float[][] {{0.1f, 0.9f, 0.5f}, {0.7f, 0.2f, 0.5f}}, all);
        assertArrayEquals(new double[] {1, 1, 1}, ap.perLabel(), EPS);
        assertEquals(1.0, ap.mean(), EPS);
        assertEquals(0, ap.excluded().length);
    }

    @Test
    void multilabelInputsAreChecked() {
        IllegalArgumentException t = assertThrows(IllegalArgumentException.class,
            () -> Metrics.predict(ML_SCORES, new float[] {0.5f, 0.5f}));
        assertTrue(t.getMessage().contains("thresholds has 2 entries, expected 3"), t.getMessage());
        boolean[][] truth = Metrics.multiHot(ML_TRUTH);
        IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
            () -> Metrics.macroF1(truth, new boolean[3][3]));
        assertTrue(rows.getMessage().contains("predicted has 3 rows, expected 4"), rows.getMessage());
        IllegalArgumentException cols = assertThrows(IllegalArgumentException.class,
            () -> Metrics.hammingLoss(truth, new boolean[4][2]));
        assertTrue(cols.getMessage().contains("predicted has 2 columns, expected 3"), cols.getMessage());
        IllegalArgumentException hot = assertThrows(IllegalArgumentException.class,
            () -> Metrics.multiHot(new int[][] {{0, 1}, {2, 0}}));
        assertTrue(hot.getMessage().contains("truth[1][0] is 2, expected 0 or 1"), hot.getMessage());
        IllegalArgumentException ap = assertThrows(IllegalArgumentException.class,
            () -> Metrics.averagePrecision(ML_SCORES, new boolean[4][4]));
        assertTrue(ap.getMessage().contains("truth has 4 columns, expected 3"), ap.getMessage());
    }

    // ---- average precision ------------------------------------------------------------------

    @Test
    void averagePrecisionHandCase() {
        float[][] s = {
            {0.9f, 0.2f, 0.5f, 0.3f},
            {0.8f, 0.2f, 0.6f, 0.1f},
            {0.8f, 0.2f, 0.7f, 0.2f},
            {0.1f, 0.2f, 0.1f, 0.4f},
        };
        boolean[][] t = Metrics.multiHot(new int[][] {{1, 0, 0, 1}, {0, 1, 0, 1}, {1, 0, 0, 1}, {0, 0, 0, 1}});
        AveragePrecision ap = Metrics.averagePrecision(s, t);
        // label 0: scores 0.9+ 0.8- 0.8+ 0.1-; thresholds 0.9: TP 1 FP 0, P 1, R 1/2 -> 1/2 * 1;
        //          0.8 (tie, one group): TP 2 FP 1, P 2/3, R 1 -> 1/2 * 2/3 = 1/3; 0.1: R unchanged. AP = 5/6
        assertEquals(5.0 / 6, ap.label(0), EPS);
        // label 1: all scores tie at 0.2, one positive: one threshold, P 1/4, R 1 -> AP 1/4
        assertEquals(0.25, ap.label(1), EPS);
        // label 2: no positive -> NaN, left out of the mean (scikit-learn would count 0)
        assertTrue(Double.isNaN(ap.label(2)));
        assertArrayEquals(new int[] {2}, ap.excluded());
        // label 3: all positive -> 1
        assertEquals(1.0, ap.label(3), EPS);
        // mAP = (5/6 + 1/4 + 1) / 3 = (10/12 + 3/12 + 12/12) / 3 = 25/36
        assertEquals(25.0 / 36, ap.mean(), EPS);
        assertEquals(3, ap.included());
    }

    @Test
    void averagePrecisionWithoutTies() {
        // scores 0.9+ 0.8- 0.7+ 0.6- 0.5+ (3 positives):
        // 0.9: P 1,   R 1/3 -> 1/3 * 1   = 1/3
        // 0.8: P 1/2, R 1/3 -> 0
        // 0.7: P 2/3, R 2/3 -> 1/3 * 2/3 = 2/9
        // 0.6: P 2/4, R 2/3 -> 0
        // 0.5: P 3/5, R 1   -> 1/3 * 3/5 = 1/5        AP = 15/45 + 10/45 + 9/45 = 34/45
        float[][] s = {{0.9f}, {0.8f}, {0.7f}, {0.6f}, {0.5f}};
        boolean[][] t = {{true}, {false}, {true}, {false}, {true}};
        assertEquals(34.0 / 45, Metrics.averagePrecision(s, t).mean(), EPS);
    }

    @Test
    void averagePrecisionIgnoresTheOrderOfTiedScores() {
        Random rnd = new Random(SEED);
        int n = 60;
        float[][] s = new float[n][1];
        boolean[][] t = new boolean[n][1];
        for (int i = 0; i < n; i++) {
            s[i][0] = rnd.nextInt(4) / 3f;
            t[i][0] = rnd.nextBoolean();
        }
        double ap = Metrics.averagePrecision(s, t).mean();
        for (int rep = 0; rep < 5; rep++) {
            // shuffle the rows: the tie groups stay the same, so AP must not move
            for (int i = n - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                float[] ts = s[i];
                s[i] = s[j];
                s[j] = ts;
                boolean[] tt = t[i];
                t[i] = t[j];
                t[j] = tt;
            }
            assertEquals(ap, Metrics.averagePrecision(s, t).mean(), EPS, "seed " + SEED + ", shuffle " + rep);
        }
        // -0.0 and 0.0 are one score: order must not matter between them either.
        boolean[][] tb = {{true}, {false}};
        assertEquals(0.5, Metrics.averagePrecision(new float[][] {{0.0f}, {-0.0f}}, tb).mean(), EPS);
        assertEquals(0.5, Metrics.averagePrecision(new float[][] {{-0.0f}, {0.0f}}, tb).mean(), EPS);
    }

    @Test
    void averagePrecisionWithNoPositiveAtAll() {
        AveragePrecision ap = Metrics.averagePrecision(new float[][] {{0.3f, 0.1f}, {0.2f, 0.9f}}, new boolean[2][2]);
        assertTrue(Double.isNaN(ap.mean()));
        assertArrayEquals(new int[] {0, 1}, ap.excluded());
        assertEquals(0, ap.included());
    }

    // ---- regression -------------------------------------------------------------------------

    @Test
    void maeAndRmse() {
        float[] p = {1, 2, 3, 4};
        float[] t = {1.5f, 2, 2, 6};
        // errors -0.5, 0, 1, -2: MAE = (0.5 + 0 + 1 + 2) / 4 = 0.875; RMSE = sqrt((0.25 + 0 + 1 + 4) / 4) = sqrt(1.3125)
        assertEquals(0.875, Metrics.mae(p, t), EPS);
        assertEquals(Math.sqrt(1.3125), Metrics.rmse(p, t), EPS);
        assertEquals(0.0, Metrics.rmse(t, t), EPS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Metrics.mae(p, new float[3]));
        assertTrue(e.getMessage().contains("truth has 3 rows, expected 4"), e.getMessage());
        assertTrue(Double.isNaN(Metrics.mae(new float[] {Float.NaN}, new float[] {0})));
    }
}
