package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/** {@code f32-relu-reference}, {@code f32-relu6-reference}: y = min(max(x, min), max). */
public final class Clamp extends Kernel {
    final int stride;
    final int n, xOff, yOff;
    final float min, max;

    public Clamp(OpContext c, float min, float max) {
        n = c.outSize();
        xOff = c.inOffset(0);
        stride = c.sampleStride();
        yOff = c.outOffset();
        this.min = min;
        this.max = max;
    }

    /** A double sum rounded to float, then clamped to [min, max] (the fused activation of every f32 reference kernel). */
    public static float clamp(double v, float min, float max) {
        float f = (float) v;
        return f < min ? min : (f > max ? max : f);
    }

    @Override
    public void run(Arena m, int from, int to) {
        float[] a = m.f;
        for (int s = from; s < to; s++) {
            int o = s * stride;
            for (int i = 0; i < n; i++) {
                a[yOff + o + i] = clamp(a[xOff + o + i], min, max);
            }
        }
    }
}
