package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.kernels.Csr;

/** {@code int8-sparse_dense-reference}: acc = bias + sum over row o's non-zeros of (x - zx) w, then the dense kernels' requantization. */
public final class Int8SparseDense extends Kernel {
    final Csr w;
    final int xOff, yOff, stride;
    final OutputStage st;

    public Int8SparseDense(OpContext c) {
        w = new Csr(c.int8s(1), c.outSize(), c.inSize(0));
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.int8Stride();
        st = new OutputStage(c, 0);
    }

    @Override
    public void run(Arena m, int from, int to) {
        byte[] q = m.q;
        for (int s = from; s < to; s++) {
            int xo = xOff + s * stride;
            for (int o = 0; o < w.rows; o++) {
                int acc = st.bias[o];
                for (int k = w.start[o]; k < w.start[o + 1]; k++) {
                    acc += (q[xo + w.index[k]] - st.inZero) * w.bytes[k];
                }
                q[yOff + s * stride + o] = st.out(acc, o);
            }
        }
    }
}
