package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/**
 * {@code f32-hard_swish-scalar}: y = x min(max(x / 6 + 1/2, 0), 1) in float32 (x / 6 as a
 * multiply by 1/6), a same-index, branch-free loop C2 and ART vectorize. Three float
 * roundings where the reference (double) has one: within a few ulp of |x|.
 */
public final class HardSwish extends Kernel {
    final int n, xOff, yOff, stride;

    public HardSwish(OpContext c) {
        n = c.outSize();
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.sampleStride();
    }

    @Override
    public void run(Arena m, int from, int to) {
        final float[] a = m.f;
        final float sixth = dev.tern.runtime.internal.kernels.reference.HardSwish.ALPHA;
        for (int s = from; s < to; s++) {
            final int x = xOff + s * stride;
            final int y = yOff + s * stride;
            for (int i = 0; i < n; i++) {
                float v = a[x + i];
                a[y + i] = v * Math.min(Math.max(v * sixth + 0.5f, 0f), 1f);
            }
        }
    }
}
