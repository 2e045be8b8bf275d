package dev.tern.compress.quant;

import dev.tern.compress.BadInputException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ActivationStatsTest {
    /** Both passes over the same values, in batches of {@code batch}. */
    static ActivationStats collect(float[] v, int batch) {
        ActivationStats s = new ActivationStats("act");
        for (int off = 0; off < v.length; off += batch) {
            s.observeRange(v, off, Math.min(batch, v.length - off));
        }
        for (int off = 0; off < v.length; off += batch) {
            s.observeHistogram(v, off, Math.min(batch, v.length - off));
        }
        return s;
    }

    static float[] gaussian(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    static float[] uniform(int n, float lo, float hi, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = lo + r.nextFloat() * (hi - lo);
        }
        return v;
    }

    static void assertValid(Range r) {
        assertTrue(r.lo() <= 0f && r.hi() >= 0f && r.hi() > r.lo(), r.toString());
    }

    @Test
    void exactZerosOfAReluDoNotDragEntropyOrMseDown() {
        // A ReLU output: 80% exact zeros, the rest uniform in (0, 10]. Zeros are exact under any
        // range containing 0, so the searches must see only the uniform part and keep (nearly) all of it.
        float[] v = uniform(200_000, 0f, 10f, 5);
        Random r = new Random(6);
        for (int i = 0; i < v.length; i++) {
            if (r.nextInt(10) < 8) {
                v[i] = 0f;
            }
        }
        ActivationStats s = new ActivationStats("relu");
        s.observeRange(v, 0, v.length);
        s.observeHistogram(v, 0, v.length);
        assertEquals(160_000, s.zeros(), 2_000);
        for (CalibrationMethod m : new CalibrationMethod[] {CalibrationMethod.ENTROPY, CalibrationMethod.MSE}) {
            Range range = s.range(m);
            assertEquals(0f, range.lo(), m.id());
            assertTrue(range.hi() > 9f, m.id() + " clipped a uniform tail: " + range);
        }
    }

    @Test
    void minAndMaxRunOverSeveralCallsAndOnlyTheGivenSlices() {
        ActivationStats s = new ActivationStats("conv1");
        s.observeRange(new float[] {5f, -1f, 2f}, 0, 3);
        s.observeRange(new float[] {100f, 7f, 0f, -100f}, 1, 2); // 100 and -100 lie outside the slice
        s.observeRange(new float[] {3f}, 0, 0);                    // empty: nothing
        assertEquals(-1f, s.min());
        assertEquals(7f, s.max());
        assertEquals(5, s.rangeCount());
        assertEquals(new Range(-1f, 7f), s.range(CalibrationMethod.MINMAX));
    }

    @Test
    void histogramCountsMatchABruteForceHistogram() {
        // values well inside their bins (bin centre +- 0.3 bin), plus the exact min and max
        int bins = ActivationStats.DEFAULT_BINS;
        float lo = -3f;
        float hi = 5f;
        float w = (hi - lo) / bins; // 2^-8, exact
        Random r = new Random(11);
        float[] v = new float[50_002];
        long[] expected = new long[bins];
        v[0] = lo;
        v[1] = hi;
        expected[0]++;
        expected[bins - 1]++;
        for (int i = 2; i < v.length; i++) {
            int k = r.nextInt(bins);
            v[i] = lo + (k + 0.5f + (r.nextFloat() - 0.5f) * 0.6f) * w;
            expected[(int) Math.floor((v[i] - lo) / w)]++;
        }
        ActivationStats s = collect(v, 7_000);
        assertEquals(lo, s.min());
        assertEquals(hi, s.max());
        assertEquals(v.length, s.histogramCount());
        assertArrayEquals(expected, s.histogramCounts());
    }

    @Test
    void histogramCountsSumToTheNumberOfValues() {
        float[] v = gaussian(30_001, 5);
        ActivationStats s = collect(v, 4_096);
        assertEquals(v.length, Arrays.stream(s.histogramCounts()).sum());
        assertEquals(v.length, s.rangeCount());
        assertTrue(s.histogramCounts()[0] >= 1 && s.histogramCounts()[s.bins() - 1] >= 1, "min and max land in the edge bins");
    }

    @Test
    void percentileOfAUniformDistribution() {
        // 0, 1, ..., 9999: the 99.99th percentile is ~9999, the 1st ~100
        float[] v = new float[10_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        ActivationStats s = collect(v, 3_000);
        double width = 9999.0 / s.bins();
        Range r = s.range(CalibrationMethod.PERCENTILE);
        assertEquals(0f, r.lo()); // non-negative data: only the top is clipped
        assertEquals(9999, r.hi(), width);
        assertTrue(r.hi() <= 9999f);
        Histogram h = s.histogram();
        assertEquals(100, h.quantile(0.01), width);
        assertEquals(5000, h.quantile(0.5), width);
        assertEquals(9900, h.quantile(0.99), width);
        assertEquals(0, h.quantile(0), 0);

        // signed: the (100 - p)-th and p-th percentiles, here with p = 99
        float[] signed = new float[10_000];
        for (int i = 0; i < signed.length; i++) {
            signed[i] = i - 5000;
        }
        ActivationStats p99 = new ActivationStats("signed", ActivationStats.DEFAULT_BINS, 99);
        p99.observeRange(signed, 0, signed.length);
        p99.observeHistogram(signed, 0, signed.length);
        Range rs = p99.range(CalibrationMethod.PERCENTILE);
        assertEquals(-4900, rs.lo(), width);
        assertEquals(4900, rs.hi(), width);
    }

    @Test
    void entropyClipsALongTailToAFewSigma() {
        // N(0, 1) plus 5 outliers at 50 sigma: KL calibration ignores the outliers
        float[] v = gaussian(200_000, 42);
        for (int k = 0; k < 5; k++) {
            v[k * 1000] = 50f;
        }
        ActivationStats s = collect(v, 50_000);
        Range r = s.range(CalibrationMethod.ENTROPY);
        assertTrue(r.hi() > 2.5f && r.hi() < 8f, r.toString());
        assertTrue(r.lo() < -2.5f && r.lo() > -8f, r.toString());
        // percentile 99.99 clips them too (20 values per side lie beyond ~3.7 sigma)
        Range p = s.range(CalibrationMethod.PERCENTILE);
        assertTrue(p.hi() > 3f && p.hi() < 5f && p.lo() < -3f && p.lo() > -5f, p.toString());
        assertEquals(new Range(s.min(), 50f), s.range(CalibrationMethod.MINMAX));
    }

    @Test
    void entropyOnlySearchesTheTopOfNonNegativeData() {
        // ReLU output: half zeros, a half-normal, two large outliers
        float[] v = gaussian(100_000, 3);
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.max(0f, v[i]);
        }
        v[5] = 40f;
        v[6] = 35f;
        ActivationStats s = collect(v, 100_000);
        Range r = s.range(CalibrationMethod.ENTROPY);
        assertEquals(0f, r.lo());
        assertTrue(r.hi() > 2.5f && r.hi() < 8f, r.toString());
        assertEquals(0f, s.range(CalibrationMethod.MSE).lo());
        assertEquals(0f, s.range(CalibrationMethod.PERCENTILE).lo());
    }

    @Test
    void mseClipsAnOutlierRareEnoughToCostLessThanTheRoundingItSaves() {
        // Clipping to [-T, T] costs (20 - T)^2 for the outlier (plus the Gaussian tails beyond T)
        // and saves rounding error on the body, N * step^2 / 12 with step = 2T / 255. For
        // N = 2,000,000: f(T) = 2.563 (2T)^2 + (20 - T)^2 + tails, f(3.7) ~ 472, f(4) ~ 426,
        // f(4.5) ~ 450: the optimum is ~4 sigma, far below the outlier.
        float[] v = gaussian(2_000_000, 8);
        v[123] = 20f;
        ActivationStats s = collect(v, 1_000_000);
        Range r = s.range(CalibrationMethod.MSE);
        assertTrue(r.hi() > 3.5f && r.hi() < 5f, r.toString());
        assertTrue(r.lo() < -3.5f && r.lo() > -5f, r.toString());
    }

    @Test
    void mseKeepsOutliersWhoseSquaredErrorOutweighsTheRounding() {
        // 5 outliers at 50 among 200,000: d/dT [N (T + 4.67)^2 / (255^2 * 12) + 5 (50 - T)^2] = 0
        // at T = 47.3; MSE calibration barely clips (ENTROPY would clip at ~4 sigma).
        float[] v = gaussian(200_000, 42);
        for (int k = 0; k < 5; k++) {
            v[k * 1000] = 50f;
        }
        ActivationStats s = collect(v, 200_000);
        assertEquals(-4.67f, s.min(), 0.01f);
        Range r = s.range(CalibrationMethod.MSE);
        assertEquals(47.3f, r.hi(), 1.0f);
        assertEquals(s.min(), r.lo());
    }

    @Test
    void entropyAndMseKeepAboutTheFullRangeOfUniformData() {
        float[] v = uniform(200_000, 0f, 10f, 7);
        ActivationStats s = collect(v, 65_536);
        for (CalibrationMethod m : new CalibrationMethod[] {CalibrationMethod.ENTROPY, CalibrationMethod.MSE}) {
            Range r = s.range(m);
            assertEquals(0f, r.lo(), m.id());
            assertTrue(r.hi() >= 0.98f * s.max() && r.hi() <= s.max(), m + " " + r);
        }
        float[] signed = uniform(200_000, -5f, 5f, 9);
        ActivationStats ss = collect(signed, 65_536);
        for (CalibrationMethod m : new CalibrationMethod[] {CalibrationMethod.ENTROPY, CalibrationMethod.MSE}) {
            Range r = ss.range(m);
            assertTrue(r.lo() <= 0.98f * ss.min() && r.hi() >= 0.98f * ss.max(), m + " " + r);
        }
    }

    @Test
    void everyRangeContainsZero() {
        float[][] data = {uniform(20_000, 5f, 10f, 1), uniform(20_000, -10f, -5f, 2), uniform(20_000, -1f, 30f, 3),
                gaussian(20_000, 4)};
        for (float[] v : data) {
            ActivationStats s = collect(v, 20_000);
            for (CalibrationMethod m : CalibrationMethod.values()) {
                assertValid(s.range(m));
            }
            Range all = s.range(CalibrationMethod.MINMAX);
            assertTrue(all.contains(s.min()) && all.contains(s.max()) && all.contains(0), all.toString());
        }
        // data in [5, 10]: the range starts at 0 and is never cut below the data's own start
        ActivationStats far = collect(uniform(20_000, 5f, 10f, 1), 20_000);
        for (CalibrationMethod m : CalibrationMethod.values()) {
            Range r = far.range(m);
            assertEquals(0f, r.lo(), m.id());
            assertTrue(r.hi() > far.min(), m + " " + r);
        }
    }

    @Test
    void constantTensorsGetTheirValueAndZero() {
        ActivationStats c = collect(new float[] {3f, 3f, 3f}, 2);
        assertEquals(3, Arrays.stream(c.histogramCounts()).sum());
        for (CalibrationMethod m : CalibrationMethod.values()) {
            assertEquals(new Range(0f, 3f), c.range(m), m.id());
        }
        ActivationStats neg = collect(new float[] {-2f, -2f}, 2);
        for (CalibrationMethod m : CalibrationMethod.values()) {
            assertEquals(new Range(-2f, 0f), neg.range(m), m.id());
        }
        ActivationStats zero = collect(new float[100], 30);
        assertEquals(100, Arrays.stream(zero.histogramCounts()).sum());
        for (CalibrationMethod m : CalibrationMethod.values()) {
            assertSame(Range.ALL_ZERO, zero.range(m), m.id());
        }
        assertEquals(1f / 255, Range.ALL_ZERO.scale());
        assertEquals(-128, Range.ALL_ZERO.zeroPoint());
    }

    @Test
    void emptyInputAndOrderOfPasses() {
        ActivationStats s = new ActivationStats("fc");
        s.observeRange(new float[0], 0, 0);
        assertThrows(IllegalStateException.class, () -> s.range(CalibrationMethod.MINMAX));
        assertThrows(IllegalStateException.class, () -> s.observeHistogram(new float[] {1f}, 0, 1));
        s.observeRange(new float[] {-1f, 2f}, 0, 2);
        String msg = assertThrows(IllegalStateException.class, () -> s.range(CalibrationMethod.ENTROPY)).getMessage();
        assertTrue(msg.contains("fc") && msg.contains("histogram"), msg);
        assertEquals(new Range(-1f, 2f), s.range(CalibrationMethod.MINMAX));
        s.observeHistogram(new float[] {-1f, 2f}, 0, 0); // empty: nothing, the range pass stays open
        s.observeRange(new float[] {3f}, 0, 1);
        s.observeHistogram(new float[] {-1f, 2f, 3f}, 0, 3);
        assertThrows(IllegalStateException.class, () -> s.observeRange(new float[] {9f}, 0, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> s.observeHistogram(new float[] {1f}, 1, 1));
        assertEquals(3, s.histogramCount());
    }

    @Test
    void rejectsNaNAndInfinityNamingTheActivationAndIndex() {
        ActivationStats s = new ActivationStats("block2/relu");
        String msg = assertThrows(BadInputException.class,
                () -> s.observeRange(new float[] {0f, 1f, 2f, Float.NaN, 4f}, 2, 3)).getMessage();
        assertTrue(msg.contains("block2/relu") && msg.contains("NaN") && msg.contains("index 3"), msg);
        msg = assertThrows(BadInputException.class,
                () -> s.observeRange(new float[] {Float.NEGATIVE_INFINITY}, 0, 1)).getMessage();
        assertTrue(msg.contains("-Infinity") && msg.contains("index 0"), msg);
        assertEquals(0, s.rangeCount());
        s.observeRange(new float[] {1f, 2f}, 0, 2);
        assertThrows(BadInputException.class, () -> s.observeHistogram(new float[] {1f, Float.NaN}, 0, 2));
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> new ActivationStats("a", 4, 99.99));
        assertThrows(IllegalArgumentException.class, () -> new ActivationStats("a", 2048, 50));
        assertThrows(IllegalArgumentException.class, () -> new ActivationStats("a", 2048, 100.5));
    }
}
