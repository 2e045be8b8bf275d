package dev.tern.compress.quant;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;

/**
 * A fixed-width histogram of one activation over [min, max] (bin i covers
 * [min + i * width, min + (i + 1) * width)), and the calibration searches that run on it:
 * percentile, entropy (KL) and MSE. Immutable; the array work is ND4J's.
 *
 * <h2>Candidate clipping ranges (ENTROPY and MSE)</h2>
 * TensorRT (Migacz 2017) clips |x| at a threshold T and searches T. Tern quantizes activations
 * asymmetrically, so a candidate is a threshold T applied to each side separately and capped at
 * the observed extremes: [max(min, -T), min(max, T)], widened outward to whole bins. T runs over
 * {@value #CANDIDATES} evenly spaced values in (0, max(|min|, |max|)], the last one giving the full
 * range. So data with min >= 0 (after a ReLU) only ever has its upper end searched (and data with
 * max <= 0 its lower end), and a one-sided tail (a Gaussian with a few large positive outliers) is
 * clipped on its long side without the short side being cut as well, as shrinking both ends by the
 * same fraction ([a * min, a * max]) would do.
 */
final class Histogram {
    /** Number of candidate thresholds searched by ENTROPY and MSE. */
    static final int CANDIDATES = 256;
    /** int8 asymmetric: 256 levels cover a range that contains 0. */
    static final int LEVELS = 256;
    /**
     * In the KL divergence, a bin where P has mass and the expanded Q has none (its whole level
     * was empty before the outliers were folded in) gets this many counts instead of 0: the
     * smoothing of MXNet's and ONNX Runtime's entropy calibration, without their failure when
     * the smoothing would make other bins negative.
     */
    static final double EMPTY_LEVEL_MASS = 1e-4;
    /** Candidates evaluated together, as the rows of [BLOCK x bins] matrices. */
    private static final int BLOCK = 64;

    private final double[] counts;
    private final double min;
    private final double max;
    private final double width;
    private final double total;

