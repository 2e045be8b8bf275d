package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/**
 * {@code f32-depthwise_conv2d-scalar}: channels innermost: for each output pixel and in-bounds
 * tap, acc[oc] += x[iy][ix][oc / m] * W[ky][kx][oc]. With multiplier 1 (the common case) the
 * inner loop is a same-index multiply-add over channels. Scratch: c * m floats.
 */
public final class DepthwiseConv2d extends Kernel {
    final int stride;
    final OpContext.Window g;
    final float[][] wp;
    final float[] b;
    final int mult, xOff, yOff;
    final float min, max;

    public DepthwiseConv2d(OpContext c) {
        int[] ws = c.constant(1).shape();
        g = c.window(ws[0], ws[1]);
        float[] w = c.weightFloats(1);
        wp = new float[g.kh * g.kw][g.outC];
        for (int t = 0; t < g.kh * g.kw; t++) {
            System.arraycopy(w, t * g.outC, wp[t], 0, g.outC);
        }
        b = c.floatsOrZeros(2, g.outC);
        mult = c.attrs().getInt("multiplier", 1);
        xOff = c.inOffset(0);
        stride = c.sampleStride();
        yOff = c.outOffset();
        min = c.activation().min();
        max = c.activation().max();
    }

    @Override
    public int scratchFloats() {
        return g.outC;
    }

    @Override
    public void run(Arena m, int from, int to) {
        float[] a = m.f;
        float[] acc = m.fs;
        final int cout = g.outC;
        final int cin = g.inC;
        for (int s = from; s < to; s++) {
            int xs = xOff + s * stride;
            for (int oy = 0; oy < g.outH; oy++) {
                for (int ox = 0; ox < g.outW; ox++) {
                    System.arraycopy(b, 0, acc, 0, cout);
                    for (int ky = 0; ky < g.kh; ky++) {
                        int iy = oy * g.strideH - g.padTop + ky;
                        if (iy < 0 || iy >= g.inH) {
                            continue;
                        }
                        for (int kx = 0; kx < g.kw; kx++) {
                            int ix = ox * g.strideW - g.padLeft + kx;
                            if (ix < 0 || ix >= g.inW) {
                                continue;
                            }
                            int xp = xs + (iy * g.inW + ix) * cin;
                            float[] row = wp[ky * g.kw + kx];
                            if (mult == 1) {
                                for (int oc = 0; oc < cout; oc++) {
                                    acc[oc] += a[xp + oc] * row[oc];
                                }
                            } else {
                                for (int ic = 0; ic < cin; ic++) {
                                    float xv = a[xp + ic];
                                    int base = ic * mult;
                                    for (int j = 0; j < mult; j++) {
                                        acc[base + j] += xv * row[base + j];
                                    }
                                }
                            }
                        }
                    }
                    Store.clamped(acc, a, yOff + s * stride + (oy * g.outW + ox) * cout, cout, min, max);
                }
            }
        }
    }
}
