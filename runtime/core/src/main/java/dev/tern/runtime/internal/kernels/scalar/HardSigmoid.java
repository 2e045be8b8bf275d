package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/**
 * {@code f32-hard_sigmoid-scalar}: y = min(max(alpha x + beta, 0), 1) in float32, a
 * same-index, branch-free loop C2 and ART vectorize. Differs from the reference (double) by
 * the rounding of alpha x before the add: within 2 ulp of 1.
 */
public final class HardSigmoid extends Kernel {
    final int n, xOff, yOff, stride;
    final float alpha, beta;

    public HardSigmoid(OpContext c) {
        n = c.outSize();
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.sampleStride();
        alpha = c.attrs().getFloat("alpha", dev.tern.runtime.internal.kernels.reference.HardSigmoid.ALPHA);
        beta = c.attrs().getFloat("beta", dev.tern.runtime.internal.kernels.reference.HardSigmoid.BETA);
    }

    @Override
    public void run(Arena m, int from, int to) {
        final float[] a = m.f;
        final float al = alpha;
        final float be = beta;
        for (int s = from; s < to; s++) {
            final int x = xOff + s * stride;
            final int y = yOff + s * stride;
            for (int i = 0; i < n; i++) {
                a[y + i] = Math.min(Math.max(al * a[x + i] + be, 0f), 1f);
            }
        }
    }
}
