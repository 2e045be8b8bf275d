package dev.tern.runtime.vector;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

import static dev.tern.runtime.vector.ConvMicroKernels.endInterior;
import static dev.tern.runtime.vector.ConvMicroKernels.firstInterior;
import static dev.tern.runtime.vector.ConvMicroKernels.fourRows;
import static dev.tern.runtime.vector.ConvMicroKernels.sixRows;
import static dev.tern.runtime.vector.Lanes.F;

/**
 * Convolution as a GEMM over patches (im2col): every output pixel's window is copied, zeros
 * where it leaves the image, into one row of K = kh * kw * cin floats, and the micro-kernels of
 * {@link ConvMicroKernels} ({@code sixRows}, {@code fourRows}) run over those rows in blocks of
 * six pixels (32 vector registers) or four, for one block of 2L output channels at a time. Pointwise convolutions (1x1, stride 1,
 * no padding) need no copy: NHWC input is already that matrix.
 *
 * <p>It takes every node whose patch matrix is small enough and whose input has at least
 * {@link #MIN_COPY_CHANNELS} channels, and below that the nodes the direct kernel
 * ({@link Conv2d}) serves badly: small outputs, where
 * fewer than four pixels of a row have their window inside the image (ResNet's 4x4 and 2x2
 * stages, MobileNet's last 1x1 convolutions), so the direct kernel ran almost every pixel
 * alone and streamed the whole filter (megabytes there) once per pixel. Here each block of
 * output channels, its K x 2L weights packed contiguously, is read once per pixel block from
 * L1/L2. Pointwise convolutions of any size come here too: the pixels of the whole image form
 * the blocks, so no row end is recomputed. Filters are packed per block of output channels,
 * [tap 0 2L]...[tap K-1 2L], contiguous. Float accumulation in tap order, as the direct kernel:
 * tolerance against the reference by dot length.
 */
final class Conv2dPatches extends Kernel {
    /**
     * The largest patch matrix (floats of scratch) this kernel copies; beyond it the direct kernel
     * runs. The shipped teacher's 3x3 convolutions over 32 channels: at 18x18 (93k floats) 12%
     * faster as patches, at 36x36 (373k floats, past this limit) 19% slower (the copy's traffic).
     */
    static final int MAX_PATCH_FLOATS = 1 << 18;
    /**
     * Input channels from which the copy is cheap next to the FMAs it feeds (cout x kh x kw per
     * copied float run of cin): below, only outputs the direct kernel serves badly come here. A
     * 7x7 stem over 3 channels ran 2.3x slower as patches; ResNet-18's 3x3 convolutions over
     * 64 and 128 channels (16x16 and 8x8 outputs) ran 10% and 27% faster (six-pixel blocks,
     * no edge pixels).
     */
    static final int MIN_COPY_CHANNELS = 16;

    final OpContext.Window g;
    final int taps, pixels, rows, block, blocks, xOff, yOff, stride;
    /** Whether the input is the patch matrix itself (pointwise, at least one pixel block). */
    final boolean direct;
    /** Packed filter, per block of 2L output channels the K taps' weights: [blocks][K][2L]. */
    final float[] wb;
    /** The bias, zero past cout. */
    final float[] b;
    final float min, max;
    /** Pixels per block ({@link #group(OpContext.Window)}). */
    final int group;

    /** The kernel for a node the direct kernel serves badly, or null (the direct kernel takes it). */
    static Kernel create(OpContext c) {
        int[] ws = c.constant(1).shape();
        OpContext.Window g = c.window(ws[1], ws[2]);
        int group = group(g);
        return takes(g, group) ? new Conv2dPatches(c, g, group) : null;
    }

    /** Pixels per block: six with 32 vector registers, else four, and four for outputs of four pixels or fewer (2x2: six would compute two rows of zeros). */
    static int group(OpContext.Window g) {
        return Lanes.REGISTERS_32 && g.outH * g.outW > 4 ? 6 : 4;
    }

    /**
     * Whether the fp32 patch GEMM takes a node of this geometry (int8 has its own rule,
     * {@link Int8Conv2dPatches#create}): pointwise with
     * at least one pixel block, or a patch matrix of at most {@link #MAX_PATCH_FLOATS} for an
     * output of which the direct kernels would run more than a quarter of the pixels alone.
     */
    static boolean takes(OpContext.Window g, int group) {
        int pixels = g.outH * g.outW;
        if (pointwise(g) && pixels >= group) {
            return true;
        }
        long patch = (long) Math.max(pixels, group) * g.kh * g.kw * g.inC;
        return patch <= MAX_PATCH_FLOATS && (g.inC >= MIN_COPY_CHANNELS || 4 * directLonePixels(g) > pixels);
    }

    static boolean pointwise(OpContext.Window g) {
        return g.kh == 1 && g.kw == 1 && g.strideH == 1 && g.strideW == 1 && g.padTop == 0 && g.padLeft == 0
                && g.inH == g.outH && g.inW == g.outW;
    }

