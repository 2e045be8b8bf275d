package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/** {@code f32-sigmoid-reference}: y = 1 / (1 + exp(-x)) in double. */
public final class Sigmoid extends Kernel {
    final int stride;
    final int n, xOff, yOff;

    public Sigmoid(OpContext c) {
        n = c.outSize();
        xOff = c.inOffset(0);
        stride = c.sampleStride();
        yOff = c.outOffset();
    }

    @Override
    public void run(Arena m, int from, int to) {
        float[] a = m.f;
        for (int s = from; s < to; s++) {
            int o = s * stride;
            for (int i = 0; i < n; i++) {
                a[yOff + o + i] = (float) (1.0 / (1.0 + Math.exp(-a[xOff + o + i])));
            }
        }
    }
}
