package dev.tern.runtime.vector;

import dev.tern.runtime.internal.OpContext;
import jdk.incubator.vector.FloatVector;

import static dev.tern.runtime.vector.Lanes.F;

/**
 * The convolutions' shared micro-kernels and tap geometry (fp32 and the int8 float path): register
 * blocks of six, four, two or one output pixels by two vectors of output channels over a flat
 * list of taps, and the tap lists of edge pixels built at load. Kept as small static methods so
 * that C2 (JDK 17) inlines every vector operation and boxes none.
 */
final class ConvMicroKernels {
    private ConvMicroKernels() {
    }

    /** First output column whose leftmost tap is in bounds. */
    static int firstInterior(OpContext.Window g) {
        return Math.min(g.outW, (g.padLeft + g.strideW - 1) / g.strideW);
    }

    /** One past the last output column whose rightmost tap is in bounds (ox * strideW <= inW - kw + padLeft). */
    static int endInterior(OpContext.Window g) {
        int first = firstInterior(g);
        int span = g.inW - g.kw + g.padLeft;
        return span < 0 ? first : Math.max(first, Math.min(g.outW, span / g.strideW + 1));
    }

    /** Input offset of tap j = (ky * kw + kx) * cin + ic from a pixel's top-left input: (ky * inW + kx) * cin + ic. */
    static int[] tapOffsets(OpContext.Window g) {
        int[] off = new int[g.kh * g.kw * g.inC];
        for (int ky = 0; ky < g.kh; ky++) {
            for (int kx = 0; kx < g.kw; kx++) {
                for (int ic = 0; ic < g.inC; ic++) {
                    off[(ky * g.kw + kx) * g.inC + ic] = (ky * g.inW + kx) * g.inC + ic;
                }
            }
        }
        return off;
    }

    /**
     * The convolutions' micro-kernel: four output pixels x two vectors of channels [oc, oc + 2L),
     * eight FMA accumulators starting from init[oc ..), over taps [j0, j1) of the packed
     * weights w [taps][coutPad]; pixel p's tap j reads x[base + off[j] + p * step]. The sums go
     * to t[0, 8L) (pixel p at 2L * p). One flat loop over the taps, kept small so C2 (JDK 17)
     * inlines every vector operation and boxes none (a nested kh x kw x cin loop boxed them).
     * {@code x} and {@code t} may be the same array when the inputs lie beyond t's first 8L.
     */
    static void fourPixels(float[] x, float[] w, float[] init, int[] off, int coutPad, int base, int step, int j0, int j1,
                           int oc, float[] t) {
        final int lanes = F.length();
        FloatVector a0 = FloatVector.fromArray(F, init, oc);
        FloatVector b0 = FloatVector.fromArray(F, init, oc + lanes);
        FloatVector a1 = a0;
        FloatVector b1 = b0;
        FloatVector a2 = a0;
        FloatVector b2 = b0;
        FloatVector a3 = a0;
        FloatVector b3 = b0;
        for (int j = j0; j < j1; j++) {
            int wrow = j * coutPad + oc;
            int xp = base + off[j];
            FloatVector wa = FloatVector.fromArray(F, w, wrow);
            FloatVector wb = FloatVector.fromArray(F, w, wrow + lanes);
            FloatVector x0 = FloatVector.broadcast(F, x[xp]);
            FloatVector x1 = FloatVector.broadcast(F, x[xp + step]);
            FloatVector x2 = FloatVector.broadcast(F, x[xp + 2 * step]);
            FloatVector x3 = FloatVector.broadcast(F, x[xp + 3 * step]);
            a0 = wa.fma(x0, a0);
            b0 = wb.fma(x0, b0);
            a1 = wa.fma(x1, a1);
            b1 = wb.fma(x1, b1);
            a2 = wa.fma(x2, a2);
            b2 = wb.fma(x2, b2);
            a3 = wa.fma(x3, a3);
            b3 = wb.fma(x3, b3);
        }
        a0.intoArray(t, 0);
        b0.intoArray(t, lanes);
        a1.intoArray(t, 2 * lanes);
        b1.intoArray(t, 3 * lanes);
        a2.intoArray(t, 4 * lanes);
        b2.intoArray(t, 5 * lanes);
        a3.intoArray(t, 6 * lanes);
        b3.intoArray(t, 7 * lanes);
    }

