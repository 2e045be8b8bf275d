package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/**
 * The element-wise unary ops of 1.4 (tanh, exp, log, neg, abs, sqrt, reciprocal, leaky_relu,
 * elu, clip) in float32: the op chosen once per sample, then its own same-index loop over the
 * sample's contiguous elements (the reference switches per element, in double).
 *
 * <p>Bit for bit the reference: neg, abs, clip (Math.min and max keep NaN, as the reference),
 * sqrt and reciprocal (a float square root or quotient is correctly rounded, and so is the
 * reference's double result rounded once), leaky_relu (max(x, alpha x) for alpha in (0, 1],
 * min(x, alpha x) above 1, the reference's select for alpha <= 0, where 0 x or alpha x would
 * change the sign of a zero or turn +inf into NaN; alpha x in float is the reference's
 * product rounded once). Within a few ulps ({@link FloatMath}): exp, log and
 * tanh (float polynomials instead of Math's double functions), elu (alpha expm1(x), one more
 * rounding, computed for every element: no branch on the sign, whose misses cost more than the
 * reference saves by skipping exp for positive inputs). Each op has its own class (its registry entry) over this one.
 */
public abstract class Unary extends Kernel {
    static final int TANH = 0, EXP = 1, LOG = 2, NEG = 3, ABS = 4, SQRT = 5, RECIPROCAL = 6, LEAKY_RELU = 7, ELU = 8,
            CLIP = 9;
    final int op, n, stride, xOff, yOff;
    final float p, q;

    Unary(OpContext c, int op, float p, float q) {
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
        final float[] a = m.f;
        final float p = this.p;
        final float q = this.q;
        final int n = this.n;
        for (int s = from; s < to; s++) {
            final int x = xOff + s * stride;
            final int y = yOff + s * stride;
            switch (op) {
                case TANH:
                    for (int i = 0; i < n; i++) {
                        a[y + i] = FloatMath.tanh(a[x + i]);
                    }
                    break;
                case EXP:
                    for (int i = 0; i < n; i++) {
                        a[y + i] = FloatMath.exp(a[x + i]);
                    }
                    break;
                case LOG:
                    for (int i = 0; i < n; i++) {
                        a[y + i] = FloatMath.log(a[x + i]);
                    }
                    break;
                case NEG:
                    for (int i = 0; i < n; i++) {
                        a[y + i] = -a[x + i];
                    }
                    break;
                case ABS:
                    for (int i = 0; i < n; i++) {
                        a[y + i] = Math.abs(a[x + i]);
                    }
                    break;
                case SQRT:
                    for (int i = 0; i < n; i++) {
                        a[y + i] = (float) Math.sqrt(a[x + i]); // compiled as a float square root
                    }
                    break;
                case RECIPROCAL:
                    for (int i = 0; i < n; i++) {
                        a[y + i] = 1f / a[x + i];
                    }
                    break;
                case LEAKY_RELU:
                    leakyRelu(a, x, y, n, p);
                    break;
                case ELU:
                    // max(v, 0) + alpha expm1(min(v, 0)): one term is 0 (expm1(-0) = +0), no branch on the sign
                    for (int i = 0; i < n; i++) {
                        float v = a[x + i];
                        a[y + i] = Math.max(v, 0f) + p * FloatMath.expm1(Math.min(v, 0f));
                    }
                    break;
                default:
                    for (int i = 0; i < n; i++) {
                        a[y + i] = Math.min(Math.max(a[x + i], p), q);
                    }
                    break;
            }
        }
    }

    /** y = x for x >= 0, else alpha x, as min/max where alpha allows (exact: alpha x is rounded monotonically). */
    private static void leakyRelu(float[] a, int x, int y, int n, float alpha) {
        if (alpha > 0 && alpha <= 1) {
            for (int i = 0; i < n; i++) {
                float v = a[x + i];
                a[y + i] = Math.max(v, alpha * v);
            }
        } else if (alpha > 1) {
            for (int i = 0; i < n; i++) {
                float v = a[x + i];
                a[y + i] = Math.min(v, alpha * v);
            }
        } else {
            for (int i = 0; i < n; i++) {
                float v = a[x + i];
                a[y + i] = v >= 0 ? v : alpha * v;
            }
        }
    }
}
