package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.kernels.reference.Broadcast;

/**
 * The element-wise binary ops in float32, in the loops C2 and ART vectorize: operands of the
 * output's shape, or one that repeats along the leading axes (a per-channel scale [c], a
 * squeeze-and-excite gate [1, 1, c], prelu's per-channel slope) read by a running index, each
 * op its own branch-free loop; other broadcasts through the reference's index map. Float
 * arithmetic is the reference's (a double result of two floats rounded once is the float
 * result) for +, -, x and / and prelu's product; max and min give NaN for a NaN operand as the
 * reference does. Prelu with constant, finite slopes that are +0 or positive (the usual learned
 * slopes) runs branch-free as max(x, -0) + slope min(x, -0), which is the reference's select
 * for every x, zeros and infinities included (one term is -0, which adds nothing); other
 * slopes take the select. Each op has its own class (its registry entry) over this one.
 */
public abstract class Binary extends Kernel {
    static final int ADD = 0, SUB = 1, MUL = 2, DIV = 3, MAX = 4, MIN = 5, PRELU = 6;
    final int op, n, stride, yOff, off0, off1;
    final float[] c0, c1;
    /** Per operand: 0 the output's shape, p > 0 a block of p values repeated, -1 an index map. */
    final int rep0, rep1;
    final int[] idx0, idx1;
    final float min, max;
    /** Prelu whose constant slopes are all finite and +0 or positive: the branch-free form. */
    final boolean preluSum;

    Binary(OpContext c, int op, float min, float max) {
        this.op = op;
        this.min = min;
        this.max = max;
        int[] out = c.outShape();
        n = c.outSize();
        stride = c.sampleStride();
        yOff = c.outOffset();
        off0 = c.inOffset(0);
        off1 = c.inOffset(1);
        c0 = off0 < 0 ? c.constant(0).floats() : null;
        c1 = off1 < 0 ? c.constant(1).floats() : null;
        int[] s0 = off0 < 0 ? c.constant(0).shape() : c.inShape(0);
        int[] s1 = off1 < 0 ? c.constant(1).shape() : c.inShape(1);
        rep0 = repeat(out, s0);
        rep1 = repeat(out, s1);
        idx0 = rep0 < 0 ? Broadcast.index(out, s0) : null;
        idx1 = rep1 < 0 ? Broadcast.index(out, s1) : null;
        boolean sum = op == PRELU && c1 != null;
        for (int i = 0; sum && i < c1.length; i++) {
            sum = Float.isFinite(c1[i]) && Float.floatToRawIntBits(c1[i]) >= 0;
        }
        preluSum = sum;
    }

    /** 0 when {@code s} is the output's shape, p when it is the output's last axes (p values) after size-1 axes, else -1. */
    static int repeat(int[] out, int[] s) {
        if (java.util.Arrays.equals(out, s)) {
            return 0;
        }
        int r = out.length;
        int p = 1;
        boolean suffix = true;
        boolean ones = true;
        for (int i = 0; i < r; i++) {
            int d = i - (r - s.length);
            int v = d < 0 ? 1 : s[d];
            if (ones && v != 1) {
                ones = false;
            }
            if (!ones) {
                if (v != out[i]) {
                    suffix = false;
                }
                p *= v;
            }
        }
        for (int i = 0; i < s.length - r; i++) {
            suffix &= s[i] == 1;
        }
        return suffix ? Math.max(p, 1) : -1;
    }

    @Override
    public final void run(Arena m, int from, int to) {
        float[] a = m.f;
        for (int s = from; s < to; s++) {
            int o = s * stride;
            float[] x = c0 != null ? c0 : a;
            float[] y = c1 != null ? c1 : a;
            int xb = c0 != null ? 0 : off0 + o;
            int yb = c1 != null ? 0 : off1 + o;
            int out = yOff + o;
            if (rep0 == 0 && rep1 == 0) {
                same(a, x, xb, y, yb, out, n);
            } else if (rep0 == 0 && rep1 > 0) {
                for (int i = 0; i < n; i += rep1) {
                    same(a, x, xb + i, y, yb, out + i, rep1);
                }
            } else if (rep1 == 0 && rep0 > 0) {
                for (int i = 0; i < n; i += rep0) {
                    same(a, x, xb, y, yb + i, out + i, rep0);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    int j0 = rep0 == 0 ? i : rep0 > 0 ? i % rep0 : idx0[i];
                    int j1 = rep1 == 0 ? i : rep1 > 0 ? i % rep1 : idx1[i];
                    a[out + i] = apply(x[xb + j0], y[yb + j1]);
                }
            }
        }
    }

    private float apply(float x, float y) {
        switch (op) {
            case ADD: return Math.min(Math.max(x + y, min), max);
            case SUB: return x - y;
            case MUL: return x * y;
            case DIV: return x / y;
            case MAX: return Float.isNaN(x) || Float.isNaN(y) ? Float.NaN : Math.max(x, y);
            case MIN: return Float.isNaN(x) || Float.isNaN(y) ? Float.NaN : Math.min(x, y);
            default: return x < 0 ? x * y : x;
        }
    }

    /** y[out + i] = x[xb + i] op z[zb + i] for i < len, one loop per op. */
    private void same(float[] a, float[] x, int xb, float[] z, int zb, int out, int len) {
        switch (op) {
            case ADD: {
                float lo = min;
                float hi = max;
                for (int i = 0; i < len; i++) {
                    a[out + i] = Math.min(Math.max(x[xb + i] + z[zb + i], lo), hi);
                }
                return;
            }
            case SUB:
                for (int i = 0; i < len; i++) {
                    a[out + i] = x[xb + i] - z[zb + i];
                }
                return;
            case MUL:
                for (int i = 0; i < len; i++) {
                    a[out + i] = x[xb + i] * z[zb + i];
                }
                return;
            case DIV:
                for (int i = 0; i < len; i++) {
                    a[out + i] = x[xb + i] / z[zb + i];
                }
                return;
            case PRELU:
                if (preluSum) {
                    for (int i = 0; i < len; i++) {
                        float v = x[xb + i];
                        a[out + i] = Math.max(v, -0f) + z[zb + i] * Math.min(v, -0f);
                    }
                } else {
                    for (int i = 0; i < len; i++) {
                        float v = x[xb + i];
                        a[out + i] = v < 0 ? v * z[zb + i] : v;
                    }
                }
                return;
            default:
                for (int i = 0; i < len; i++) {
                    a[out + i] = apply(x[xb + i], z[zb + i]);
                }
        }
    }
}
