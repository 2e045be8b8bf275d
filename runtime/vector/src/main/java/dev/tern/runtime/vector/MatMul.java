package dev.tern.runtime.vector;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import jdk.incubator.vector.FloatVector;

import static dev.tern.runtime.vector.Lanes.F;

/**
 * {@code f32-matmul-vector}: the reference's geometry (numpy broadcasting over the leading
 * axes, w constant or an activation); per output row, blocks of two vectors of columns held in
 * accumulators over the k rows of w (one broadcast of x[i, t] feeds two FMAs), then one vector,
 * then the last columns scalar. Float accumulation in t order: tolerance against the reference
 * by k.
 */
final class MatMul extends Kernel {
    final dev.tern.runtime.internal.kernels.reference.MatMul g;

    MatMul(OpContext c) {
        g = new dev.tern.runtime.internal.kernels.reference.MatMul(c);
    }

    @Override
    public void run(Arena mem, int from, int to) {
        final float[] a = mem.f;
        final float[] w = g.w != null ? g.w : a;
        final int lanes = F.length();
        final int m = g.m;
        final int n = g.n;
        for (int s = from; s < to; s++) {
            final int o = s * g.stride;
            final int w0 = g.w != null ? 0 : g.wOff + o;
            for (int b = 0; b < g.batches; b++) {
                final int xb = g.xOff + o + g.xBase[b];
                final int wb = w0 + g.wBase[b];
                for (int i = 0; i < m; i++) {
                    final int y = g.yOff + o + (b * m + i) * n;
                    final int x = xb + i * g.k;
                    int j = 0;
                    for (; j + 2 * lanes <= n; j += 2 * lanes) {
                        two(a, w, x, wb + j, y + j);
                    }
                    for (; j + lanes <= n; j += lanes) {
                        one(a, w, x, wb + j, y + j);
                    }
                    for (; j < n; j++) {
                        float acc = 0f;
                        for (int t = 0; t < g.k; t++) {
                            acc += a[x + t] * w[wb + t * n + j];
                        }
                        a[y + j] = acc;
                    }
                }
            }
        }
    }

    /** Columns [c, c + 2L) of one output row: x's row at a[x ..), w's column block at w[c ..), stride n. */
    private void two(float[] a, float[] w, int x, int c, int y) {
        final int lanes = F.length();
        final int n = g.n;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = acc0;
        for (int t = 0; t < g.k; t++) {
            FloatVector xv = FloatVector.broadcast(F, a[x + t]);
            int wr = c + t * n;
            acc0 = FloatVector.fromArray(F, w, wr).fma(xv, acc0);
            acc1 = FloatVector.fromArray(F, w, wr + lanes).fma(xv, acc1);
        }
        acc0.intoArray(a, y);
        acc1.intoArray(a, y + lanes);
    }

    /** Columns [c, c + L) of one output row. */
    private void one(float[] a, float[] w, int x, int c, int y) {
        FloatVector acc = FloatVector.zero(F);
        for (int t = 0; t < g.k; t++) {
            acc = FloatVector.fromArray(F, w, c + t * g.n).fma(FloatVector.broadcast(F, a[x + t]), acc);
        }
        acc.intoArray(a, y);
    }
}
