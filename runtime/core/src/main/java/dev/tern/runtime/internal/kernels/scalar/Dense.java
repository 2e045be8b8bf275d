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
        int in4 = in & ~3;
        for (int s = from; s < to; s++) {
            System.arraycopy(b, 0, acc, 0, out);
            int xo = xOff + s * stride;
            // Four inputs per pass over acc: a quarter of the accumulator loads and stores of a
            // one-input axpy, so the loop streams weights instead of waiting on acc (whose speed
            // then also stops depending on where the heap happened to put acc and the rows).
            // The four products are added one after another, in input order, as the one-input
            // loop adds them: the same roundings, so the same bits (calibration, and with it
            // the shipped int8 teacher, depends on them).
            for (int i = 0; i < in4; i += 4) {
                float x0 = a[xo + i], x1 = a[xo + i + 1], x2 = a[xo + i + 2], x3 = a[xo + i + 3];
                float[] r0 = wt[i], r1 = wt[i + 1], r2 = wt[i + 2], r3 = wt[i + 3];
                for (int o = 0; o < out; o++) {
                    float v = acc[o];
                    v += x0 * r0[o];
                    v += x1 * r1[o];
                    v += x2 * r2[o];
                    v += x3 * r3[o];
                    acc[o] = v;
                }
            }
            for (int i = in4; i < in; i++) {
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
