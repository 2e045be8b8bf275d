package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/** {@code f32-softmax-reference}: softmax over the last axis, exp(x - max) / sum, the sum in double. */
public final class Softmax extends Kernel {
    final int stride;
    final int rows, len, xOff, yOff;

    public Softmax(OpContext c) {
        int[] s = c.outShape();
        len = s[s.length - 1];
        rows = c.outSize() / len;
        xOff = c.inOffset(0);
        stride = c.sampleStride();
        yOff = c.outOffset();
    }

    @Override
    public void run(Arena m, int from, int to) {
        float[] a = m.f;
        for (int s = from; s < to; s++) {
            for (int r = 0; r < rows; r++) {
                softmax(a, xOff + s * stride + r * len, a, yOff + s * stride + r * len, len);
            }
        }
    }

    /** Numerically stable softmax of {@code x[xo, xo + n)} into {@code y[yo, yo + n)}. */
    public static void softmax(float[] x, int xo, float[] y, int yo, int n) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            m = Math.max(m, x[xo + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double e = Math.exp(x[xo + i] - m);
            y[yo + i] = (float) e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) {
            y[yo + i] *= inv;
        }
    }
}
