package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.quant.Int8;

/** {@code int8-dequantize-reference}: int8 to float32 by {@link Int8#dequantize} (the input's scale and zero point). */
public final class Dequantize extends Kernel {
    final int n, xOff, yOff, stride, qStride, zero;
    final float scale;

    public Dequantize(OpContext c) {
        n = c.outSize();
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.sampleStride();
        qStride = c.int8Stride();
        scale = c.inType(0).scale();
        zero = c.inType(0).zeroPoint();
    }

    @Override
    public void run(Arena m, int from, int to) {
        for (int s = from; s < to; s++) {
            for (int i = 0; i < n; i++) {
                m.f[yOff + s * stride + i] = Int8.dequantize(m.q[xOff + s * qStride + i], scale, zero);
            }
        }
    }
}
