package dev.tern.compress.quant;

import dev.tern.compress.BadInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

import java.util.Arrays;
import java.util.Objects;

/**
 * Calibration statistics of one activation value of a network (one tensor, per-tensor
 * quantization) over the calibration set, collected in two passes that the caller feeds with
 * the activation's values, batch by batch:
 * <ol>
 * <li>{@link #observeRange}: running minimum and maximum;</li>
 * <li>{@link #observeHistogram}: a histogram of {@link #bins()} equal bins over [min, max] of
 *     pass 1 (ND4J's {@code histogram_fixed_width}: bin floor((x - min) / width) computed in
 *     float32, values below the second edge in bin 0 and values at or above the last-but-one
 *     edge in the last bin, so values outside [min, max] are counted in the edge bins; for a
 *     constant tensor, whose histogram has zero width, every value is counted in bin 0).</li>
 * </ol>
 * Then {@link #range(CalibrationMethod)} gives the real range of the activation's int8
 * asymmetric quantizer for any method (MINMAX needs pass 1 only). Every range contains 0 and
 * has hi > lo: a constant tensor c gets [min(c, 0), max(c, 0)] whatever the method, an all-zero
 * tensor gets {@link Range#ALL_ZERO}.
 *
 * <p>Values must be finite: NaN or infinite values are rejected with a
 * {@link BadInputException} naming the activation. Not thread-safe: one thread feeds an
 * instance (statistics of different activations can be collected in parallel).
 */
public final class ActivationStats {
    /** Histogram bins by default (TensorRT's entropy calibrator uses 2048 too). */
    public static final int DEFAULT_BINS = 2048;
    /** PERCENTILE's default p (Wu et al. 2020 evaluate 99.9 to 99.9999). */
    public static final double DEFAULT_PERCENTILE = 99.99;
    /** Fewest and most bins accepted. */
    public static final int MIN_BINS = 8;
    public static final int MAX_BINS = 1 << 16;

    private final String name;
    private final int bins;
    private final double percentile;

    private float min = Float.POSITIVE_INFINITY;
    private float max = Float.NEGATIVE_INFINITY;
    private long rangeCount;

    private final long[] counts;
    private long histogramCount;
    /** Values of pass 2 that were exactly 0 (ReLU's floor, padding), counted apart from their bin. */
    private long zeros;
    private boolean histogramStarted;

    /** Statistics with {@value #DEFAULT_BINS} bins and PERCENTILE at {@value #DEFAULT_PERCENTILE}. */
    public ActivationStats(String name) {
        this(name, DEFAULT_BINS, DEFAULT_PERCENTILE);
    }

