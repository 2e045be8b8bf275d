package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.kernels.reference.OutputStage;

/**
 * {@code int8-dense-scalar}: acc = b; for each input i: acc += (x[i] - zx) * Wt[i], Wt[i] being
 * column i of W. The packed rows hold the int8 weights widened to int: C2 vectorizes an int
 * multiply-add over int arrays but not a byte-to-int widening inside the loop (with byte rows
 * the hard teacher ran 2.6x slower, 17.6 ms against 6.7 ms per canvas), so this fallback
 * trades the 4x smaller weights in memory for speed; the file stays 4x smaller, and the vector
 * kernels keep bytes. Scratch: out ints.
 */
public final class Int8Dense extends Kernel {
    final int in, out, xOff, yOff, stride;
    final int[][] wt;
    final OutputStage st;

    public Int8Dense(OpContext c) {
        in = c.inSize(0);
        out = c.outSize();
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.int8Stride();
        byte[] w = c.int8s(1);
        wt = new int[in][out];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                wt[i][o] = w[o * in + i];
            }
        }
        st = new OutputStage(c, 0);
    }

    @Override
    public int scratchInts() {
        return out;
    }

    @Override
    public void run(Arena m, int from, int to) {
        byte[] q = m.q;
        int[] acc = m.is;
        for (int s = from; s < to; s++) {
            System.arraycopy(st.bias, 0, acc, 0, out);
            int xo = xOff + s * stride;
            for (int i = 0; i < in; i++) {
                int xv = q[xo + i] - st.inZero;
                int[] row = wt[i];
                for (int o = 0; o < out; o++) {
                    acc[o] += xv * row[o];
                }
            }
            Store.requantized(acc, q, yOff + s * stride, out, st);
        }
    }
}