    /**
     * {@link #fourPixels} for two pixels: their sums in t[0, 4L) (pixel p at 2L * p). For the
     * last two of a row whose width is not a multiple of four, which four-pixel blocks would
     * reach only by recomputing pixels (an 18-pixel row cost 20).
     */
    static void twoPixels(float[] x, float[] w, float[] init, int[] off, int coutPad, int base, int step, int j0, int j1,
                          int oc, float[] t) {
        final int lanes = F.length();
        FloatVector a0 = FloatVector.fromArray(F, init, oc);
        FloatVector b0 = FloatVector.fromArray(F, init, oc + lanes);
        FloatVector a1 = a0;
        FloatVector b1 = b0;
        for (int j = j0; j < j1; j++) {
            int wrow = j * coutPad + oc;
            int xp = base + off[j];
            FloatVector wa = FloatVector.fromArray(F, w, wrow);
            FloatVector wb = FloatVector.fromArray(F, w, wrow + lanes);
            FloatVector x0 = FloatVector.broadcast(F, x[xp]);
            FloatVector x1 = FloatVector.broadcast(F, x[xp + step]);
            a0 = wa.fma(x0, a0);
            b0 = wb.fma(x0, b0);
            a1 = wa.fma(x1, a1);
            b1 = wb.fma(x1, b1);
        }
        a0.intoArray(t, 0);
        b0.intoArray(t, lanes);
        a1.intoArray(t, 2 * lanes);
        b1.intoArray(t, 3 * lanes);
    }

    /**
     * {@link #fourPixels} for six pixels: twelve accumulators, their sums in t[0, 12L) (pixel p
     * at 2L * p). Per tap two weight loads feed twelve FMAs (four pixels: eight), and rows of
     * 18 or 36 pixels (and pooled rows of 9) split into whole blocks. Only where the machine
     * has 32 vector registers ({@link Lanes#REGISTERS_32}): with 16 the accumulators would spill. The last
     * three pixels are read from xp + 3 step: with five step multiples live, C2 on JDK 17 ran
     * short of general registers and in about three JVMs of five compiled a loop 15% slower
     * (JDK 25 never did); with three, about one in ten.
     */
    static void sixPixels(float[] x, float[] w, float[] init, int[] off, int coutPad, int base, int step, int j0, int j1,
                          int oc, float[] t) {
        final int lanes = F.length();
        FloatVector a0 = FloatVector.fromArray(F, init, oc);
        FloatVector b0 = FloatVector.fromArray(F, init, oc + lanes);
        FloatVector a1 = a0;
        FloatVector b1 = b0;
        FloatVector a2 = a0;
        FloatVector b2 = b0;
        FloatVector a3 = a0;
        FloatVector b3 = b0;
        FloatVector a4 = a0;
        FloatVector b4 = b0;
        FloatVector a5 = a0;
        FloatVector b5 = b0;
        final int step3 = 3 * step;
        for (int j = j0; j < j1; j++) {
            int wrow = j * coutPad + oc;
            int xp = base + off[j];
            FloatVector wa = FloatVector.fromArray(F, w, wrow);
            FloatVector wb = FloatVector.fromArray(F, w, wrow + lanes);
            FloatVector x0 = FloatVector.broadcast(F, x[xp]);
            FloatVector x1 = FloatVector.broadcast(F, x[xp + step]);
            FloatVector x2 = FloatVector.broadcast(F, x[xp + 2 * step]);
            a0 = wa.fma(x0, a0);
            b0 = wb.fma(x0, b0);
            a1 = wa.fma(x1, a1);
            b1 = wb.fma(x1, b1);
            a2 = wa.fma(x2, a2);
            b2 = wb.fma(x2, b2);
            int xq = xp + step3;
            FloatVector x3 = FloatVector.broadcast(F, x[xq]);
            FloatVector x4 = FloatVector.broadcast(F, x[xq + step]);
            FloatVector x5 = FloatVector.broadcast(F, x[xq + 2 * step]);
            a3 = wa.fma(x3, a3);
            b3 = wb.fma(x3, b3);
            a4 = wa.fma(x4, a4);
            b4 = wb.fma(x4, b4);
            a5 = wa.fma(x5, a5);
            b5 = wb.fma(x5, b5);
        }
        a0.intoArray(t, 0);
        b0.intoArray(t, lanes);
        a1.intoArray(t, 2 * lanes);
        b1.intoArray(t, 3 * lanes);
        a2.intoArray(t, 4 * lanes);
        b2.intoArray(t, 5 * lanes);
        a3.intoArray(t, 6 * lanes);
        b3.intoArray(t, 7 * lanes);
        a4.intoArray(t, 8 * lanes);
        b4.intoArray(t, 9 * lanes);
        a5.intoArray(t, 10 * lanes);
        b5.intoArray(t, 11 * lanes);
    }

