package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/** {@code int8-depthwise_conv2d-reference}: output channel oc reads input channel oc / multiplier; filter [kh, kw, c * m]; int32 sums. */
public final class Int8DepthwiseConv2d extends Kernel {
    final OpContext.Window g;
    final byte[] w;
    final int mult, xOff, yOff, stride;
    final OutputStage st;

    public Int8DepthwiseConv2d(OpContext c) {
        int[] ws = c.constant(1).shape();
        g = c.window(ws[0], ws[1]);
        w = c.int8s(1);
        mult = c.attrs().getInt("multiplier", 1);
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.int8Stride();
        st = new OutputStage(c, 2);
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
                                int xv = q[xOff + s * stride + (iy * g.inW + ix) * g.inC + oc / mult] - st.inZero;
                                acc += xv * w[(ky * g.kw + kx) * g.outC + oc];
                            }
                        }
                        q[yOff + s * stride + (oy * g.outW + ox) * g.outC + oc] = st.out(acc, oc);
                    }
                }
            }
        }
    }
}
