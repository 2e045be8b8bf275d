package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.kernels.reference.OutputStage;

/**
 * {@code int8-conv2d-scalar}: direct NHWC convolution, one output pixel at a time, filter packed
 * to int rows [kh][kw][cin][cout] (widened as in {@link Int8Dense}), int32 accumulators.
 * Scratch: cout ints.
 */
public final class Int8Conv2d extends Kernel {
    final OpContext.Window g;
    final int[][] wp;
    final int xOff, yOff, stride;
    final OutputStage st;

    public Int8Conv2d(OpContext c) {
        int[] ws = c.constant(1).shape();
        g = c.window(ws[1], ws[2]);
        byte[] w = c.int8s(1);
        int taps = g.kh * g.kw * g.inC;
        wp = new int[taps][g.outC];
        for (int oc = 0; oc < g.outC; oc++) {
            for (int t = 0; t < taps; t++) {
                wp[t][oc] = w[oc * taps + t];
            }
        }
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.int8Stride();
        st = new OutputStage(c, 0);
    }

    @Override
    public int scratchInts() {
        return g.outC;
    }

    @Override
    public void run(Arena m, int from, int to) {
        byte[] q = m.q;
        int[] acc = m.is;
        final int cout = g.outC;
        final int cin = g.inC;
        for (int s = from; s < to; s++) {
            int xs = xOff + s * stride;
            for (int oy = 0; oy < g.outH; oy++) {
                for (int ox = 0; ox < g.outW; ox++) {
                    System.arraycopy(st.bias, 0, acc, 0, cout);
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
                                int xv = q[xp + ic] - st.inZero;
                                int[] row = wp[tap + ic];
                                for (int oc = 0; oc < cout; oc++) {
                                    acc[oc] += xv * row[oc];
                                }
                            }
                        }
                    }
                    Store.requantized(acc, q, yOff + s * stride + (oy * g.outW + ox) * cout, cout, st);
                }
            }
        }
    }
}