    /**
     * {@link #sixPixels} over contiguous rows (the patch GEMM's): pixel p's tap j reads
     * x[base + p step + j], the weights of tap j are w[wo + 2L j ..) (a [taps][2L] block), sums
     * start from init[oc ..). Without the tap-offset load the loop issues one load fewer per
     * tap.
     */
    static void sixRows(float[] x, float[] w, int wo, float[] init, int oc, int base, int step, int j0, int j1,
                        float[] t) {
        final int lanes = F.length();
        FloatVector a0 = FloatVector.fromArray(F, init, oc);
        FloatVector b0 = FloatVector.fromArray(F, init, oc + lanes);
        FloatVector a1 = a0;
        FloatVector b1 = b0;
        FloatVector a2 = a0;
        FloatVector b2 = b0;
        FloatVector a3 = a0;
        FloatVector b3 = b0;
        FloatVector a4 = a0;
        FloatVector b4 = b0;
        FloatVector a5 = a0;
        FloatVector b5 = b0;
        final int step3 = 3 * step;
        for (int j = j0; j < j1; j++) {
            int wrow = wo + j * 2 * lanes;
            int xp = base + j;
            FloatVector wa = FloatVector.fromArray(F, w, wrow);
            FloatVector wb = FloatVector.fromArray(F, w, wrow + lanes);
            FloatVector x0 = FloatVector.broadcast(F, x[xp]);
            FloatVector x1 = FloatVector.broadcast(F, x[xp + step]);
            FloatVector x2 = FloatVector.broadcast(F, x[xp + 2 * step]);
            a0 = wa.fma(x0, a0);
            b0 = wb.fma(x0, b0);
            a1 = wa.fma(x1, a1);
            b1 = wb.fma(x1, b1);
            a2 = wa.fma(x2, a2);
            b2 = wb.fma(x2, b2);
            int xq = xp + step3;
            FloatVector x3 = FloatVector.broadcast(F, x[xq]);
            FloatVector x4 = FloatVector.broadcast(F, x[xq + step]);
            FloatVector x5 = FloatVector.broadcast(F, x[xq + 2 * step]);
            a3 = wa.fma(x3, a3);
            b3 = wb.fma(x3, b3);
            a4 = wa.fma(x4, a4);
            b4 = wb.fma(x4, b4);
            a5 = wa.fma(x5, a5);
            b5 = wb.fma(x5, b5);
        }
        a0.intoArray(t, 0);
        b0.intoArray(t, lanes);
        a1.intoArray(t, 2 * lanes);
        b1.intoArray(t, 3 * lanes);
        a2.intoArray(t, 4 * lanes);
        b2.intoArray(t, 5 * lanes);
        a3.intoArray(t, 6 * lanes);
        b3.intoArray(t, 7 * lanes);
        a4.intoArray(t, 8 * lanes);
        b4.intoArray(t, 9 * lanes);
        a5.intoArray(t, 10 * lanes);
        b5.intoArray(t, 11 * lanes);
    }

