package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/**
 * The element-wise binary ops with numpy broadcasting (add, sub, mul, div, max, min, prelu), f32;
 * either operand may be a constant tensor. Each op has its own class (its registry entry) over
 * this loop. Computed in double and rounded once, which for +, -, x and / of two floats gives the
 * correctly rounded float result.
 */
public abstract class Binary extends Kernel {
    static final int ADD = 0, SUB = 1, MUL = 2, DIV = 3, MAX = 4, MIN = 5, PRELU = 6;
    final int op, n, stride, yOff, off0, off1;
    final float[] c0, c1;
    final int[] idx0, idx1;
    final float min, max;

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
        idx0 = Broadcast.index(out, off0 < 0 ? c.constant(0).shape() : c.inShape(0));
        idx1 = Broadcast.index(out, off1 < 0 ? c.constant(1).shape() : c.inShape(1));
    }

    @Override
    public final void run(Arena m, int from, int to) {
        float[] a = m.f;
        for (int s = from; s < to; s++) {
            int o = s * stride;
            for (int i = 0; i < n; i++) {
                int j0 = idx0 == null ? i : idx0[i];
                int j1 = idx1 == null ? i : idx1[i];
                double x = c0 != null ? c0[j0] : a[off0 + o + j0];
                double y = c1 != null ? c1[j1] : a[off1 + o + j1];
                double v;
                switch (op) {
                    case ADD: v = x + y; break;
                    case SUB: v = x - y; break;
                    case MUL: v = x * y; break;
                    case DIV: v = x / y; break;
                    case MAX: v = Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.max(x, y); break;
                    case MIN: v = Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.min(x, y); break;
                    default: v = x < 0 ? x * y : x; break;
                }
                a[yOff + o + i] = op == ADD ? Clamp.clamp(v, min, max) : (float) v;
            }
        }
    }
}
