package dev.tern.runtime.vector;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import static dev.tern.runtime.vector.Lanes.F;
import static dev.tern.runtime.vector.ConvMicroKernels.firstInterior;
import static dev.tern.runtime.vector.ConvMicroKernels.endInterior;
import static dev.tern.runtime.vector.ConvMicroKernels.tapOffsets;
import static dev.tern.runtime.vector.ConvMicroKernels.fourPixels;
import static dev.tern.runtime.vector.ConvMicroKernels.tapClass;
import static dev.tern.runtime.vector.ConvMicroKernels.edgeTaps;
import static dev.tern.runtime.vector.ConvMicroKernels.onePixel;
import static dev.tern.runtime.vector.ConvMicroKernels.fourPixelsList;

/**
 * Direct NHWC convolution, register-blocked: for four output pixels of a row and two
 * vectors of output channels (2L), eight FMA accumulators; per tap and input channel two
 * weight-vector loads feed eight FMAs. The filter is packed at load to
 * [kh * kw * cin][coutPad], coutPad = cout rounded up to 2L and zero-filled. Pixels whose
 * horizontal taps leave the image, and the rest of a row, take the one-pixel path.
 * Channels past cout are computed on zero weights and not stored (a partial last block
 * goes through scratch). Everything stays in one method so C2 keeps the accumulators in
 * registers. Float accumulation order differs from the reference: tolerance by dot length.
 */
final class Conv2d extends Kernel {
    final OpContext.Window g;
    final float[] wp;
    final float[] b;
    final int coutPad, xOff, yOff, stride, first, last;
    /**
     * Output rows whose windows are whole vertically: [rowFirst, rowLast). When there are at
     * least four, the edge columns' pixels in those rows run four rows at a time over the
     * column's tap list ({@link #edgeColumns}) instead of one pixel at a time.
     */
    final int rowFirst, rowLast;
    final boolean columns;
    final float min, max;
    final boolean clamp;
    /** Input offset of tap j = (ky * kw + kx) * cin + ic from a pixel's top-left input: (ky * inW + kx) * cin + ic. */
    final int[] tapOff;
    /** {@link ConvMicroKernels#edgeTaps}: the tap lists of the one-pixel path. */
    final int[][] edge;

    Conv2d(OpContext c) {
        int[] ws = c.constant(1).shape();
        g = c.window(ws[1], ws[2]);
        int block = 2 * F.length();
        coutPad = (g.outC + block - 1) / block * block;
        int taps = g.kh * g.kw * g.inC;
        float[] w = c.weightFloats(1);
        wp = new float[taps * coutPad];
        for (int oc = 0; oc < g.outC; oc++) {
            for (int t = 0; t < taps; t++) {
                wp[t * coutPad + oc] = w[oc * taps + t];
            }
        }
        b = new float[coutPad];
        System.arraycopy(c.floatsOrZeros(2, g.outC), 0, b, 0, g.outC);
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.sampleStride();
        min = c.activation().min();
        max = c.activation().max();
        clamp = min != Float.NEGATIVE_INFINITY || max != Float.POSITIVE_INFINITY;
        tapOff = tapOffsets(g);
        first = firstInterior(g);
        last = endInterior(g);
        edge = edgeTaps(g, coutPad);
        rowFirst = Math.min(g.outH, (g.padTop + g.strideH - 1) / g.strideH);
        int spanH = g.inH - g.kh + g.padTop;
        rowLast = spanH < 0 ? rowFirst : Math.max(rowFirst, Math.min(g.outH, spanH / g.strideH + 1));
        columns = rowLast - rowFirst >= 4 && (first > 0 || last < g.outW);
    }

    @Override
    public int scratchFloats() {
        return 8 * F.length();
    }

    @Override
    public void run(Arena m, int from, int to) {
        final float[] a = m.f;
        final float[] t = m.fs;
        final int lanes = F.length();
        final int cin = g.inC;
        final int cout = g.outC;
        final int kw = g.kw;
        for (int s = from; s < to; s++) {
            final int xs = xOff + s * stride;
            final int ys = yOff + s * stride;
            for (int oy = 0; oy < g.outH; oy++) {
                int ky0 = Math.max(0, g.padTop - oy * g.strideH);
                int ky1 = Math.min(g.kh, g.inH + g.padTop - oy * g.strideH);
                int ox = 0;
                while (ox < g.outW) {
                    if (ox >= first && ox < last && ox + 4 > last && last - first >= 4) {
                        // the row's last interior block overlaps the previous one (those pixels get
                        // the same values again) instead of leaving one to three for the slow path
                        ox = last - 4;
                    }
                    boolean four = ox >= first && ox + 4 <= last;
                    int px = four ? 4 : 1;
                    int kx0 = Math.max(0, g.padLeft - ox * g.strideW);
                    int kx1 = Math.min(kw, g.inW + g.padLeft - ox * g.strideW);
                    int step = four ? g.strideW * cin : 0;
                    int base = xs + ((oy * g.strideH - g.padTop) * g.inW + ox * g.strideW - g.padLeft) * cin;
                    int[] taps = four ? null : edge[tapClass(g, ky0, Math.max(ky0, ky1), kx0, Math.max(kx0, kx1))];
                    for (int oc = 0; oc < coutPad; oc += 2 * lanes) {
                        int yo = ys + (oy * g.outW + ox) * cout + oc;
                        int n = Math.min(2 * lanes, cout - oc);
                        if (four) {
                            four(a, t, base, step, ky0 * kw * cin, ky1 * kw * cin, oc, yo, n);
                        } else if (n == 2 * lanes) {
                            if (columns && oy >= rowFirst && oy < rowLast) {
                                continue; // edgeColumns
                            }
                            onePixel(a, wp, b, taps, base, oc, t);
                            for (int o = 0; o < n; o++) {
                                a[yo + o] = Math.min(Math.max(t[o], min), max);
                            }
                        } else {
                            for (int p = 0; p < n; p++) {
                                t[p] = b[oc + p];
                            }
                            one(a, t, xs, oy, ox, ky0, ky1, kx0, kx1, oc, yo, n);
                        }
                    }
                    ox += px;
                }
            }
            if (columns) {
                edgeColumns(a, t, xs, ys);
            }
        }
    }

