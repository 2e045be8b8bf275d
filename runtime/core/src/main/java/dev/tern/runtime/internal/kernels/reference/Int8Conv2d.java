package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/** {@code int8-conv2d-reference}: NHWC convolution, int32 sums; padding cells hold the real value 0 (q = zx) and so add nothing. */
public final class Int8Conv2d extends Kernel {
    final OpContext.Window g;
    final byte[] w;
    final int xOff, yOff, stride;
    final OutputStage st;

    public Int8Conv2d(OpContext c) {
        int[] ws = c.constant(1).shape();
        g = c.window(ws[1], ws[2]);
        w = c.int8s(1);
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.int8Stride();
        st = new OutputStage(c, 0);
    }

    @Override
    public void run(Arena m, int from, int to) {
        byte[] q = m.q;
        for (int s = from; s < to; s++) {
            for (int oy = 0; oy < g.outH; oy++) {
                for (int ox = 0; ox < g.outW; ox++) {
                    for (int oc = 0; oc < g.outC; oc++) {
                        int acc = st.bias[oc];
                        for (int ky = 0; ky < g.kh; ky++) {
                            for (int kx = 0; kx < g.kw; kx++) {
                                int iy = oy * g.strideH - g.padTop + ky * g.dilH;
                                int ix = ox * g.strideW - g.padLeft + kx * g.dilW;
                                if (iy < 0 || iy >= g.inH || ix < 0 || ix >= g.inW) {
                                    continue;
                                }
                                for (int ic = 0; ic < g.inC; ic++) {
                                    int xv = q[xOff + s * stride + (iy * g.inW + ix) * g.inC + ic] - st.inZero;
                                    acc += xv * w[((oc * g.kh + ky) * g.kw + kx) * g.inC + ic];
                                }
                            }
                        }
                        q[yOff + s * stride + (oy * g.outW + ox) * g.outC + oc] = st.out(acc, oc);
                    }
                }
            }
        }
    }
}
