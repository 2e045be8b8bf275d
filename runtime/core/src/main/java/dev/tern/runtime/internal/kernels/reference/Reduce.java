package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.model.ShapeInference;

/**
 * The reductions (mean, sum, max, min) over attr axes, f32, in double. At plan time the input
 * elements are listed output by output ({@code order}: {@code count} inputs per output). Each op
 * has its own class (its registry entry) over this loop.
 */
public abstract class Reduce extends Kernel {
    static final int MEAN = 0, SUM = 1, MAX = 2, MIN = 3;
    final int op, n, count, stride, xOff, yOff;
    final int[] order;

    Reduce(OpContext c, int op) {
        this.op = op;
        int[] x = c.inShape(0);
        boolean[] reduced = ShapeInference.reducedAxes(c.attrs().getInts("axes", null), x.length);
        int[][] kept = axes(x, reduced, false, x.length);
        int[][] red = axes(x, reduced, true, x.length);
        int k = kept[0].length;
        // loop order: kept axes outer (row-major), reduced axes inner
        int[] shape = java.util.Arrays.copyOf(kept[0], x.length);
        int[] st = java.util.Arrays.copyOf(kept[1], x.length);
        System.arraycopy(red[0], 0, shape, k, red[0].length);
        System.arraycopy(red[1], 0, st, k, red[1].length);
        order = Broadcast.walk(shape, st, 0);
        count = Broadcast.size(red[0]);
        n = c.outSize();
        stride = c.sampleStride();
        xOff = c.inOffset(0);
        yOff = c.outOffset();
    }

    /**
     * The axes d < {@code limit} of {@code x} with {@code reduced[d] == which}, in order: their
     * sizes and their row-major strides in x ({shape, strides}). Shared with the scalar kernel.
     */
    public static int[][] axes(int[] x, boolean[] reduced, boolean which, int limit) {
        int[] xst = Broadcast.strides(x);
        int k = 0;
        for (int d = 0; d < limit; d++) {
            k += reduced[d] == which ? 1 : 0;
        }
        int[] shape = new int[k];
        int[] st = new int[k];
        k = 0;
        for (int d = 0; d < limit; d++) {
            if (reduced[d] == which) {
                shape[k] = x[d];
                st[k++] = xst[d];
            }
        }
        return new int[][] {shape, st};
    }

    @Override
    public final void run(Arena m, int from, int to) {
        float[] a = m.f;
        for (int s = from; s < to; s++) {
            int o = s * stride;
            for (int i = 0; i < n; i++) {
                int base = i * count;
                double acc = op == MAX ? Double.NEGATIVE_INFINITY : op == MIN ? Double.POSITIVE_INFINITY : 0;
                for (int j = 0; j < count; j++) {
                    double v = a[xOff + o + order[base + j]];
                    if (op == MAX) {
                        acc = v > acc || Double.isNaN(v) ? v : acc;
                    } else if (op == MIN) {
                        acc = v < acc || Double.isNaN(v) ? v : acc;
                    } else {
                        acc += v;
                    }
                }
                a[yOff + o + i] = (float) (op == MEAN ? acc / count : acc);
            }
        }
    }
}
