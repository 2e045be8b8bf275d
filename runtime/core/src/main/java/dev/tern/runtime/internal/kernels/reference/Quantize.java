package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.quant.Int8;

/** {@code int8-quantize-reference}: float32 to int8 by {@link Int8#quantize} (the output's scale and zero point). */
public final class Quantize extends Kernel {
    final int n, xOff, yOff, stride, qStride, zero;
    final float scale;

    public Quantize(OpContext c) {
        n = c.outSize();
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.sampleStride();
        qStride = c.int8Stride();
        scale = c.outType().scale();
        zero = c.outType().zeroPoint();
    }

    @Override
    public void run(Arena m, int from, int to) {
        for (int s = from; s < to; s++) {
            for (int i = 0; i < n; i++) {
                m.q[yOff + s * qStride + i] = (byte) Int8.quantize(m.f[xOff + s * stride + i], scale, zero);
            }
        }
    }
}
