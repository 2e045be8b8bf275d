package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.quant.Int8;
import dev.tern.runtime.model.Activation;

/** {@code int8-relu-reference}, {@code int8-relu6-reference}: a clamp to the activation's bounds in the input's quantization. */
public final class Int8Clamp extends Kernel {
    final int n, xOff, yOff, stride, min, max;

    public Int8Clamp(OpContext c, Activation act) {
        n = c.outSize();
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.int8Stride();
        int[] b = Int8.activationBounds(act, c.outType().scale(), c.outType().zeroPoint());
        min = b[0];
        max = b[1];
    }

    @Override
    public void run(Arena m, int from, int to) {
        byte[] q = m.q;
        for (int s = from; s < to; s++) {
            for (int i = 0; i < n; i++) {
                int v = q[xOff + s * stride + i];
                q[yOff + s * stride + i] = (byte) (v < min ? min : (v > max ? max : v));
            }
        }
    }
}
