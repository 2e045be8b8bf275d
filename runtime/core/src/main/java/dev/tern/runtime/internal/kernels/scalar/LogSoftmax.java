package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/**
 * {@code f32-log_softmax-scalar}: y = (x - max) - log(sum exp(x - max)) along attr axis, in
 * float32 ({@link FloatMath} exp and log), on the reference's geometry (outer x len x inner).
 * Innermost axis (inner 1): three passes over each contiguous row (max, sum of exps, output).
 * Other axes: the inner elements of one outer index side by side, rows of inner maxima and sums
 * in scratch updated by same-index loops over the len contiguous rows of inner elements.
 * Float sums of len exps (relative error ~ len ulps of the sum, absolute ~ len ulps in the log),
 * where the reference sums in double. Scratch: 2 x inner floats for an axis other than the last.
 */
public final class LogSoftmax extends Kernel {
    final dev.tern.runtime.internal.kernels.reference.LogSoftmax g;

    public LogSoftmax(OpContext c) {
        g = new dev.tern.runtime.internal.kernels.reference.LogSoftmax(c);
    }

    @Override
    public int scratchFloats() {
        return g.inner == 1 ? 0 : 2 * g.inner;
    }

    @Override
    public void run(Arena m, int from, int to) {
        final float[] a = m.f;
        final int len = g.len;
        final int inner = g.inner;
        for (int s = from; s < to; s++) {
            for (int o = 0; o < g.outer; o++) {
                final int base = s * g.stride + o * len * inner;
                if (inner == 1) {
                    row(a, g.xOff + base, g.yOff + base, len);
                } else {
                    slab(a, m.fs, g.xOff + base, g.yOff + base, len, inner);
                }
            }
        }
    }

    /** One contiguous row of len elements. */
    private static void row(float[] a, int x, int y, int len) {
        float mx = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < len; k++) {
            mx = Math.max(mx, a[x + k]);
        }
        float sum = 0;
        for (int k = 0; k < len; k++) {
            sum += FloatMath.exp(a[x + k] - mx);
        }
        final float log = FloatMath.log(sum);
        for (int k = 0; k < len; k++) {
            a[y + k] = (a[x + k] - mx) - log;
        }
    }

    /** len rows of inner elements (row k at x + k inner), reduced along k: maxima at fs[0, inner), sums then logs at fs[inner, 2 inner). */
    private static void slab(float[] a, float[] fs, int x, int y, int len, int inner) {
        System.arraycopy(a, x, fs, 0, inner);
        for (int k = 1; k < len; k++) {
            final int xr = x + k * inner;
            for (int i = 0; i < inner; i++) {
                fs[i] = Math.max(fs[i], a[xr + i]);
            }
        }
        java.util.Arrays.fill(fs, inner, 2 * inner, 0f);
        for (int k = 0; k < len; k++) {
            final int xr = x + k * inner;
            for (int i = 0; i < inner; i++) {
                fs[inner + i] += FloatMath.exp(a[xr + i] - fs[i]);
            }
        }
        for (int i = 0; i < inner; i++) {
            fs[inner + i] = FloatMath.log(fs[inner + i]);
        }
        for (int k = 0; k < len; k++) {
            final int xr = x + k * inner;
            final int yr = y + k * inner;
            for (int i = 0; i < inner; i++) {
                a[yr + i] = (a[xr + i] - fs[i]) - fs[inner + i];
            }
        }
    }
}
