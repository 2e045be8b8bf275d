package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/** {@code f32-add-reference}: y = act(x0 + x1), summed in double. */
public final class Add extends Kernel {
    final int stride;
    final int n, x0, x1, yOff;
    final float min, max;

    public Add(OpContext c) {
        n = c.outSize();
        x0 = c.inOffset(0);
        x1 = c.inOffset(1);
        yOff = c.outOffset();
        stride = c.sampleStride();
        min = c.activation().min();
        max = c.activation().max();
    }

    @Override
    public void run(Arena m, int from, int to) {
        float[] a = m.f;
        for (int s = from; s < to; s++) {
            int o = s * stride;
            for (int i = 0; i < n; i++) {
                a[yOff + o + i] = Clamp.clamp((double) a[x0 + o + i] + a[x1 + o + i], min, max);
            }
        }
    }
}
