package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/** {@code f32-log_softmax-reference}: x - max - log(sum exp(x - max)) along attr axis, in double. */
public final class LogSoftmax extends Kernel {
    /** The geometry, shared with the scalar kernel: outer x len x inner elements, the axis of length len. */
    public final int outer, len, inner, stride, xOff, yOff;

    public LogSoftmax(OpContext c) {
        int[] s = c.outShape();
        int axis = c.attrs().getInt("axis", -1);
        int ax = axis < 0 ? axis + s.length : axis;
        int o = 1;
        int in = 1;
        for (int d = 0; d < ax; d++) {
            o *= s[d];
        }
        for (int d = ax + 1; d < s.length; d++) {
            in *= s[d];
        }
        outer = o;
        inner = in;
        len = s[ax];
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.sampleStride();
    }

    @Override
    public void run(Arena m, int from, int to) {
        float[] a = m.f;
        for (int s = from; s < to; s++) {
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    int base = s * stride + o * len * inner + i;
                    double mx = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < len; k++) {
                        mx = Math.max(mx, a[xOff + base + k * inner]);
                    }
                    double sum = 0;
                    for (int k = 0; k < len; k++) {
                        sum += Math.exp(a[xOff + base + k * inner] - mx);
                    }
                    double log = Math.log(sum);
                    for (int k = 0; k < len; k++) {
                        a[yOff + base + k * inner] = (float) (a[xOff + base + k * inner] - mx - log);
                    }
                }
            }
        }
    }
}
