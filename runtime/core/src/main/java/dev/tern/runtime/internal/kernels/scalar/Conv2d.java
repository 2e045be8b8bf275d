package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/**
 * {@code f32-conv2d-scalar}: direct NHWC convolution, one output pixel at a time: acc[0, cout) = b,
 * then for every in-bounds tap (ky, kx) and input channel ic, acc += x[iy][ix][ic] * Wp[(ky * kw + kx) * cin + ic],
 * where Wp rows hold the filter transposed to [kh][kw][cin][cout]. Bounds are resolved per
 * tap, outside the inner loop. Scratch: cout floats.
 */
public final class Conv2d extends Kernel {
    final int stride;
    final OpContext.Window g;
    final float[][] wp;
    final float[] b;
    final int xOff, yOff;
    final float min, max;

    public Conv2d(OpContext c) {
        int[] ws = c.constant(1).shape();
        g = c.window(ws[1], ws[2]);
        wp = rows(c.weightFloats(1), g.outC, g.kh * g.kw * g.inC);
        b = c.floatsOrZeros(2, g.outC);
        xOff = c.inOffset(0);
        stride = c.sampleStride();
        yOff = c.outOffset();
        min = c.activation().min();
        max = c.activation().max();
    }

    /**
     * A filter [cout, kh, kw, cin] ({@code taps} = kh kw cin floats per output channel)
     * transposed to rows [kh][kw][cin][cout]: row t holds tap t of every output channel.
     */
    static float[][] rows(float[] w, int cout, int taps) {
        float[][] wp = new float[taps][cout];
        for (int oc = 0; oc < cout; oc++) {
            for (int t = 0; t < taps; t++) {
                wp[t][oc] = w[oc * taps + t];
            }
        }
        return wp;
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
                            int tap = (ky * g.kw + kx) * cin;
                            for (int ic = 0; ic < cin; ic++) {
                                float xv = a[xp + ic];
                                float[] row = wp[tap + ic];
                                for (int oc = 0; oc < cout; oc++) {
                                    acc[oc] += xv * row[oc];
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
