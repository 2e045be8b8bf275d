package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.kernels.reference.OutputStage;

/** {@code int8-depthwise_conv2d-scalar}: channels innermost, int rows per tap, int32 accumulators. Scratch: c * m ints. */
public final class Int8DepthwiseConv2d extends Kernel {
    final OpContext.Window g;
    final int[][] wp;
    final int mult, xOff, yOff, stride;
    final OutputStage st;

    public Int8DepthwiseConv2d(OpContext c) {
        int[] ws = c.constant(1).shape();
        g = c.window(ws[0], ws[1]);
        byte[] w = c.int8s(1);
        wp = new int[g.kh * g.kw][g.outC];
        for (int t = 0; t < g.kh * g.kw; t++) {
            for (int oc = 0; oc < g.outC; oc++) {
                wp[t][oc] = w[t * g.outC + oc];
            }
        }
        mult = c.attrs().getInt("multiplier", 1);
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.int8Stride();
        st = new OutputStage(c, 2);
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
        final int zx = st.inZero;
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
                            int[] row = wp[ky * g.kw + kx];
                            if (mult == 1) {
                                for (int oc = 0; oc < cout; oc++) {
                                    acc[oc] += (q[xp + oc] - zx) * row[oc];
                                }
                            } else {
                                for (int ic = 0; ic < cin; ic++) {
                                    int xv = q[xp + ic] - zx;
                                    int base = ic * mult;
                                    for (int j = 0; j < mult; j++) {
                                        acc[base + j] += xv * row[base + j];
                                    }
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
