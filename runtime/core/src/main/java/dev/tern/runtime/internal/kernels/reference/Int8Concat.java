package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.quant.FixedPoint;
import dev.tern.runtime.internal.quant.Int8;
import dev.tern.runtime.model.ValueType;

/**
 * {@code int8-concat-reference}: an input whose scale and zero point differ from the output's
 * is rescaled (shifted left by 20 bits, one fixed-point multiply to the output scale, zero
 * point, clamp); the others are copied.
 */
public final class Int8Concat extends Kernel {
    final int[] inOff, inAxis, inZero, inMult, inShift;
    final boolean[] same;
    final int outer, inner, outAxis, yOff, stride, outZero;

    public Int8Concat(OpContext c) {
        int[] out = c.outShape();
        int ax = Concat.axis(c);
        outer = Concat.outer(out, ax);
        inner = Concat.inner(out, ax);
        outAxis = out[ax];
        yOff = c.outOffset();
        stride = c.int8Stride();
        ValueType y = c.outType();
        outZero = y.zeroPoint();
        int k = c.inputCount();
        inOff = new int[k];
        inAxis = new int[k];
        inZero = new int[k];
        inMult = new int[k];
        inShift = new int[k];
        same = new boolean[k];
        for (int i = 0; i < k; i++) {
            inOff[i] = c.inOffset(i);
            inAxis[i] = c.inShape(i)[ax];
            ValueType t = c.inType(i);
            same[i] = t.equals(y);
            inZero[i] = t.zeroPoint();
            FixedPoint.Multiplier mi = Int8.rescale(t.scale(), y.scale());
            inMult[i] = mi.multiplier;
            inShift[i] = mi.shift;
        }
    }

    @Override
    public void run(Arena m, int from, int to) {
        byte[] q = m.q;
        for (int s = from; s < to; s++) {
            for (int o = 0; o < outer; o++) {
                int pos = 0;
                for (int i = 0; i < inOff.length; i++) {
                    int len = inAxis[i] * inner;
                    int src = inOff[i] + s * stride + o * len;
                    int dst = yOff + s * stride + o * outAxis * inner + pos;
                    for (int j = 0; j < len; j++) {
                        q[dst + j] = same[i] ? q[src + j] : (byte) FixedPoint.requantize(
                                (q[src + j] - inZero[i]) << Int8.RESCALE_SHIFT, inMult[i], inShift[i], outZero, Int8.MIN, Int8.MAX);
                    }
                    pos += len;
                }
            }
        }
    }
}
