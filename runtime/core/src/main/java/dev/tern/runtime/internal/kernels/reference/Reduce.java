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
        int r = x.length;
        // loop order: kept axes outer (row-major), reduced axes inner
        int[] shape = new int[r];
        int[] st = new int[r];
        int[] xst = Broadcast.strides(x);
        int k = 0;
        int cnt = 1;
        for (int d = 0; d < r; d++) {
            if (!reduced[d]) {
                shape[k] = x[d];
                st[k++] = xst[d];
            }
        }
        for (int d = 0; d < r; d++) {
            if (reduced[d]) {
                shape[k] = x[d];
                st[k++] = xst[d];
                cnt *= x[d];
            }
        }
        order = Broadcast.walk(shape, st, 0);
        count = cnt;
        n = c.outSize();
        stride = c.sampleStride();
        xOff = c.inOffset(0);
        yOff = c.outOffset();
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
