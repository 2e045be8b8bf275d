package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/**
 * {@code f32-dense-scalar}: Dense as a sum of scaled weight columns: acc = b; for each input i,
 * acc += x[i] * Wt[i]. Layout: Wt[i] is column i of W (length out), so the inner loop is a
 * same-index axpy. Scratch: out floats.
 */
public final class Dense extends Kernel {
    final int stride;
    final int in, out, xOff, yOff;
    final float[][] wt;
    final float[] b;
    final float min, max;

    public Dense(OpContext c) {
        in = c.inSize(0);
        out = c.outSize();
        xOff = c.inOffset(0);
        stride = c.sampleStride();
        yOff = c.outOffset();
        float[] w = c.weightFloats(1);
        wt = new float[in][out];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                wt[i][o] = w[o * in + i];
            }
        }
        b = c.floatsOrZeros(2, out);
        min = c.activation().min();
        max = c.activation().max();
    }

    @Override
    public int scratchFloats() {
        return out;
    }

    @Override
    public void run(Arena m, int from, int to) {
        float[] a = m.f;
        float[] acc = m.fs;
        for (int s = from; s < to; s++) {
            System.arraycopy(b, 0, acc, 0, out);
            int xo = xOff + s * stride;
            for (int i = 0; i < in; i++) {
                float xv = a[xo + i];
                float[] row = wt[i];
                for (int o = 0; o < out; o++) {
                    acc[o] += xv * row[o];
                }
            }
            Store.clamped(acc, a, yOff + s * stride, out, min, max);
        }
    }
}
