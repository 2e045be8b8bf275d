package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/** {@code f32-hard_sigmoid-reference}: y = max(0, min(1, alpha x + beta)) in double, rounded once to float. */
public final class HardSigmoid extends Kernel {
    /** ONNX HardSigmoid's defaults. */
    public static final float ALPHA = 0.2f;
    public static final float BETA = 0.5f;

    final int n, xOff, yOff, stride;
    final double alpha, beta;

    public HardSigmoid(OpContext c) {
        n = c.outSize();
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.sampleStride();
        alpha = c.attrs().getFloat("alpha", ALPHA);
        beta = c.attrs().getFloat("beta", BETA);
    }

    @Override
    public void run(Arena m, int from, int to) {
        float[] a = m.f;
        for (int s = from; s < to; s++) {
            int o = s * stride;
            for (int i = 0; i < n; i++) {
                a[yOff + o + i] = (float) Math.max(0.0, Math.min(1.0, alpha * a[xOff + o + i] + beta));
            }
        }
    }
}
