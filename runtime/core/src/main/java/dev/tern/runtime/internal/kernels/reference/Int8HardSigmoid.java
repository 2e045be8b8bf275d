package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.quant.Int8;

/**
 * {@code int8-hard_sigmoid-reference}, element by element as docs/FORMAT.md defines it: the
 * input dequantized ({@link Int8#dequantize}), t = alpha x + beta as a float32 multiply and a
 * float32 add, clamped to [0, 1], quantized to the output's scale and zero point
 * ({@link Int8#quantize}).
 */
public final class Int8HardSigmoid extends Kernel {
    final int n, xOff, yOff, stride, inZero, outZero;
    final float inScale, outScale, alpha, beta;

    public Int8HardSigmoid(OpContext c) {
        n = c.outSize();
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.int8Stride();
        inScale = c.inType(0).scale();
        inZero = c.inType(0).zeroPoint();
        outScale = c.outType().scale();
        outZero = c.outType().zeroPoint();
        alpha = c.attrs().getFloat("alpha", HardSigmoid.ALPHA);
        beta = c.attrs().getFloat("beta", HardSigmoid.BETA);
    }

    @Override
    public void run(Arena m, int from, int to) {
        byte[] q = m.q;
        for (int s = from; s < to; s++) {
            for (int i = 0; i < n; i++) {
                float x = Int8.dequantize(q[xOff + s * stride + i], inScale, inZero);
                float t = alpha * x;
                t = t + beta;
                float y = t < 0f ? 0f : (t > 1f ? 1f : t);
                q[yOff + s * stride + i] = (byte) Int8.quantize(y, outScale, outZero);
            }
        }
    }
}