    /**
     * The edge columns' pixels in rows [rowFirst, rowLast), full channel blocks: four rows at
     * a time over the column's tap list (the last group overlaps the one before rather than
     * leaving one to three rows), so they run at the four-pixel kernel's rate; the one-pixel
     * path took about 15% of the fp32 teacher for 9% of its multiply-adds.
     */
    private void edgeColumns(float[] a, float[] t, int xs, int ys) {
        final int lanes = F.length();
        final int cin = g.inC;
        final int cout = g.outC;
        final int full = g.outC / (2 * lanes) * (2 * lanes);
        final int step = g.strideH * g.inW * cin;
        for (int ox = 0; ox < g.outW; ox++) {
            if (ox == first && last - first >= 4) { // the row loop ran these four at a time
                ox = last;
                if (ox >= g.outW) {
                    break;
                }
            }
            int kx0 = Math.max(0, g.padLeft - ox * g.strideW);
            int kx1 = Math.max(kx0, Math.min(g.kw, g.inW + g.padLeft - ox * g.strideW));
            int[] taps = edge[tapClass(g, 0, g.kh, kx0, kx1)];
            for (int oy = rowFirst; oy < rowLast; oy += 4) {
                int y = Math.min(oy, rowLast - 4);
                int base = xs + ((y * g.strideH - g.padTop) * g.inW + ox * g.strideW - g.padLeft) * cin;
                for (int oc = 0; oc < full; oc += 2 * lanes) {
                    fourPixelsList(a, wp, b, taps, base, step, oc, t);
                    for (int p = 0; p < 4; p++) {
                        int yo = ys + ((y + p) * g.outW + ox) * cout + oc;
                        store(t, 2 * lanes * p, a, yo);
                        store(t, 2 * lanes * p + lanes, a, yo + lanes);
                    }
                }
            }
        }
    }

    /**
     * Four interior pixels, channels [oc, oc + n): {@link ConvMicroKernels#fourPixels} from the bias, then
     * the copy into the output and the fused activation.
     */
    private void four(float[] a, float[] t, int base, int step, int j0, int j1, int oc, int yo, int n) {
        final int lanes = F.length();
        final int cout = g.outC;
        fourPixels(a, wp, b, tapOff, coutPad, base, step, j0, j1, oc, t);
        if (n == 2 * lanes) {
            for (int p = 0; p < 4; p++) {
                store(t, 2 * lanes * p, a, yo + p * cout);
                store(t, 2 * lanes * p + lanes, a, yo + p * cout + lanes);
            }
            return;
        }
        for (int p = 0; p < 4; p++) {
            System.arraycopy(t, 2 * lanes * p, a, yo + p * cout, n);
        }
        if (clamp) {
            for (int p = 0; p < 4; p++) {
                clamp(a, yo + p * cout, n);
            }
        }
    }

    /**
     * One vector of sums from t[tp ..) into a[yo ..) with the fused activation, as blends:
     * v <= min gives min and v >= max gives max, which is Math.min(Math.max(v, min), max)
     * for every v, NaN and -0 included, since min is +0 or -Inf and max is 6 or +Inf
     * (FloatVector.max and min pulled paths C2 on JDK 17 did not inline, boxing every vector).
     */
    private void store(float[] t, int tp, float[] a, int yo) {
        store(t, tp, a, yo, min, max);
    }

    /** {@link #store(float[], int, float[], int)} with the activation's bounds given. */
    static void store(float[] t, int tp, float[] a, int yo, float min, float max) {
        FloatVector v = FloatVector.fromArray(F, t, tp);
        v = v.blend(min, v.compare(VectorOperators.LE, min));
        v.blend(max, v.compare(VectorOperators.GE, max)).intoArray(a, yo);
    }

    /** The fused activation, scalar: Vector API min/max pulled IntVector paths C2 did not inline (boxing every vector). */
    private void clamp(float[] a, int from, int n) {
        for (int i = from; i < from + n; i++) {
            a[i] = Math.min(Math.max(a[i], min), max);
        }
    }

    /**
     * One pixel (any bounds), channels [oc, oc + n) of a last block narrower than 2L:
     * scalar, accumulating in t[0, n) (which holds the bias on entry).
     */
    private void one(float[] a, float[] t, int xs, int oy, int ox, int ky0, int ky1, int kx0, int kx1, int oc, int yo,
                     int n) {
        final int cin = g.inC;
        for (int ky = ky0; ky < ky1; ky++) {
            int rowBase = xs + ((oy * g.strideH - g.padTop + ky) * g.inW + ox * g.strideW - g.padLeft) * cin;
            for (int kx = kx0; kx < kx1; kx++) {
                int xp = rowBase + kx * cin;
                int wrow = (ky * g.kw + kx) * cin * coutPad + oc;
                for (int ic = 0; ic < cin; ic++) {
                    float xv = a[xp + ic];
                    for (int o = 0; o < n; o++) {
                        t[o] += xv * wp[wrow + o];
                    }
                    wrow += coutPad;
                }
            }
        }
        for (int o = 0; o < n; o++) {
            a[yo + o] = Math.min(Math.max(t[o], min), max);
        }
    }


}
