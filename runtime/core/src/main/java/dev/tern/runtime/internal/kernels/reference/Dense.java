package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/** {@code f32-dense-reference}: y[o] = act(b[o] + sum_i W[o][i] x[i]); W is [out, in] row-major; double accumulator. */
public final class Dense extends Kernel {
    final int stride;
    final int in, out, xOff, yOff;
    final float[] w, b;
    final float min, max;

    public Dense(OpContext c) {
        in = c.inSize(0);
        out = c.outSize();
        xOff = c.inOffset(0);
        stride = c.sampleStride();
        yOff = c.outOffset();
        w = c.weightFloats(1);
        b = c.floatsOrZeros(2, out);
        min = c.activation().min();
        max = c.activation().max();
    }

    @Override
    public void run(Arena m, int from, int to) {
        float[] a = m.f;
        for (int s = from; s < to; s++) {
            for (int o = 0; o < out; o++) {
                double acc = b[o];
                for (int i = 0; i < in; i++) {
                    acc += (double) w[o * in + i] * a[xOff + s * stride + i];
                }
                a[yOff + s * stride + o] = Clamp.clamp(acc, min, max);
            }
        }
    }
}
