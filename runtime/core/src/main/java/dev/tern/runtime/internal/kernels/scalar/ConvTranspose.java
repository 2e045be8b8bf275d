package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/**
 * {@code f32-conv_transpose-scalar}: NHWC transposed convolution as a scatter, on the
 * reference's geometry. The output starts as the bias at every pixel; then every input pixel
 * (iy, ix) adds, for every tap (ky, kx) that lands inside the output (oy = iy sh - pad_top +
 * ky dh, ox alike: bounds resolved per tap, outside the inner loops), x[iy][ix][ic] times the
 * tap's filter row over the output channels: y[oy][ox][0, cout) += x * Wp[(ky kw + kx) cin + ic]
 * (same index, contiguous: the axpy C2 and ART vectorize; the scalar Conv2d's rows, the filter
 * transposed to [kh][kw][cin][cout] at load). Float accumulation in the output, in input-pixel
 * order rather than the reference's tap order (double): within the tolerance of a dot product
 * of the taps that reach one output, ceil(kh / sh) ceil(kw / sw) cin for dilation 1. No scratch.
 */
public final class ConvTranspose extends Kernel {
    final dev.tern.runtime.internal.kernels.reference.ConvTranspose g;
    final float[][] wp;

    public ConvTranspose(OpContext c) {
        g = new dev.tern.runtime.internal.kernels.reference.ConvTranspose(c);
        wp = Conv2d.rows(g.w, g.cout, g.kh * g.kw * g.cin);
    }

    @Override
    public void run(Arena m, int from, int to) {
        final float[] a = m.f;
        final int cin = g.cin;
        final int cout = g.cout;
        for (int s = from; s < to; s++) {
            final int xs = g.xOff + s * g.stride;
            final int ys = g.yOff + s * g.stride;
            for (int p = 0; p < g.outH * g.outW; p++) {
                System.arraycopy(g.b, 0, a, ys + p * cout, cout);
            }
            for (int iy = 0; iy < g.inH; iy++) {
                for (int ky = 0; ky < g.kh; ky++) {
                    final int oy = iy * g.sh - g.pt + ky * g.dh;
                    if (oy < 0 || oy >= g.outH) {
                        continue;
                    }
                    for (int ix = 0; ix < g.inW; ix++) {
                        final int xp = xs + (iy * g.inW + ix) * cin;
                        for (int kx = 0; kx < g.kw; kx++) {
                            final int ox = ix * g.sw - g.pl + kx * g.dw;
                            if (ox < 0 || ox >= g.outW) {
                                continue;
                            }
                            final int yp = ys + (oy * g.outW + ox) * cout;
                            final int tap = (ky * g.kw + kx) * cin;
                            for (int ic = 0; ic < cin; ic++) {
                                final float xv = a[xp + ic];
                                final float[] row = wp[tap + ic];
                                for (int oc = 0; oc < cout; oc++) {
                                    a[yp + oc] += xv * row[oc];
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
