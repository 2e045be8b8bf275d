package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/**
 * The data-movement ops (transpose, slice, pad), f32: y[i] = x[idx[i]], or the constant where
 * idx[i] is -1, with the index map built at plan time ({@link Broadcast}). Each op has its own
 * class (its registry entry) that builds its map.
 */
public abstract class Gather extends Kernel {
    final int n, stride, xOff, yOff;
    final int[] idx;
    final float value;

    Gather(OpContext c, int[] idx, float value) {
        this.idx = idx;
        this.value = value;
        n = c.outSize();
        stride = c.sampleStride();
        xOff = c.inOffset(0);
        yOff = c.outOffset();
    }

    @Override
    public final void run(Arena m, int from, int to) {
        float[] a = m.f;
        for (int s = from; s < to; s++) {
            int o = s * stride;
            for (int i = 0; i < n; i++) {
                int j = idx[i];
                a[yOff + o + i] = j < 0 ? value : a[xOff + o + j];
            }
        }
    }
}