    /**
     * @param name       the activation's name, used in messages
     * @param bins       histogram bins, in [{@value #MIN_BINS}, {@value #MAX_BINS}]; ENTROPY needs
     *                   many more than 256 to see int8 rounding
     * @param percentile PERCENTILE's p, in (50, 100]: the range is [(100 - p)-th, p-th percentile]
     */
    public ActivationStats(String name, int bins, double percentile) {
        this.name = Objects.requireNonNull(name, "name");
        if (bins < MIN_BINS || bins > MAX_BINS) {
            throw new IllegalArgumentException("histogram bins must be in [" + MIN_BINS + ", " + MAX_BINS + "], got " + bins);
        }
        if (!(percentile > 50 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile must be in (50, 100], got " + percentile);
        }
        this.bins = bins;
        this.percentile = percentile;
        this.counts = new long[bins];
    }

    /**
     * Pass 1: folds {@code data[off .. off + len)} into the running minimum and maximum (ND4J
     * min and max reductions over a copy of the slice). An empty slice changes nothing.
     *
     * @throws BadInputException     when the slice holds NaN or an infinite value
     * @throws IllegalStateException once pass 2 has started (the histogram edges are fixed)
     */
    public void observeRange(float[] data, int off, int len) {
        Objects.checkFromIndexSize(off, len, data.length);
        if (histogramStarted) {
            throw new IllegalStateException("activation '" + name + "': observeRange after observeHistogram; "
                    + "the range pass must be complete before the histogram pass starts");
        }
        if (len == 0) {
            return;
        }
        try (Nd4jScope g = new Nd4jScope()) {
            INDArray x = slice(g, data, off, len);
            float lo = x.minNumber().floatValue();
            float hi = x.maxNumber().floatValue();
            min = Math.min(min, lo);
            max = Math.max(max, hi);
        }
        rangeCount += len;
    }

    /**
     * Pass 2: adds {@code data[off .. off + len)} to the histogram over [min, max] of pass 1
     * (ND4J {@code histogram_fixed_width}). Feed it the same values as pass 1; values outside
     * that range are counted in the edge bins. An empty slice changes nothing.
     *
     * @throws BadInputException     when the slice holds NaN or an infinite value
     * @throws IllegalStateException when pass 1 has observed no value
     */
    public void observeHistogram(float[] data, int off, int len) {
        Objects.checkFromIndexSize(off, len, data.length);
        if (rangeCount == 0) {
            throw new IllegalStateException("activation '" + name + "': observeHistogram before any observeRange; "
                    + "the histogram spans the range found by the first pass");
        }
        if (len == 0) {
            return;
        }
        histogramStarted = true;
        try (Nd4jScope g = new Nd4jScope()) {
            INDArray x = slice(g, data, off, len);
            zeros += g.add(g.add(g.add(x.eq(0)).castTo(DataType.INT64)).sum()).getLong(0);
            if (min == max) {
                // zero-width histogram (histogram_fixed_width rejects it): the constant and
                // anything below it in bin 0, anything above it in the last bin
                long above = g.add(g.add(g.add(x.gt(max)).castTo(DataType.INT64)).sum()).getLong(0);
                counts[0] += len - above;
                counts[bins - 1] += above;
            } else {
                INDArray edges = g.add(Nd4j.createFromArray(min, max));
                INDArray out = g.add(Nd4j.create(DataType.INT64, bins));
                Nd4j.exec(DynamicCustomOp.builder("histogram_fixed_width")
                        .addInputs(x, edges).addIntegerArguments(bins).addOutputs(out).build());
                long[] add = out.toLongVector();
                for (int i = 0; i < bins; i++) {
                    counts[i] += add[i];
                }
            }
        }
        histogramCount += len;
    }

    /**
     * The real range of this activation's int8 asymmetric quantizer, by {@code method}. Always
     * {@code lo <= 0 <= hi} and {@code hi > lo}. MINMAX needs pass 1 only; the others need the
     * histogram of pass 2 (for a constant tensor they all give the MINMAX range: there is
     * nothing to clip).
     *
     * @throws IllegalStateException when no value was observed, or the method needs a histogram
     *                               that pass 2 did not make
     */
    public Range range(CalibrationMethod method) {
        Objects.requireNonNull(method, "method");
        if (rangeCount == 0) {
            throw new IllegalStateException("activation '" + name + "': no values observed, no range");
        }
        if (method == CalibrationMethod.MINMAX || min == max) {
            return Range.covering(min, max);
        }
        if (histogramCount == 0) {
            throw new IllegalStateException("activation '" + name + "': " + method.id()
                    + " calibration needs the histogram pass (observeHistogram)");
        }
        Histogram h = histogram();
        return switch (method) {
            case PERCENTILE -> h.percentileRange(percentile);
            case ENTROPY -> nonZeroHistogram().entropyRange();
            case MSE -> nonZeroHistogram().mseRange();
            case MINMAX -> throw new AssertionError(method);
        };
    }

    public String name() {
        return name;
    }

    public int bins() {
        return bins;
    }

    public double percentile() {
        return percentile;
    }

    /** Smallest value of pass 1 ({@code +Infinity} before any). */
    public float min() {
        return min;
    }

    /** Largest value of pass 1 ({@code -Infinity} before any). */
    public float max() {
        return max;
    }

    /** Number of values observed by pass 1. */
    public long rangeCount() {
        return rangeCount;
    }

    /** Number of values observed by pass 2. */
    public long histogramCount() {
        return histogramCount;
    }

    /** A copy of the histogram counts (bin i covers [min + i * w, min + (i + 1) * w), w = (max - min) / bins). */
    public long[] histogramCounts() {
        return counts.clone();
    }

    /** The histogram of pass 2 as the calibration searches see it. */
    Histogram histogram() {
        return new Histogram(counts, min, max);
    }

    /** Number of values of pass 2 that were exactly 0. */
    public long zeros() {
        return zeros;
    }

    /**
     * The histogram without the values that were exactly 0, for the searches that weigh
     * quantization error (entropy, MSE). Every candidate range contains 0 and maps it exactly
     * onto the zero point, so exact zeros carry no error under any choice; left in, the spike
     * of a ReLU output at 0 (often most of its values) is spread by the KL comparison over the
     * whole first int8 level, which makes every wide range look bad and drove entropy
     * calibration to clip the hard teacher's conv outputs at an eighth of their maximum
     * (accuracy 0.87 -> 0.49). With no value other than 0 left, the full histogram is used.
     */
    Histogram nonZeroHistogram() {
        long[] c = counts.clone();
        int zeroBin;
        try (Nd4jScope g = new Nd4jScope()) {
            // the bin ND4J's float32 binning put the zeros in (not recomputed in double: at a bin edge they can differ)
            INDArray out = g.add(Nd4j.create(DataType.INT64, bins));
            Nd4j.exec(DynamicCustomOp.builder("histogram_fixed_width").addInputs(g.add(Nd4j.createFromArray(0f)),
                    g.add(Nd4j.createFromArray(min, max))).addIntegerArguments(bins).addOutputs(out).build());
            long[] one = out.toLongVector();
            zeroBin = 0;
            while (zeroBin < bins - 1 && one[zeroBin] == 0) {
                zeroBin++;
            }
        }
        c[zeroBin] -= Math.min(zeros, c[zeroBin]);
        long left = 0;
        for (long v : c) {
            left += v;
        }
        return left == 0 ? histogram() : new Histogram(c, min, max);
    }

    /** ND4J copy of the slice, checked finite. */
    private INDArray slice(Nd4jScope g, float[] data, int off, int len) {
        float[] copy = off == 0 && len == data.length ? data : Arrays.copyOfRange(data, off, off + len);
        INDArray x = g.add(Nd4j.createFromArray(copy));
        long bad = g.add(BooleanIndexing.firstIndex(x, Conditions.notFinite())).getLong(0);
        if (bad >= 0) {
            throw new BadInputException("activation '" + name + "': value " + data[off + (int) bad] + " at index "
                    + (off + bad) + " of the observed batch; calibration needs finite activations "
                    + "(check the calibration inputs and the fp32 model)");
        }
        return x;
    }

    @Override
    public String toString() {
        return "ActivationStats{" + name + ", min=" + min + ", max=" + max + ", values=" + rangeCount
                + ", histogram=" + histogramCount + "/" + bins + " bins}";
    }
}
