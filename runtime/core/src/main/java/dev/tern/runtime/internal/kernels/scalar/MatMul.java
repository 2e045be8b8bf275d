package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/**
 * {@code f32-matmul-scalar}: the reference's geometry (numpy broadcasting over the leading
 * axes, w constant or an activation), each output row as axpy passes over w's rows
 * (y[i, :] += x[i, t] * w[t, :], same index, contiguous: the loop C2 and ART vectorize),
 * float accumulators. Float accumulation in t order: tolerance against the reference by k.
 */
public final class MatMul extends Kernel {
    final dev.tern.runtime.internal.kernels.reference.MatMul g;

    public MatMul(OpContext c) {
        g = new dev.tern.runtime.internal.kernels.reference.MatMul(c);
    }

    @Override
    public void run(Arena mem, int from, int to) {
        final float[] a = mem.f;
        final float[] w = g.w != null ? g.w : a;
        final int m = g.m;
        final int k = g.k;
        final int n = g.n;
        for (int s = from; s < to; s++) {
            final int o = s * g.stride;
            final int w0 = g.w != null ? 0 : g.wOff + o;
            for (int b = 0; b < g.batches; b++) {
                final int xb = g.xOff + o + g.xBase[b];
                final int wb = w0 + g.wBase[b];
                for (int i = 0; i < m; i++) {
                    final int y = g.yOff + o + (b * m + i) * n;
                    java.util.Arrays.fill(a, y, y + n, 0f);
                    for (int t = 0; t < k; t++) {
                        final float xv = a[xb + i * k + t];
                        final int wr = wb + t * n;
                        for (int j = 0; j < n; j++) {
                            a[y + j] += xv * w[wr + j];
                        }
                    }
                }
            }
        }
    }
}
