package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/**
 * The element-wise unary ops of 1.4 (tanh, exp, log, neg, abs, sqrt, reciprocal, leaky_relu,
 * elu, clip), f32, each in double and rounded once. Each op has its own class (its registry
 * entry) over this loop.
 */
public abstract class Unary extends Kernel {
    static final int TANH = 0, EXP = 1, LOG = 2, NEG = 3, ABS = 4, SQRT = 5, RECIPROCAL = 6, LEAKY_RELU = 7, ELU = 8,
            CLIP = 9;
    final int op, n, stride, xOff, yOff;
    final double p, q;

    Unary(OpContext c, int op, double p, double q) {
        this.op = op;
        this.p = p;
        this.q = q;
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
                double x = a[xOff + o + i];
                double v;
                switch (op) {
                    case TANH: v = Math.tanh(x); break;
                    case EXP: v = Math.exp(x); break;
                    case LOG: v = Math.log(x); break;
                    case NEG: v = -x; break;
                    case ABS: v = Math.abs(x); break;
                    case SQRT: v = Math.sqrt(x); break;
                    case RECIPROCAL: v = 1.0 / x; break;
                    case LEAKY_RELU: v = x >= 0 ? x : p * x; break;
                    case ELU: v = x > 0 ? x : p * (Math.exp(x) - 1); break;
                    default: v = Double.isNaN(x) ? x : Math.min(Math.max(x, p), q); break;
                }
                a[yOff + o + i] = (float) v;
            }
        }
    }
}
