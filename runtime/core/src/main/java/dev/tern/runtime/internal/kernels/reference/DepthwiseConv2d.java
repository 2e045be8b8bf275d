package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/**
 * {@code f32-depthwise_conv2d-reference}: output channel oc = c * m + j reads input channel
 * c = oc / m; filter [kh][kw][c * m]; double accumulator.
 */
public final class DepthwiseConv2d extends Kernel {
    final int stride;
    final OpContext.Window g;
    final float[] w, b;
    final int mult, xOff, yOff;
    final float min, max;

    public DepthwiseConv2d(OpContext c) {
        int[] ws = c.constant(1).shape();
        g = c.window(ws[0], ws[1]);
        w = c.weightFloats(1);
        b = c.floatsOrZeros(2, g.outC);
        mult = c.attrs().getInt("multiplier", 1);
        xOff = c.inOffset(0);
        stride = c.sampleStride();
        yOff = c.outOffset();
        min = c.activation().min();
        max = c.activation().max();
    }

    @Override
    public void run(Arena m, int from, int to) {
        float[] a = m.f;
        for (int s = from; s < to; s++) {
            for (int oy = 0; oy < g.outH; oy++) {
                for (int ox = 0; ox < g.outW; ox++) {
                    for (int oc = 0; oc < g.outC; oc++) {
                        int ic = oc / mult;
                        double acc = b[oc];
                        for (int ky = 0; ky < g.kh; ky++) {
                            for (int kx = 0; kx < g.kw; kx++) {
                                int iy = oy * g.strideH - g.padTop + ky * g.dilH;
                                int ix = ox * g.strideW - g.padLeft + kx * g.dilW;
                                if (iy < 0 || iy >= g.inH || ix < 0 || ix >= g.inW) {
                                    continue;
                                }
                                acc += (double) a[xOff + s * stride + (iy * g.inW + ix) * g.inC + ic]
                                        * w[(ky * g.kw + kx) * g.outC + oc];
                            }
                        }
                        a[yOff + s * stride + (oy * g.outW + ox) * g.outC + oc] = Clamp.clamp(acc, min, max);
                    }
                }
            }
        }
    }
}