    /** {@link #sixRows} for four pixels: sums into t[0, 8L). */
    static void fourRows(float[] x, float[] w, int wo, float[] init, int oc, int base, int step, int j0, int j1,
                         float[] t) {
        final int lanes = F.length();
        FloatVector a0 = FloatVector.fromArray(F, init, oc);
        FloatVector b0 = FloatVector.fromArray(F, init, oc + lanes);
        FloatVector a1 = a0;
        FloatVector b1 = b0;
        FloatVector a2 = a0;
        FloatVector b2 = b0;
        FloatVector a3 = a0;
        FloatVector b3 = b0;
        for (int j = j0; j < j1; j++) {
            int wrow = wo + j * 2 * lanes;
            int xp = base + j;
            FloatVector wa = FloatVector.fromArray(F, w, wrow);
            FloatVector wb = FloatVector.fromArray(F, w, wrow + lanes);
            FloatVector x0 = FloatVector.broadcast(F, x[xp]);
            FloatVector x1 = FloatVector.broadcast(F, x[xp + step]);
            FloatVector x2 = FloatVector.broadcast(F, x[xp + 2 * step]);
            FloatVector x3 = FloatVector.broadcast(F, x[xp + 3 * step]);
            a0 = wa.fma(x0, a0);
            b0 = wb.fma(x0, b0);
            a1 = wa.fma(x1, a1);
            b1 = wb.fma(x1, b1);
            a2 = wa.fma(x2, a2);
            b2 = wb.fma(x2, b2);
            a3 = wa.fma(x3, a3);
            b3 = wb.fma(x3, b3);
        }
        a0.intoArray(t, 0);
        b0.intoArray(t, lanes);
        a1.intoArray(t, 2 * lanes);
        b1.intoArray(t, 3 * lanes);
        a2.intoArray(t, 4 * lanes);
        b2.intoArray(t, 5 * lanes);
        a3.intoArray(t, 6 * lanes);
        b3.intoArray(t, 7 * lanes);
    }

    /** Index of a pixel's tap class: the in-bounds window rows [ky0, ky1) and columns [kx0, kx1). */
    static int tapClass(OpContext.Window g, int ky0, int ky1, int kx0, int kx1) {
        return ((ky0 * (g.kh + 1) + ky1) * (g.kw + 1) + kx0) * (g.kw + 1) + kx1;
    }

    /**
     * Per tap class that occurs among the output pixels, the pairs (input offset from the
     * pixel's top-left tap, weight-row offset in the packed [taps][coutPad] filter) of its
     * in-bounds taps, ky, kx, ic order. Built at load, so an edge pixel runs one flat loop over
     * a ready list (building it per pixel cost as much as the pixel's FMAs).
     */
    static int[][] edgeTaps(OpContext.Window g, int coutPad) {
        return edgeTaps(g, coutPad, g.inC);
    }

    /**
     * {@link #edgeTaps(OpContext.Window, int)} over the first {@code channels} input channels of
     * each tap, its weight row ((ky * kw + kx) * channels + ic) * coutPad: all of them for a
     * convolution, one for a depthwise convolution (whose taps then are (input offset of the
     * tap's channel 0, weight row of the tap)).
     */
    static int[][] edgeTaps(OpContext.Window g, int coutPad, int channels) {
        int[][] lists = new int[(g.kh + 1) * (g.kh + 1) * (g.kw + 1) * (g.kw + 1)][];
        for (int oy = 0; oy < g.outH; oy++) {
            int ky0 = Math.max(0, g.padTop - oy * g.strideH);
            int ky1 = Math.max(ky0, Math.min(g.kh, g.inH + g.padTop - oy * g.strideH));
            for (int ox = 0; ox < g.outW; ox++) {
                int kx0 = Math.max(0, g.padLeft - ox * g.strideW);
                int kx1 = Math.max(kx0, Math.min(g.kw, g.inW + g.padLeft - ox * g.strideW));
                int cls = tapClass(g, ky0, ky1, kx0, kx1);
                if (lists[cls] != null) {
                    continue;
                }
                int[] l = new int[2 * (ky1 - ky0) * (kx1 - kx0) * channels];
                int k = 0;
                for (int ky = ky0; ky < ky1; ky++) {
                    for (int kx = kx0; kx < kx1; kx++) {
                        for (int ic = 0; ic < channels; ic++) {
                            l[k++] = (ky * g.inW + kx) * g.inC + ic;
                            l[k++] = ((ky * g.kw + kx) * channels + ic) * coutPad;
                        }
                    }
                }
                lists[cls] = l;
            }
        }
        return lists;
    }

