package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.quant.FixedPoint;
import dev.tern.runtime.internal.quant.Int8;
import dev.tern.runtime.model.ValueType;

/**
 * {@code int8-add-reference}, TFLite's int8 add: both inputs, shifted left by 20 bits, are
 * rescaled to twice the larger input scale, summed, and the sum rescaled to the output scale;
 * then zero point and clamp.
 */
public final class Int8Add extends Kernel {
    final int n, x0, x1, yOff, stride;
    final int z0, z1, zo, min, max;
    final FixedPoint.Multiplier m0, m1, mo;

    public Int8Add(OpContext c) {
        n = c.outSize();
        x0 = c.inOffset(0);
        x1 = c.inOffset(1);
        yOff = c.outOffset();
        stride = c.int8Stride();
        ValueType a = c.inType(0);
        ValueType b = c.inType(1);
        ValueType y = c.outType();
        float twiceMax = 2 * Math.max(a.scale(), b.scale());
        m0 = FixedPoint.quantizeMultiplier(a.scale() / (double) twiceMax);
        m1 = FixedPoint.quantizeMultiplier(b.scale() / (double) twiceMax);
        mo = FixedPoint.quantizeMultiplier(twiceMax / ((double) (1 << Int8.RESCALE_SHIFT) * y.scale()));
        z0 = a.zeroPoint();
        z1 = b.zeroPoint();
        zo = y.zeroPoint();
        int[] bounds = Int8.activationBounds(c.activation(), y.scale(), y.zeroPoint());
        min = bounds[0];
        max = bounds[1];
    }

    @Override
    public void run(Arena m, int from, int to) {
        byte[] q = m.q;
        for (int s = from; s < to; s++) {
            int o = s * stride;
            for (int i = 0; i < n; i++) {
                q[yOff + o + i] = (byte) add(q[x0 + o + i], q[x1 + o + i]);
            }
        }
    }

    /** The output of input bytes qa (first operand) and qb. */
    public int add(int qa, int qb) {
        int a = FixedPoint.multiplyByQuantizedMultiplier((qa - z0) << Int8.RESCALE_SHIFT, m0.multiplier, m0.shift);
        int b = FixedPoint.multiplyByQuantizedMultiplier((qb - z1) << Int8.RESCALE_SHIFT, m1.multiplier, m1.shift);
        return FixedPoint.requantize(a + b, mo.multiplier, mo.shift, zo, min, max);
    }
}
