package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/** {@code f32-hard_swish-reference}: y = x max(0, min(1, x / 6 + 1/2)) in double, rounded once to float. */
public final class HardSwish extends Kernel {
    /** ONNX HardSwish's slope: x HardSigmoid(x) with alpha 1/6 (as a float32, the int8 definition's) and beta 1/2. */
    public static final float ALPHA = 1f / 6;

    final int n, xOff, yOff, stride;

    public HardSwish(OpContext c) {
        n = c.outSize();
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.sampleStride();
    }

    @Override
    public void run(Arena m, int from, int to) {
        float[] a = m.f;
        for (int s = from; s < to; s++) {
            int o = s * stride;
            for (int i = 0; i < n; i++) {
                double x = a[xOff + o + i];
                a[yOff + o + i] = (float) (x * Math.max(0.0, Math.min(1.0, x / 6 + 0.5)));
            }
        }
    }
}