    /**
     * One pixel, channels [oc, oc + 2L), over its tap list: sums into t[0, 2L), starting from
     * init[oc ..). Even and odd taps go to separate accumulator pairs (four FMA chains instead of
     * two: a single pixel has no other independent work to hide the FMA latency behind).
     */
    static void onePixel(float[] x, float[] w, float[] init, int[] list, int anchor, int oc, float[] t) {
        final int lanes = F.length();
        FloatVector a0 = FloatVector.fromArray(F, init, oc);
        FloatVector b0 = FloatVector.fromArray(F, init, oc + lanes);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector b1 = a1;
        final int n = list.length;
        int k = 0;
        for (; k + 4 <= n; k += 4) {
            FloatVector x0 = FloatVector.broadcast(F, x[anchor + list[k]]);
            int w0 = list[k + 1] + oc;
            FloatVector x1 = FloatVector.broadcast(F, x[anchor + list[k + 2]]);
            int w1 = list[k + 3] + oc;
            a0 = FloatVector.fromArray(F, w, w0).fma(x0, a0);
            b0 = FloatVector.fromArray(F, w, w0 + lanes).fma(x0, b0);
            a1 = FloatVector.fromArray(F, w, w1).fma(x1, a1);
            b1 = FloatVector.fromArray(F, w, w1 + lanes).fma(x1, b1);
        }
        if (k < n) {
            FloatVector x0 = FloatVector.broadcast(F, x[anchor + list[k]]);
            int w0 = list[k + 1] + oc;
            a0 = FloatVector.fromArray(F, w, w0).fma(x0, a0);
            b0 = FloatVector.fromArray(F, w, w0 + lanes).fma(x0, b0);
        }
        a0.add(a1).intoArray(t, 0);
        b0.add(b1).intoArray(t, lanes);
    }

    /**
     * Four pixels sharing one tap list (an edge column's pixels in four rows whose windows are
     * whole vertically): pixel p's tap reads x[anchor + list[k] + p * step]; sums into t[0, 8L)
     * (pixel p at 2L * p) from init[oc ..), as {@link #fourPixels}.
     */
    static void fourPixelsList(float[] x, float[] w, float[] init, int[] list, int anchor, int step, int oc, float[] t) {
        final int lanes = F.length();
        FloatVector a0 = FloatVector.fromArray(F, init, oc);
        FloatVector b0 = FloatVector.fromArray(F, init, oc + lanes);
        FloatVector a1 = a0;
        FloatVector b1 = b0;
        FloatVector a2 = a0;
        FloatVector b2 = b0;
        FloatVector a3 = a0;
        FloatVector b3 = b0;
        final int n = list.length;
        for (int k = 0; k < n; k += 2) {
            int xp = anchor + list[k];
            int wrow = list[k + 1] + oc;
            FloatVector wa = FloatVector.fromArray(F, w, wrow);
            FloatVector wb = FloatVector.fromArray(F, w, wrow + lanes);
            FloatVector x0 = FloatVector.broadcast(F, x[xp]);
            FloatVector x1 = FloatVector.broadcast(F, x[xp + step]);
            FloatVector x2 = FloatVector.broadcast(F, x[xp + 2 * step]);
            FloatVector x3 = FloatVector.broadcast(F, x[xp + 3 * step]);
            a0 = wa.fma(x0, a0);
            b0 = wb.fma(x0, b0);
            a1 = wa.fma(x1, a1);
            b1 = wb.fma(x1, b1);
            a2 = wa.fma(x2, a2);
            b2 = wb.fma(x2, b2);
            a3 = wa.fma(x3, a3);
            b3 = wb.fma(x3, b3);
        }
        a0.intoArray(t, 0);
        b0.intoArray(t, lanes);
        a1.intoArray(t, 2 * lanes);
        b1.intoArray(t, 3 * lanes);
        a2.intoArray(t, 4 * lanes);
        b2.intoArray(t, 5 * lanes);
        a3.intoArray(t, 6 * lanes);
        b3.intoArray(t, 7 * lanes);
    }
}
