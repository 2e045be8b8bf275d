package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.kernels.Csr;

/**
 * {@code f32-sparse_dense-reference}, the oracle of the sparse kernels (itself checked against
 * the dense reference): y[o] = act(b[o] + sum over the non-zeros of row o), in double, in index order.
 */
public final class SparseDense extends Csr.F32Dense {
    public SparseDense(OpContext c) {
        super(c);
    }

    @Override
    public void run(Arena m, int from, int to) {
        float[] a = m.f;
        for (int s = from; s < to; s++) {
            int xo = xOff + s * stride;
            for (int o = 0; o < w.rows; o++) {
                double acc = b[o];
                for (int k = w.start[o]; k < w.start[o + 1]; k++) {
                    acc += (double) w.values[k] * a[xo + w.index[k]];
                }
                a[yOff + s * stride + o] = Clamp.clamp(acc, min, max);
            }
        }
    }
}
