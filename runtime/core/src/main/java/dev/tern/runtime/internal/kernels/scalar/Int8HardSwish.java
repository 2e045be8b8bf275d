package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.quant.Int8;

/**
 * {@code int8-hard_swish-scalar}: a table of the 256 outputs, one per input byte, built at
 * load with docs/FORMAT.md's float32 steps, then one load per element: the same bytes as
 * the reference, which computes each element.
 */
public final class Int8HardSwish extends Kernel {
    final int n, xOff, yOff, stride;
    /** Output byte of input byte q at [q + 128]. */
    final byte[] table = new byte[256];

    public Int8HardSwish(OpContext c) {
        n = c.outSize();
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.int8Stride();
        float inScale = c.inType(0).scale();
        int inZero = c.inType(0).zeroPoint();
        float outScale = c.outType().scale();
        int outZero = c.outType().zeroPoint();
        for (int q = -128; q < 128; q++) {
            float x = Int8.dequantize(q, inScale, inZero);
            float t = x * dev.tern.runtime.internal.kernels.reference.HardSwish.ALPHA;
            t = t + 0.5f;
            table[q + 128] = (byte) Int8.quantize(x * Math.min(Math.max(t, 0f), 1f), outScale, outZero);
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
