package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/**
 * Flatten and Reshape, f32 and int8: the values do not change, only the shape (the planner
 * aliases output and input, so this is usually a no-op).
 */
public final class Copy extends Kernel {
    final int n, xOff, yOff, stride;
    final boolean int8;

    public Copy(OpContext c, boolean int8) {
        this.int8 = int8;
        n = c.outSize();
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = int8 ? c.int8Stride() : c.sampleStride();
    }

    @Override
    public void run(Arena m, int from, int to) {
        if (xOff != yOff) {
            for (int s = from; s < to; s++) {
                if (int8) {
                    System.arraycopy(m.q, xOff + s * stride, m.q, yOff + s * stride, n);
                } else {
                    System.arraycopy(m.f, xOff + s * stride, m.f, yOff + s * stride, n);
                }
            }
        }
    }
}
