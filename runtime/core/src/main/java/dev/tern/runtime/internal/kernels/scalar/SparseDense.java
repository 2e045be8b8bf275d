package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.kernels.Csr;

/** {@code f32-sparse_dense-scalar}: float sums over each row's non-zeros, four independent chains (index loads, gathers of x). */
public final class SparseDense extends Csr.F32Dense {
    public SparseDense(OpContext c) {
        super(c);
    }

    @Override
    public void run(Arena m, int from, int to) {
        float[] a = m.f;
        int[] start = w.start;
        int[] idx = w.index;
        float[] v = w.values;
        for (int s = from; s < to; s++) {
            int xo = xOff + s * stride;
            int yo = yOff + s * stride;
            for (int o = 0; o < w.rows; o++) {
                int k = start[o];
                int end = start[o + 1];
                float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
                for (; k + 3 < end; k += 4) {
                    s0 += v[k] * a[xo + idx[k]];
                    s1 += v[k + 1] * a[xo + idx[k + 1]];
                    s2 += v[k + 2] * a[xo + idx[k + 2]];
                    s3 += v[k + 3] * a[xo + idx[k + 3]];
                }
                for (; k < end; k++) {
                    s0 += v[k] * a[xo + idx[k]];
                }
                float y = b[o] + ((s0 + s1) + (s2 + s3));
                a[yo + o] = y < min ? min : (y > max ? max : y);
            }
        }
    }
}
