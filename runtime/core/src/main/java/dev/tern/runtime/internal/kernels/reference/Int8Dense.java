package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/** {@code int8-dense-reference}: y[o] = requantize(b[o] + sum_i (x[i] - zx) w[o][i]); W is [out, in] row-major; int32 sums. */
public final class Int8Dense extends Kernel {
    final int in, out, xOff, yOff, stride;
    final byte[] w;
    final OutputStage st;

    public Int8Dense(OpContext c) {
        in = c.inSize(0);
        out = c.outSize();
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.int8Stride();
        w = c.int8s(1);
        st = new OutputStage(c, 0);
    }

    @Override
    public void run(Arena m, int from, int to) {
        byte[] q = m.q;
        for (int s = from; s < to; s++) {
            for (int o = 0; o < out; o++) {
                int acc = st.bias[o];
                for (int i = 0; i < in; i++) {
                    acc += (q[xOff + s * stride + i] - st.inZero) * w[o * in + i];
                }
                q[yOff + s * stride + o] = st.out(acc, o);
            }
        }
    }
}
