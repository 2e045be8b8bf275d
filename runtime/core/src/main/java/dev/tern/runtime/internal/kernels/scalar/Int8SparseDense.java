package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.kernels.Csr;
import dev.tern.runtime.internal.kernels.reference.OutputStage;
import dev.tern.runtime.internal.quant.FixedPoint;

/**
 * {@code int8-sparse_dense-scalar}: the zero point folded into the bias at load (bias - zx *
 * sum of the row's weights), so the loop is a plain dot product over the non-zeros in four
 * chains; the dense kernels' requantization, so bit-exact with them.
 */
public final class Int8SparseDense extends Kernel {
    final Csr w;
    final int[] folded;
    final int xOff, yOff, stride;
    final OutputStage st;

    public Int8SparseDense(OpContext c) {
        w = new Csr(c.int8s(1), c.outSize(), c.inSize(0));
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.int8Stride();
        st = new OutputStage(c, 0);
        folded = new int[w.rows];
        for (int o = 0; o < w.rows; o++) {
            int sum = 0;
            for (int k = w.start[o]; k < w.start[o + 1]; k++) {
                sum += w.bytes[k];
            }
            folded[o] = st.bias[o] - st.inZero * sum;
        }
    }

    @Override
    public void run(Arena m, int from, int to) {
        byte[] q = m.q;
        int[] start = w.start;
        int[] idx = w.index;
        byte[] v = w.bytes;
        for (int s = from; s < to; s++) {
            int xo = xOff + s * stride;
            int yo = yOff + s * stride;
            for (int o = 0; o < w.rows; o++) {
                int k = start[o];
                int end = start[o + 1];
                int s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                for (; k + 3 < end; k += 4) {
                    s0 += v[k] * q[xo + idx[k]];
                    s1 += v[k + 1] * q[xo + idx[k + 1]];
                    s2 += v[k + 2] * q[xo + idx[k + 2]];
                    s3 += v[k + 3] * q[xo + idx[k + 3]];
                }
                for (; k < end; k++) {
                    s0 += v[k] * q[xo + idx[k]];
                }
                int acc = folded[o] + s0 + s1 + s2 + s3;
                q[yo + o] = (byte) FixedPoint.requantize(acc, st.mult[o], st.shift[o], st.outZero, st.min, st.max);
            }
        }
    }
}
