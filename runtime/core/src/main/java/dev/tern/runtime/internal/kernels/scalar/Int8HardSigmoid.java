package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.quant.Int8;

/**
 * {@code int8-hard_sigmoid-scalar}: a table of the 256 outputs, one per input byte, built at
 * load with docs/FORMAT.md's float32 steps, then one load per element: the same bytes as
 * the reference, which computes each element.
 */
public final class Int8HardSigmoid extends Kernel {
    final int n, xOff, yOff, stride;
    /** Output byte of input byte q at [q + 128]. */
    final byte[] table = new byte[256];

    public Int8HardSigmoid(OpContext c) {
        n = c.outSize();
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.int8Stride();
        float inScale = c.inType(0).scale();
        int inZero = c.inType(0).zeroPoint();
        float outScale = c.outType().scale();
        int outZero = c.outType().zeroPoint();
        float alpha = c.attrs().getFloat("alpha", dev.tern.runtime.internal.kernels.reference.HardSigmoid.ALPHA);
        float beta = c.attrs().getFloat("beta", dev.tern.runtime.internal.kernels.reference.HardSigmoid.BETA);
        for (int q = -128; q < 128; q++) {
            float t = alpha * Int8.dequantize(q, inScale, inZero);
            t = t + beta;
            table[q + 128] = (byte) Int8.quantize(Math.min(Math.max(t, 0f), 1f), outScale, outZero);
        }
    }

    @Override
    public void run(Arena m, int from, int to) {
        final byte[] q = m.q;
        final byte[] t = table;
        for (int s = from; s < to; s++) {
            final int x = xOff + s * stride;
            final int y = yOff + s * stride;
            for (int i = 0; i < n; i++) {
                q[y + i] = t[q[x + i] + 128];
            }
        }
    }
}