    /**
     * @param counts per-bin counts (not all zero)
     * @param min    left edge of bin 0
     * @param max    right edge of the last bin, {@code > min}
     */
    Histogram(long[] counts, double min, double max) {
        if (counts.length == 0) {
            throw new IllegalArgumentException("a histogram needs at least one bin");
        }
        if (!Double.isFinite(min) || !Double.isFinite(max) || !(max > min)) {
            throw new IllegalArgumentException("histogram range must be finite with max > min, got [" + min + ", " + max + "]");
        }
        this.counts = new double[counts.length];
        double sum = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] < 0) {
                throw new IllegalArgumentException("negative count " + counts[i] + " in bin " + i);
            }
            this.counts[i] = counts[i];
            sum += counts[i];
        }
        if (sum == 0) {
            throw new IllegalArgumentException("an empty histogram has no calibration range");
        }
        this.min = min;
        this.max = max;
        this.width = (max - min) / counts.length;
        this.total = sum;
    }

    int bins() {
        return counts.length;
    }

    double total() {
        return total;
    }

    /** Edge i of the bins: min for 0, max for {@link #bins()}. */
    double edge(int i) {
        if (i <= 0) {
            return min;
        }
        if (i >= counts.length) {
            return max;
        }
        return min + i * width;
    }

    /**
     * The value below which a fraction {@code q} of the observed values lie, interpolating
     * linearly inside the bin where the cumulative count reaches {@code q * total} (values
     * spread evenly over their bin). {@code q = 0} gives min and {@code q = 1} the right edge of
     * the last non-empty bin.
     */
    double quantile(double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("quantile must be in [0, 1], got " + q);
        }
        if (q == 0) {
            return min;
        }
        double target = q * total;
        int i;
        double before;
        try (Nd4jScope g = new Nd4jScope()) {
            INDArray cum = g.add(g.add(Nd4j.createFromArray(counts)).cumsum(0));
            // the first bin whose cumulative count reaches the target; it is non-empty since target > 0
            i = g.add(BooleanIndexing.firstIndex(cum, Conditions.greaterThanOrEqual(target))).getInt(0);
            if (i < 0) {
                i = counts.length - 1; // target == total up to rounding
            }
            before = cum.getDouble(i) - counts[i];
        }
        double frac = Math.max(0.0, Math.min(1.0, (target - before) / counts[i]));
        return edge(i) + frac * (edge(i + 1) - edge(i));
    }

    /**
     * PERCENTILE: the (100 - p)-th and p-th percentiles, extended to contain 0 (so data with
     * min >= 0 is clipped at the top only).
     *
     * @param p percentile in (50, 100]
     */
    Range percentileRange(double p) {
        if (!(p > 50 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (50, 100], got " + p);
        }
        return Range.covering(quantile((100 - p) / 100), quantile(p / 100));
    }

    /** ENTROPY: the candidate range whose int8 quantization loses the least information (min KL divergence). */
    Range entropyRange() {
        int[][] c = candidates();
        return candidateRange(c[0], c[1], argMin(klDivergences(c[0], c[1])));
    }

    /** MSE: the candidate range with the least expected squared quantization error. */
    Range mseRange() {
        int[][] c = candidates();
        return candidateRange(c[0], c[1], argMin(squaredErrors(c[0], c[1])));
    }

    /**
     * The candidate clipping ranges (see the class comment) as bin intervals [s, e):
     * {@code {starts, ends}}, in order of growing threshold, without repeats. The last one is
     * the full histogram [0, bins).
     */
    int[][] candidates() {
        int bins = counts.length;
        double a = Math.max(-min, max);
        int[] s = new int[CANDIDATES];
        int[] e = new int[CANDIDATES];
        int n = 0;
        for (int k = 1; k <= CANDIDATES; k++) {
            double t = k == CANDIDATES ? a : a * k / CANDIDATES;
            double lo = Math.max(min, -t);
            double hi = Math.min(max, t);
            if (!(hi > lo)) {
                continue; // the data lies beyond t on one side only (e.g. min > t)
            }
            int si = (int) Math.max(0, Math.min(bins - 1, Math.floor((lo - min) / width)));
            int ei = (int) Math.max(si + 1, Math.min(bins, Math.ceil((hi - min) / width)));
            if (n > 0 && s[n - 1] == si && e[n - 1] == ei) {
                continue;
            }
            s[n] = si;
            e[n] = ei;
            n++;
        }
        return new int[][] {Arrays.copyOf(s, n), Arrays.copyOf(e, n)};
    }

    /** The quantizer range of candidate bins [s, e): their real extent, extended to contain 0. */
    Range candidateRange(int s, int e) {
        return Range.covering(edge(s), edge(e));
    }

    /**
     * The number of int8 levels that fall on candidate bins [s, e): 256 when they straddle 0,
     * fewer when the quantizer range had to be stretched to reach 0; at most one per bin.
     */
    int levels(int s, int e) {
        double lo = edge(s);
        double hi = edge(e);
        double span = Math.max(hi, 0) - Math.min(lo, 0);
        long l = Math.round(LEVELS * (hi - lo) / span);
        return (int) Math.max(1, Math.min(Math.min(LEVELS, e - s), l));
    }

    /**
     * KL(P || Q) for each candidate [s[c], e[c]), after Migacz 2017 ("8-bit Inference with
     * TensorRT", GTC; the algorithm of TensorRT's entropy calibrator):
     * <ul>
     * <li>P: the candidate's bins, the counts below it added to its first bin and those above it
     *     to its last (clipped values land on the edges);</li>
     * <li>Q: the candidate's bins without that outlier mass, merged into {@link #levels} levels
     *     (bin j of n into level floor(j * levels / n), so levels differ by at most one bin),
     *     each level's total then spread evenly over its bins where P is non-zero;</li>
     * <li>both normalized; bins where P is 0 contribute nothing, bins where Q is 0 and P is not
     *     get {@link #EMPTY_LEVEL_MASS} counts.</li>
     * </ul>
     * Q is constant over the non-zero bins of a level, so the sum is evaluated per level:
     * KL = sum_j p_j log p_j - sum_l P_l log q_l, with P_l the mass of P in level l and q_l the
     * value of Q there; the level sums come from ND4J's {@code unsorted_segment_sum}, for
     * {@value #BLOCK} candidates at a time (the rows of [BLOCK x bins] matrices).
     */
    double[] klDivergences(int[] s, int[] e) {
        int bins = counts.length;
        double[] cum = cumulative();
        double[] out = new double[s.length];
        try (Nd4jScope g = new Nd4jScope()) {
            INDArray h = g.add(g.add(Nd4j.createFromArray(counts)).reshape(1, bins));
            INDArray binIdx = binIndexRow(g);
            INDArray levelIdx = iotaRow(g, LEVELS);
            for (int c0 = 0; c0 < s.length; c0 += BLOCK) {
                int n = Math.min(BLOCK, s.length - c0);
                double[] start = new double[n];
                double[] size = new double[n];
                double[] lev = new double[n];
                double[] lastLevel = new double[n];
                double[] below = new double[n];
                double[] above = new double[n];
                double[] offset = new double[n];
                for (int r = 0; r < n; r++) {
                    int c = c0 + r;
                    start[r] = s[c];
                    size[r] = e[c] - s[c];
                    lev[r] = levels(s[c], e[c]);
                    lastLevel[r] = lev[r] - 1;
                    below[r] = s[c] == 0 ? 0 : cum[s[c] - 1];
                    above[r] = total - cum[e[c] - 1];
                    offset[r] = (double) r * LEVELS;
                }
                try (Nd4jScope b = new Nd4jScope()) {
                    INDArray d = b.add(binIdx.sub(column(b, start)));         // j - s, [n x bins] by broadcasting
                    INDArray dEnd = b.add(d.subColumnVector(column(b, size))); // j - e
                    INDArray inside = asDouble(b, b.add(d.gte(0.0))).muli(asDouble(b, b.add(dEnd.lt(0.0))));
                    INDArray raw = b.add(inside.mulRowVector(h));
                    INDArray p = b.add(raw.add(asDouble(b, b.add(d.eq(0.0))).muliColumnVector(column(b, below))))
                            .addi(asDouble(b, b.add(dEnd.eq(-1.0))).muliColumnVector(column(b, above)));
                    INDArray nonZero = asDouble(b, b.add(p.gt(0.0)));
                    // sum_j p_j log p_j, with 0 log 0 = 0 (log of 1 where P is 0)
                    INDArray pHat = b.add(p.div(total));
                    INDArray pLogP = b.add(Transforms.log(b.add(pHat.add(b.add(nonZero.rsub(1.0)))), false).muli(pHat));
                    double[] selfTerm = b.add(pLogP.sum(1)).toDoubleVector();
                    // level of each bin (bins outside the candidate go to its first or last level:
                    // they carry no mass), then an id unique per (candidate, level)
                    INDArray last = column(b, lastLevel);
                    INDArray level = Transforms.floor(b.add(d.mulColumnVector(column(b, lev))).diviColumnVector(column(b, size)), false);
                    Transforms.max(level, 0.0, false);
                    Transforms.min(level.subiColumnVector(last), 0.0, false).addiColumnVector(last); // min(level, last)
                    INDArray ids = b.add(b.add(level.addiColumnVector(column(b, offset)).castTo(DataType.INT32)).reshape(-1));
                    INDArray levelTotal = b.add(segmentSum(b, b.add(raw.reshape(-1)), ids, n * LEVELS).reshape(n, LEVELS));
                    INDArray levelBins = b.add(segmentSum(b, b.add(nonZero.reshape(-1)), ids, n * LEVELS).reshape(n, LEVELS));
                    // q_l = max(total_l / bins_l, EMPTY_LEVEL_MASS), normalized by sum_l bins_l * q_l
                    INDArray q = b.add(levelTotal.div(b.add(Transforms.max(levelBins, 1.0, true))));
                    Transforms.max(q, EMPTY_LEVEL_MASS, false);
                    INDArray qSum = b.add(b.add(b.add(q.mul(levelBins)).sum(1)).reshape(n, 1));
                    INDArray qHat = b.add(q.divColumnVector(qSum));
                    // P_l: the raw mass of the level plus the outliers folded into the first and last levels
                    INDArray first = asDouble(b, b.add(levelIdx.eq(0.0)));                   // [1 x LEVELS]
                    INDArray isLast = asDouble(b, b.add(b.add(levelIdx.sub(last)).eq(0.0))); // [n x LEVELS]
                    INDArray pLevel = b.add(levelTotal.add(b.add(column(b, below).mul(first))))
                            .addi(isLast.muliColumnVector(column(b, above)))
                            .divi(total);
                    double[] crossTerm = b.add(Transforms.log(qHat, false).muli(pLevel).sum(1)).toDoubleVector();
                    for (int r = 0; r < n; r++) {
                        out[c0 + r] = selfTerm[r] - crossTerm[r];
                    }
                }
            }
        }
        return out;
    }

    /**
     * For each candidate [s[c], e[c]), the sum over all bins of count * (x - dequant(quant(x)))^2
     * at the bin centre x, with the int8 asymmetric quantizer of the candidate's range
     * ({@link Range#scale()}, {@link Range#zeroPoint()}; q = clamp(round(x / scale) + zp, -128,
     * 127)): rounding error inside the range, clipping error outside it. The bin-centre estimate
     * of NVIDIA's pytorch-quantization histogram calibrator ({@code method="mse"}), as evaluated
     * in Wu et al. 2020 (arXiv:2004.09602). Rows of [{@value #BLOCK} x bins] ND4J matrices.
     */
    double[] squaredErrors(int[] s, int[] e) {
        int bins = counts.length;
        double[] out = new double[s.length];
        try (Nd4jScope g = new Nd4jScope()) {
            INDArray h = g.add(g.add(Nd4j.createFromArray(counts)).reshape(1, bins));
            INDArray centres = g.add(binIndexRow(g).add(0.5)).muli(width).addi(min);
            for (int c0 = 0; c0 < s.length; c0 += BLOCK) {
                int n = Math.min(BLOCK, s.length - c0);
                double[] scale = new double[n];
                double[] zero = new double[n];
                for (int r = 0; r < n; r++) {
                    Range range = candidateRange(s[c0 + r], e[c0 + r]);
                    scale[r] = range.scale();
                    zero[r] = range.zeroPoint();
                }
                try (Nd4jScope b = new Nd4jScope()) {
                    INDArray sc = column(b, scale);
                    INDArray zp = column(b, zero);
                    INDArray q = b.add(centres.div(sc)); // [n x bins] by broadcasting
                    Transforms.round(q, false);
                    q.addiColumnVector(zp);
                    Transforms.max(q, Range.QMIN, false);
                    Transforms.min(q, Range.QMAX, false);
                    INDArray err = q.subiColumnVector(zp).muliColumnVector(sc).rsubiRowVector(centres); // x - dequant
                    double[] sse = b.add(err.muli(err).muliRowVector(h).sum(1)).toDoubleVector();
                    System.arraycopy(sse, 0, out, c0, n);
                }
            }
        }
        return out;
    }

    private Range candidateRange(int[] s, int[] e, int best) {
        return candidateRange(s[best], e[best]);
    }

    /** Cumulative counts (ND4J cumsum): element i is the count of bins 0..i. */
    private double[] cumulative() {
        try (Nd4jScope g = new Nd4jScope()) {
            return g.add(g.add(Nd4j.createFromArray(counts)).cumsum(0)).toDoubleVector();
        }
    }

    /** [1 x bins] row 0, 1, ..., bins - 1 (double). */
    private INDArray binIndexRow(Nd4jScope g) {
        return iotaRow(g, counts.length);
    }

    /** [1 x n] row 0, 1, ..., n - 1 (double). */
    private static INDArray iotaRow(Nd4jScope g, int n) {
        double[] iota = new double[n];
        for (int i = 0; i < iota.length; i++) {
            iota[i] = i;
        }
        return g.add(g.add(Nd4j.createFromArray(iota)).reshape(1, iota.length));
    }

    /** Index of the smallest finite value (the first on ties: the narrowest candidate). */
    private static int argMin(double[] v) {
        int best = -1;
        for (int i = 0; i < v.length; i++) {
            if (!Double.isNaN(v[i]) && (best < 0 || v[i] < v[best])) {
                best = i;
            }
        }
        if (best < 0) {
            throw new IllegalStateException("no candidate range has a finite score");
        }
        return best;
    }

    private static INDArray column(Nd4jScope g, double[] v) {
        return g.add(g.add(Nd4j.createFromArray(v)).reshape(v.length, 1));
    }

    private static INDArray asDouble(Nd4jScope g, INDArray bool) {
        return g.add(bool.castTo(DataType.DOUBLE));
    }

    private static INDArray segmentSum(Nd4jScope g, INDArray data, INDArray ids, int segments) {
        return g.first(Nd4j.exec(DynamicCustomOp.builder("unsorted_segment_sum")
                .addInputs(data, ids).addIntegerArguments(segments).build()));
    }
}
