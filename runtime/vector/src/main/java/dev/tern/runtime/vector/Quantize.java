package dev.tern.runtime.vector;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.quant.Int8;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import static dev.tern.runtime.vector.Lanes.F;
import static dev.tern.runtime.vector.Lanes.I;
import static dev.tern.runtime.vector.Lanes.B;

/**
 * Quantize, bit for bit {@link Int8#quantize}: x / scale in float lanes (IEEE division, as
 * the scalar code), |v| clamped to 256 (beyond it every zero point clamps alike), rounded to
 * nearest even by adding and subtracting 1.5 * 2^23, ties then moved away from zero, the
 * sign put back, zero point added and clamped to [-128, 127] in float; NaN gives the zero
 * point. The float-to-int step is the same magic-number trick read back from the bits:
 * JDK 17 does not intrinsify F2I vector casts.
 */
final class Quantize extends Kernel {
    private static final float MAGIC = 12582912f; // 1.5 * 2^23
    private static final int MAGIC_BITS = 0x4B400000;
    final int n, xOff, yOff, stride, qStride, zero;
    final float scale;

    Quantize(OpContext c) {
        n = c.outSize();
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.sampleStride();
        qStride = c.int8Stride();
        scale = c.outType().scale();
        zero = c.outType().zeroPoint();
    }

    @Override
    public int scratchInts() {
        return I.length();
    }

    @Override
    public void run(Arena m, int from, int to) {
        for (int s = from; s < to; s++) {
            quantize(m.f, xOff + s * stride, m.q, yOff + s * qStride, m.is);
        }
    }

    private void quantize(float[] f, int xo, byte[] q, int yo, int[] t) {
        final int lanes = F.length();
        final int body = n - n % lanes;
        final float zp = zero;
        for (int i = 0; i < body; i += lanes) {
            FloatVector v = FloatVector.fromArray(F, f, xo + i).div(scale);
            FloatVector a = v.abs();
            a = a.blend(256f, a.compare(VectorOperators.GT, 256f));
            FloatVector r = a.add(MAGIC).sub(MAGIC);
            r = r.blend(r.add(1f), a.sub(r).compare(VectorOperators.EQ, 0.5f));
            r = r.blend(r.neg(), v.compare(VectorOperators.LT, 0f));
            FloatVector y = r.add(zp);
            y = y.blend(-128f, y.compare(VectorOperators.LT, -128f));
            y = y.blend(127f, y.compare(VectorOperators.GT, 127f)).blend(zp, v.test(VectorOperators.IS_NAN));
            IntVector qi = y.add(MAGIC).reinterpretAsInts().sub(MAGIC_BITS);
            if (B.length() == lanes) {
                qi.convertShape(VectorOperators.I2B, B, 0).reinterpretAsBytes().intoArray(q, yo + i);
            } else {
                qi.intoArray(t, 0);
                for (int k = 0; k < lanes; k++) {
                    q[yo + i + k] = (byte) t[k];
                }
            }
        }
        for (int i = body; i < n; i++) {
            q[yo + i] = (byte) Int8.quantize(f[xo + i], scale, zero);
        }
    }
}
