package dev.tern.compress.quant;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ND4J (matrix) evaluations of the calibration searches against plain per-candidate loops. */
class HistogramTest {
    /** Random counts with runs of empty bins, as real activations have. */
    static long[] counts(int bins, long seed) {
        Random r = new Random(seed);
        long[] c = new long[bins];
        for (int i = 0; i < bins; i++) {
            double x = (i - bins * 0.3) / (bins * 0.08);
            c[i] = r.nextInt(10) < 2 ? 0 : Math.round(2000 * Math.exp(-x * x / 2) + r.nextInt(5));
        }
        c[bins - 1] = 3; // a few outliers at the top
        return c;
    }

    /** KL(P || Q) of candidate bins [s, e), straight from the definition in {@link Histogram#klDivergences}. */
    static double klReference(long[] counts, int s, int e, int levels) {
        int n = e - s;
        double total = 0;
        for (long c : counts) {
            total += c;
        }
        double[] p = new double[n];
        for (int j = 0; j < n; j++) {
            p[j] = counts[s + j];
        }
        for (int i = 0; i < s; i++) {
            p[0] += counts[i];
        }
        for (int i = e; i < counts.length; i++) {
            p[n - 1] += counts[i];
        }
        double[] q = new double[n];
        for (int lvl = 0; lvl < levels; lvl++) {
            double sum = 0;
            int nonZero = 0;
            for (int j = 0; j < n; j++) {
                if ((long) j * levels / n == lvl) {
                    sum += counts[s + j];
                    nonZero += p[j] > 0 ? 1 : 0;
                }
            }
            for (int j = 0; j < n; j++) {
                if ((long) j * levels / n == lvl && p[j] > 0) {
                    q[j] = Math.max(sum / nonZero, Histogram.EMPTY_LEVEL_MASS);
                }
            }
        }
        double qSum = 0;
        for (double v : q) {
            qSum += v;
        }
        double kl = 0;
        for (int j = 0; j < n; j++) {
            if (p[j] > 0) {
                double ph = p[j] / total;
                kl += ph * Math.log(ph / (q[j] / qSum));
            }
        }
        return kl;
    }

    /** Sum of count * (x - dequant(quant(x)))^2 over bin centres, for the quantizer of {@code r}. */
    static double mseReference(long[] counts, double min, double max, Range r) {
        double w = (max - min) / counts.length;
        float scale = r.scale();
        int zp = r.zeroPoint();
        double sum = 0;
        for (int i = 0; i < counts.length; i++) {
            double x = min + (i + 0.5) * w;
            double q = Math.max(-128, Math.min(127, Range.roundHalfAwayFromZero(x / scale) + zp));
            double err = x - scale * (q - zp);
            sum += counts[i] * err * err;
        }
        return sum;
    }

    @Test
    void klDivergencesMatchThePerCandidateDefinition() {
        for (double[] edges : new double[][] {{-2.0, 9.0}, {0.0, 5.0}, {1.5, 4.0}, {-7.0, -1.0}}) {
            long[] c = counts(700, 3);
            Histogram h = new Histogram(c, edges[0], edges[1]);
            int[][] cand = h.candidates();
            double[] kl = h.klDivergences(cand[0], cand[1]);
            assertEquals(cand[0].length, kl.length);
            for (int k = 0; k < kl.length; k++) {
                double ref = klReference(c, cand[0][k], cand[1][k], h.levels(cand[0][k], cand[1][k]));
                assertEquals(ref, kl[k], 1e-9 * Math.max(1, Math.abs(ref)),
                        "candidate [" + cand[0][k] + ", " + cand[1][k] + ") of " + edges[0] + ".." + edges[1]);
            }
        }
    }

    @Test
    void squaredErrorsMatchThePerCandidateDefinition() {
        long[] c = counts(900, 5);
        Histogram h = new Histogram(c, -3.0, 11.0);
        int[][] cand = h.candidates();
        double[] mse = h.squaredErrors(cand[0], cand[1]);
        for (int k = 0; k < mse.length; k++) {
            double ref = mseReference(c, -3.0, 11.0, h.candidateRange(cand[0][k], cand[1][k]));
            assertEquals(ref, mse[k], 1e-9 * Math.max(1, ref), "candidate " + k);
        }
    }

    @Test
    void candidatesGrowFromTheMiddleToTheFullHistogram() {
        Histogram h = new Histogram(counts(2048, 1), -4.0, 50.0);
        int[][] c = h.candidates();
        int n = c[0].length;
        assertTrue(n > 100 && n <= Histogram.CANDIDATES, "count " + n);
        assertEquals(0, c[0][n - 1]);
        assertEquals(2048, c[1][n - 1]);
        for (int k = 1; k < n; k++) {
            assertTrue(c[0][k] <= c[0][k - 1] && c[1][k] >= c[1][k - 1], "nested at " + k);
            assertTrue(c[1][k] > c[0][k]);
        }
        // the threshold reaches min = -4 early: from then on only the top moves
        assertEquals(0, c[0][n / 2]);

        // min >= 0: only the upper end is ever searched
        Histogram positive = new Histogram(counts(512, 2), 0.0, 8.0);
        for (int s : positive.candidates()[0]) {
            assertEquals(0, s);
        }
        // data in [2, 10]: no candidate ends below the data
        Histogram far = new Histogram(counts(512, 2), 2.0, 10.0);
        assertTrue(far.edge(far.candidates()[1][0]) > 2.0);
    }

    @Test
    void levelsCountTheInt8StepsOnTheCandidate() {
        Histogram straddle = new Histogram(counts(2048, 1), -1.0, 3.0);
        assertEquals(256, straddle.levels(0, 2048));
        // bins [480, 560) = [-0.0625, 0.09375): all 256 levels, but at most one per bin
        assertEquals(80, straddle.levels(480, 560));
        // bins [1000, 1100) = [0.953, 1.148) are quantized over [0, 1.148]: 17% of the levels
        assertEquals(44, straddle.levels(1000, 1100));
        // [2, 10] is quantized over [0, 10]: 8/10 of the 256 levels fall on it
        Histogram far = new Histogram(counts(2048, 1), 2.0, 10.0);
        assertEquals(205, far.levels(0, 2048));
    }

    @Test
    void quantileInterpolatesInsideTheBin() {
        // 10 counts in each of 4 bins over [0, 4)
        Histogram h = new Histogram(new long[] {10, 10, 10, 10}, 0.0, 4.0);
        assertEquals(0.0, h.quantile(0), 1e-12);
        assertEquals(0.5, h.quantile(0.125), 1e-12);
        assertEquals(2.0, h.quantile(0.5), 1e-12);
        assertEquals(3.75, h.quantile(0.9375), 1e-12);
        assertEquals(4.0, h.quantile(1), 1e-12);
        // empty bins are skipped
        Histogram gap = new Histogram(new long[] {10, 0, 0, 10}, 0.0, 4.0);
        assertEquals(3.5, gap.quantile(0.75), 1e-12);
        assertEquals(new Range(0f, 4f), gap.percentileRange(100));
    }

    @Test
    void rejectsDegenerateHistograms() {
        assertThrows(IllegalArgumentException.class, () -> new Histogram(new long[] {0, 0}, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Histogram(new long[] {1, 1}, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Histogram(new long[0], 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Histogram(new long[] {1}, 0, 1).quantile(1.5));
    }
}
