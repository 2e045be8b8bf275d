package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.kernels.reference.Broadcast;
import dev.tern.runtime.model.ShapeInference;

import java.util.Arrays;

/**
 * The reductions (mean, sum, max, min) over attr axes in float32, over contiguous runs instead
 * of the reference's per-element index map. The input's innermost axes of one kind (all
 * reduced, or all kept) form one contiguous block of {@code inner} elements:
 * <ul>
 * <li>reduced innermost (axes [-1], [1, 2], all): each output folds contiguous runs of
 * {@code inner} inputs (sums in four independent accumulators), one run per combination of
 * the other reduced axes ({@code red}, offsets at plan time);</li>
 * <li>kept innermost (axes [0], [1] of [h, w, c]): each block of {@code inner} outputs is a
 * row of accumulators, {@code y[j] op= x[base + r + j]} for every reduced offset r (same
 * index, contiguous: the loop C2 and ART vectorize).</li>
 * </ul>
 * Offsets are precomputed per output or per row ({@code outer}) and per reduced run
 * ({@code red}) from the reference's axis split ({@link dev.tern.runtime.internal.kernels.reference.Reduce#axes}),
 * not per element. Sums in float in another order than the reference's double: within the
 * tolerance of a sum of {@code count} terms; the mean divides the float sum by count once.
 * Max and min are the reference's values bit for bit: its comparisons in its order where the
 * reduced axes are innermost; Math.max and min (which keep NaN, and vectorize) along rows,
 * which differ only in giving +0 where +0 and -0 tie (the reference keeps the first). Each op
 * has its own class (its registry entry) over this one.
 */
public abstract class Reduce extends Kernel {
    static final int MEAN = 0, SUM = 1, MAX = 2, MIN = 3;
    final int op, count, inner, stride, xOff, yOff;
    final boolean innerReduced;
    /** Reduced innermost: per output, its first input; kept innermost: per row of inner outputs, its first input. */
    final int[] outer;
    /** Offsets of the reduced runs (reduced innermost) or of the reduced elements (kept innermost). */
    final int[] red;
    final float init;

    Reduce(OpContext c, int op) {
        this.op = op;
        int[] x = c.inShape(0);
        boolean[] reduced = ShapeInference.reducedAxes(c.attrs().getInts("axes", null), x.length);
        int r = x.length;
        innerReduced = r == 0 || reduced[r - 1];
        int d = r;
        int in = 1;
        while (d > 0 && reduced[d - 1] == innerReduced) {
            in *= x[--d];
        }
        inner = in;
        int[][] kept = dev.tern.runtime.internal.kernels.reference.Reduce.axes(x, reduced, false, d);
        int[][] reducedRest = dev.tern.runtime.internal.kernels.reference.Reduce.axes(x, reduced, true, d);
        outer = Broadcast.walk(kept[0], kept[1], 0);
        red = Broadcast.walk(reducedRest[0], reducedRest[1], 0);
        count = innerReduced ? red.length * inner : red.length;
        init = op == MAX ? Float.NEGATIVE_INFINITY : op == MIN ? Float.POSITIVE_INFINITY : 0f;
        stride = c.sampleStride();
        xOff = c.inOffset(0);
        yOff = c.outOffset();
    }

    @Override
    public final void run(Arena m, int from, int to) {
        final float[] a = m.f;
        for (int s = from; s < to; s++) {
            final int xs = xOff + s * stride;
            final int ys = yOff + s * stride;
            if (innerReduced) {
                for (int i = 0; i < outer.length; i++) {
                    float acc = init;
                    for (int r : red) {
                        acc = fold(acc, a, xs + outer[i] + r);
                    }
                    a[ys + i] = op == MEAN ? acc / count : acc;
                }
            } else {
                for (int i = 0; i < outer.length; i++) {
                    rows(a, xs + outer[i], ys + i * inner);
                }
            }
        }
    }

    /** acc op x[b, b + inner). */
    private float fold(float acc, float[] a, int b) {
        switch (op) {
            case MAX: return extremum(acc, a, b, inner, true);
            case MIN: return extremum(acc, a, b, inner, false);
            default: return acc + sum(a, b, inner);
        }
    }

    private static float sum(float[] a, int b, int len) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int j = 0;
        for (; j + 3 < len; j += 4) {
            s0 += a[b + j];
            s1 += a[b + j + 1];
            s2 += a[b + j + 2];
            s3 += a[b + j + 3];
        }
        for (; j < len; j++) {
            s0 += a[b + j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * The maximum (max) or minimum of acc and x[b, b + len), the reference's comparisons in
     * its order: the running extremum changes rarely, so they are branches that predict well,
     * cheaper here than Math.max and min of floats (which must order -0 and NaN); the test of
     * max is loop-invariant (C2 unswitches the loop).
     */
    private static float extremum(float acc, float[] a, int b, int len, boolean max) {
        float m = acc;
        for (int j = 0; j < len; j++) {
            m = pick(max, m, a[b + j]);
        }
        return m;
    }

    /** v where it is beyond u or NaN, else u (a NaN extremum stays). */
    private static float pick(boolean max, float u, float v) {
        return (max ? v > u : v < u) || v != v ? v : u;
    }

    /** y[0, inner) = the reduction over every reduced offset r of x[r, r + inner), row by row. */
    private void rows(float[] a, int x, int y) {
        final int len = inner;
        Arrays.fill(a, y, y + len, init);
        for (int r : red) {
            final int xr = x + r;
            switch (op) {
                case MAX:
                    for (int j = 0; j < len; j++) {
                        a[y + j] = Math.max(a[y + j], a[xr + j]);
                    }
                    break;
                case MIN:
                    for (int j = 0; j < len; j++) {
                        a[y + j] = Math.min(a[y + j], a[xr + j]);
                    }
                    break;
                default:
                    for (int j = 0; j < len; j++) {
                        a[y + j] += a[xr + j];
                    }
                    break;
            }
        }
        if (op == MEAN) {
            final float n = count;
            for (int j = 0; j < len; j++) {
                a[y + j] /= n;
            }
        }
    }
}