    /**
     * The output pixels {@link Conv2d} runs one at a time: those outside its four-pixel row
     * blocks and outside its four-row edge-column blocks.
     */
    static int directLonePixels(OpContext.Window g) {
        int first = firstInterior(g);
        int last = endInterior(g);
        int interior = last - first >= 4 ? last - first : 0;
        int rowFirst = Math.min(g.outH, (g.padTop + g.strideH - 1) / g.strideH);
        int spanH = g.inH - g.kh + g.padTop;
        int rowLast = spanH < 0 ? rowFirst : Math.max(rowFirst, Math.min(g.outH, spanH / g.strideH + 1));
        boolean columns = rowLast - rowFirst >= 4 && (first > 0 || last < g.outW);
        int edgeInColumns = columns ? (rowLast - rowFirst) * (g.outW - interior) : 0;
        return g.outH * (g.outW - interior) - edgeInColumns;
    }

    private Conv2dPatches(OpContext c, OpContext.Window g, int group) {
        this.g = g;
        this.group = group;
        taps = g.kh * g.kw * g.inC;
        pixels = g.outH * g.outW;
        direct = pointwise(g) && pixels >= group;
        rows = Math.max(pixels, group);
        block = 2 * F.length();
        blocks = (g.outC + block - 1) / block;
        wb = pack(c.weightFloats(1), g.outC, taps, block);
        b = new float[blocks * block];
        System.arraycopy(c.floatsOrZeros(2, g.outC), 0, b, 0, g.outC);
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.sampleStride();
        min = c.activation().min();
        max = c.activation().max();
    }

    /** Filter w [cout][taps] packed per block of {@code block} output channels, tap by tap: [blocks][taps][block], zero past cout. */
    static float[] pack(float[] w, int cout, int taps, int block) {
        float[] wb = new float[(cout + block - 1) / block * block * taps];
        for (int oc = 0; oc < cout; oc++) {
            for (int t = 0; t < taps; t++) {
                wb[(oc / block * taps + t) * block + oc % block] = w[oc * taps + t];
            }
        }
        return wb;
    }

    @Override
    public int scratchFloats() {
        return Lanes.SUMS + (direct ? 0 : rows * taps);
    }

    @Override
    public void run(Arena m, int from, int to) {
        final float[] a = m.f;
        final float[] t = m.fs;
        final int cout = g.outC;
        final int span = taps * block;
        final int lanes = F.length();
        for (int s = from; s < to; s++) {
            final int ys = yOff + s * stride;
            final float[] x;
            final int x0;
            if (direct) {
                x = a;
                x0 = xOff + s * stride;
            } else {
                patches(a, xOff + s * stride, t, Lanes.SUMS);
                x = t;
                x0 = Lanes.SUMS;
            }
            final int kept = Math.min(pixels, group);
            for (int ob = 0; ob < blocks; ob++) {
                final int oc = ob * block;
                final int n = Math.min(block, cout - oc);
                final int wo = ob * span;
                for (int p0 = 0; p0 < rows; p0 += group) {
                    int p = Math.min(p0, rows - group); // the last block overlaps the one before
                    int base = x0 + p * taps;
                    if (group == 6) {
                        sixRows(x, wb, wo, b, oc, base, taps, 0, taps, t);
                    } else {
                        fourRows(x, wb, wo, b, oc, base, taps, 0, taps, t);
                    }
                    for (int q = 0; q < kept; q++) {
                        int yo = ys + (p + q) * cout + oc;
                        if (n == block) {
                            Conv2d.store(t, block * q, a, yo, min, max);
                            Conv2d.store(t, block * q + lanes, a, yo + lanes, min, max);
                        } else {
                            for (int o = 0; o < n; o++) {
                                a[yo + o] = Math.min(Math.max(t[block * q + o], min), max);
                            }
                        }
                    }
                }
            }
        }
    }

    private void patches(float[] a, int xs, float[] t, int at) {
        patches(g, rows, a, xs, t, at);
    }

    /**
     * The patch rows of one sample (its input at a[xs ..)) into t[at ..): row p = pixel p's
     * window, ky, kx, ic order, zeros outside the image; rows from the last pixel's to
     * {@code rows} zero.
     */
    static void patches(OpContext.Window g, int rows, float[] a, int xs, float[] t, int at) {
        final int taps = g.kh * g.kw * g.inC;
        final int cin = g.inC;
        int r = at;
        for (int oy = 0; oy < g.outH; oy++) {
            for (int ox = 0; ox < g.outW; ox++) {
                for (int ky = 0; ky < g.kh; ky++) {
                    int iy = oy * g.strideH - g.padTop + ky;
                    for (int kx = 0; kx < g.kw; kx++) {
                        int ix = ox * g.strideW - g.padLeft + kx;
                        if (iy >= 0 && iy < g.inH && ix >= 0 && ix < g.inW) {
                            System.arraycopy(a, xs + (iy * g.inW + ix) * cin, t, r, cin);
                        } else {
                            java.util.Arrays.fill(t, r, r + cin, 0f);
                        }
                        r += cin;
                    }
                }
            }
        }
        java.util.Arrays.fill(t, r, at + rows * taps, 0f);
    }
}
