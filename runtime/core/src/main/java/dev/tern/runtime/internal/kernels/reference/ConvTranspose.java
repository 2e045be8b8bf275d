package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/**
 * {@code f32-conv_transpose-reference}: NHWC transposed convolution, filter [cout, kh, kw, cin]:
 * y[oy][ox][oc] = b[oc] + sum of x[iy][ix][ic] w[oc][ky][kx][ic] over the (iy, ix, ky, kx) with
 * iy * sh - pad_top + ky * dh = oy (columns alike); double accumulator.
 */
public final class ConvTranspose extends Kernel {
    /** The geometry, shared with the scalar kernel: sizes, strides (sh, sw), dilations (dh, dw), top and left pads, arena offsets. */
    public final int inH, inW, cin, kh, kw, cout, outH, outW, sh, sw, dh, dw, pt, pl, stride, xOff, yOff;
    /** The filter [cout, kh, kw, cin] as floats and the bias (zeros when absent). */
    public final float[] w, b;

    public ConvTranspose(OpContext c) {
        int[] x = c.inShape(0);
        int[] y = c.outShape();
        int[] ws = c.constant(1).shape();
        inH = x[0];
        inW = x[1];
        cin = x[2];
        cout = ws[0];
        kh = ws[1];
        kw = ws[2];
        outH = y[0];
        outW = y[1];
        int[] st = c.strides();
        int[] dil = c.attrs().getInts("dilations", new int[] {1, 1});
        int[] pads = c.attrs().getInts("pads", new int[4]);
        sh = st[0];
        sw = st[1];
        dh = dil[0];
        dw = dil[1];
        pt = pads[0];
        pl = pads[1];
        w = c.weightFloats(1);
        b = c.floatsOrZeros(2, cout);
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.sampleStride();
    }

    @Override
    public void run(Arena m, int from, int to) {
        float[] a = m.f;
        for (int s = from; s < to; s++) {
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    for (int oc = 0; oc < cout; oc++) {
                        double acc = b[oc];
                        for (int ky = 0; ky < kh; ky++) {
                            int ty = oy + pt - ky * dh;
                            if (ty < 0 || ty % sh != 0 || ty / sh >= inH) {
                                continue;
                            }
                            int iy = ty / sh;
                            for (int kx = 0; kx < kw; kx++) {
                                int tx = ox + pl - kx * dw;
                                if (tx < 0 || tx % sw != 0 || tx / sw >= inW) {
                                    continue;
                                }
                                int ix = tx / sw;
                                int xb = xOff + s * stride + (iy * inW + ix) * cin;
                                int wb = ((oc * kh + ky) * kw + kx) * cin;
                                for (int ic = 0; ic < cin; ic++) {
                                    acc += (double) a[xb + ic] * w[wb + ic];
                                }
                            }
                        }
                        a[yOff + s * stride + (oy * outW + ox) * cout + oc] = (float) acc;
                    }
                }
            }
        }
    }
}
