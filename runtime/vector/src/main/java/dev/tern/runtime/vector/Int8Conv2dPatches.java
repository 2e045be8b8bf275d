package dev.tern.runtime.vector;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.quant.Int8;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import static dev.tern.runtime.vector.Lanes.B;
import static dev.tern.runtime.vector.Lanes.F;
import static dev.tern.runtime.vector.Lanes.SUMS;

/**
 * Int8 convolution as a GEMM over patches, for pointwise convolutions, outputs narrower than
 * four pixels (which the padded paths of {@link Int8Conv2d} do not take) and dot products too
 * long for exact float sums (which they do not take either): the sample's input as floats (q - zero
 * point) in {@link Conv2dPatches}'s patch rows (the padding's zeros are the zero point's), the
 * filter packed per block of 2L output channels, six- or four-pixel register blocks of float
 * FMAs. A filter of more than {@link #FLOAT_FILTER} floats stays bytes, widened to floats in
 * the loop (B2F): a quarter of the fp32 filter's memory traffic, where ResNet's last stages
 * stream megabytes of weights per convolution at batch 1. Smaller filters, which stay in
 * cache, are packed as floats: the widening cost a compute-bound pointwise convolution
 * about a third more time than fp32.
 *
 * <p>Float sums are exact while no partial sum can reach 2^24 ({@link Int8Conv2d#floatExact}).
 * Where a whole dot product cannot be proven so (thousands of taps), the taps are cut into
 * chunks that can, each chunk's float sums are added as ints, and the int32 total is
 * requantized per output (only {@code gemmlowp}; the int32 path of {@link Int8Conv2d} had taken
 * these nodes at 1.5x an FMA per MAC and one pixel at a time). Otherwise {@link ConvRequant}'s
 * vector requantization ({@code fp32} where proven exact, else {@code gemmlowp}). The
 * reference's bytes.
 */
final class Int8Conv2dPatches extends Kernel {
    final OpContext.Window g;
    final int taps, pixels, rows, block, blocks, xOff, yOff, stride, inZero, group;
    /** Pointwise with a whole pixel block: the input copy is the patch matrix. */
    final boolean direct;
    /** The largest filter (floats) packed as floats; larger ones stay bytes. */
    static final int FLOAT_FILTER = 1 << 18;
    /** The filter packed per block of 2L output channels, tap by tap: [blocks][taps][2L], as bytes or (small filters) floats; the other null. */
    final byte[] wq;
    final float[] wf;
    /** Starting sums: the bias with the fp32 requantization (one chunk), else zeros. */
    final float[] init;
    /** Zeros: the starting sums of the chunks after the first. */
    final float[] zeros;
    /** Ends of the tap chunks whose float sums are exact; one chunk, {@code taps}, when the whole sum is. */
    final int[] chunks;
    final ConvRequant rq;

    /** The variant for this node ({@code fp32} requantization or gemmlowp), or null where it does not apply. */
    static Kernel create(OpContext c, boolean fp32) {
        int[] ws = c.constant(1).shape();
        OpContext.Window g = c.window(ws[1], ws[2]);
        int group = Conv2dPatches.group(g);
        int taps = g.kh * g.kw * g.inC;
        int[] chunks = chunks(c.int8s(1), g.outC, taps, c.inType(0).zeroPoint());
        boolean pointwise = Conv2dPatches.pointwise(g) && g.outH * g.outW >= group;
        long patch = (long) Math.max(g.outH * g.outW, group) * taps;
        // the padded fma paths of Int8Conv2d take outputs at least four wide with exact float
        // sums, with no edge pixels (a zero-padded copy), and ran the shipped teacher's
        // 3x3 convolution over 32 channels about 15% faster than patches
        if (!pointwise && (patch > Conv2dPatches.MAX_PATCH_FLOATS || chunks.length == 1 && g.outW >= 4)) {
            return null;
        }
        if (fp32 && chunks.length > 1) {
            return null;
        }
        Int8Conv2dPatches k = new Int8Conv2dPatches(c, g, group, fp32, chunks);
        return fp32 && k.rq.fmult == null ? null : k;
    }

    /**
     * Cuts taps [0, taps) of w [cout][taps] into chunks, greedily, so that in each chunk and for
     * every channel max|q - zp| x sum|w| stays below 2^24 ({@link Int8Conv2d#floatExact}'s
     * bound, which holds for every partial sum within the chunk): the chunk ends.
     */
    static int[] chunks(byte[] w, int cout, int taps, int zeroPoint) {
        long maxX = Math.max(Math.abs(-128 - zeroPoint), Math.abs(127 - zeroPoint));
        long[] sum = new long[cout];
        java.util.List<Integer> ends = new java.util.ArrayList<>();
        for (int t = 0; t < taps; t++) {
            boolean cut = false;
            for (int oc = 0; oc < cout && !cut; oc++) {
                cut = (sum[oc] + Math.abs(w[oc * taps + t])) * maxX >= 1 << 24;
            }
            if (cut) {
                ends.add(t);
                java.util.Arrays.fill(sum, 0);
            }
            for (int oc = 0; oc < cout; oc++) {
                sum[oc] += Math.abs(w[oc * taps + t]);
            }
        }
        ends.add(taps);
        return ends.stream().mapToInt(Integer::intValue).toArray();
    }

    private Int8Conv2dPatches(OpContext c, OpContext.Window g, int group, boolean fp32, int[] chunks) {
        this.g = g;
        this.group = group;
        this.chunks = chunks;
        taps = g.kh * g.kw * g.inC;
        pixels = g.outH * g.outW;
        rows = Math.max(pixels, group);
        direct = Conv2dPatches.pointwise(g) && pixels >= group;
        block = 2 * F.length();
        blocks = (g.outC + block - 1) / block;
        int coutPad = blocks * block;
        byte[] w = c.int8s(1);
        int[] bias = new int[coutPad];
        System.arraycopy(c.intsOrZeros(2, g.outC), 0, bias, 0, g.outC);
        int[][] ms = Int8.channelMultipliers(c.inType(0).scale(), c.weightScales(1, 0), c.outType().scale());
        inZero = c.inType(0).zeroPoint();
        int[] bounds = Int8.activationBounds(c.activation(), c.outType().scale(), c.outType().zeroPoint());
        rq = new ConvRequant(w, g.outC, taps, coutPad, bias, ms[0], ms[1], inZero, c.outType().zeroPoint(), bounds[0],
                bounds[1], fp32);
        if ((long) coutPad * taps > FLOAT_FILTER) {
            wf = null;
            wq = new byte[coutPad * taps];
            for (int oc = 0; oc < g.outC; oc++) {
                for (int t = 0; t < taps; t++) {
                    wq[(oc / block * taps + t) * block + oc % block] = w[oc * taps + t];
                }
            }
        } else {
            wq = null;
            float[] f = new float[w.length];
            for (int i = 0; i < w.length; i++) {
                f[i] = w[i];
            }
            wf = Conv2dPatches.pack(f, g.outC, taps, block);
        }
        init = new float[coutPad];
        zeros = new float[coutPad];
        if (rq.fmult != null) { // the float requantization takes sums that start from the bias
            for (int oc = 0; oc < g.outC; oc++) {
                init[oc] = bias[oc];
            }
        }
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.int8Stride();
    }

    /** Ints: a block's int32 totals (chunked sums), then the requantization's 2L. */
    @Override
    public int scratchInts() {
        return SUMS + 2 * F.length();
    }

    /** The block sums, the sample's input as floats, then (unless direct) the patch rows. */
    @Override
    public int scratchFloats() {
        return SUMS + g.inH * g.inW * g.inC + (direct ? 0 : rows * taps);
    }

    @Override
    public void run(Arena m, int from, int to) {
        final byte[] q = m.q;
        final float[] t = m.fs;
        final int cout = g.outC;
        final int size = g.inH * g.inW * g.inC;
        final int x0 = direct ? SUMS : SUMS + size;
        final int kept = Math.min(pixels, group);
        for (int s = from; s < to; s++) {
            final int ys = yOff + s * stride;
            Int8Conv2d.toFloats(q, xOff + s * stride, t, SUMS, size, inZero);
            if (!direct) {
                Conv2dPatches.patches(g, rows, t, SUMS, t, x0);
            }
            // the last (narrow) channel block first: its vector stores run past its channels into
            // the next pixel's first ones, which the full blocks then write ({@link #requantize})
            for (int ob = blocks - 1; ob >= 0; ob--) {
                final int oc = ob * block;
                final int n = Math.min(block, cout - oc);
                for (int p0 = 0; p0 < rows; p0 += group) {
                    int p = Math.min(p0, rows - group); // the last block overlaps the one before
                    int yo = ys + p * cout + oc;
                    if (chunks.length == 1) {
                        sums(t, x0 + p * taps, ob, oc, init, 0, taps);
                        requantize(m, kept, yo, oc, n, ys + pixels * cout);
                    } else {
                        chunked(m, x0 + p * taps, ob, oc, kept, yo, n);
                    }
                }
            }
        }
    }

    // Sums and requantization are separate methods, as in Int8Conv2d: C2 on JDK 17 kept the
    // vector operations of smaller methods intrinsified.

    private void sums(float[] t, int base, int ob, int oc, float[] start, int j0, int j1) {
        if (wf != null) {
            if (group == 6) {
                ConvMicroKernels.sixRows(t, wf, ob * taps * block, start, oc, base, taps, j0, j1, t);
            } else {
                ConvMicroKernels.fourRows(t, wf, ob * taps * block, start, oc, base, taps, j0, j1, t);
            }
        } else if (group == 6) {
            sixPixels(t, wq, ob * taps * block, start, oc, base, taps, j0, j1, t);
        } else {
            fourPixels(t, wq, ob * taps * block, start, oc, base, taps, j0, j1, t);
        }
    }

    /** A block's sums chunk by chunk, added as ints, requantized per output from the int32 totals (bias added). */
    private void chunked(Arena m, int base, int ob, int oc, int kept, int yo, int n) {
        final float[] t = m.fs;
        final int[] is = m.is;
        final int sums = group * block;
        int j0 = 0;
        for (int c = 0; c < chunks.length; c++) {
            sums(t, base, ob, oc, zeros, j0, chunks[c]);
            for (int i = 0; i < sums; i++) {
                is[i] = c == 0 ? (int) t[i] : is[i] + (int) t[i];
            }
            j0 = chunks[c];
        }
        for (int px = 0; px < kept; px++) {
            for (int o = 0; o < n; o++) {
                is[SUMS + o] = rq.sumBias[oc + o] + is[block * px + o];
            }
            rq.requantizeInts(is, SUMS, m.q, yo + px * g.outC, oc, n);
        }
    }

    /**
     * The block's first {@code kept} pixels' sums (t[0 ..), pixel p at 2L p) into q[yo ..),
     * pixel stride cout. A narrow block (n < 2L, the last) is requantized as a whole vector
     * pair too, pixel by pixel in order: each store also writes 2L - n bytes of the next
     * pixels' channels, which their own stores or the full blocks' (run after) overwrite; the
     * pixels whose store would pass the sample's output ({@code end}) are requantized scalar. Scalar per output had made a 16-channel pointwise
     * convolution 2.5x slower than fp32.
     */
    private void requantize(Arena m, int kept, int yo, int oc, int n, int end) {
        final float[] t = m.fs;
        if (rq.emult != null && n == block) {
            rq.requantizePixels(t, 0, kept, m.q, yo, g.outC, oc, m.is);
            return;
        }
        int px0 = 0;
        if (rq.emult != null) {
            for (; px0 < kept && yo + px0 * g.outC + block <= end; px0++) {
                rq.requantizePixels(t, block * px0, 1, m.q, yo + px0 * g.outC, g.outC, oc, m.is);
            }
        }
        for (int px = px0; px < kept; px++) {
            // the last channels of a layer whose cout is not a multiple of 2L: only n are written
            for (int o = 0; o < n; o++) {
                m.is[o] = rq.sumBias[oc + o] + (int) t[block * px + o];
            }
            rq.requantizeInts(m.is, 0, m.q, yo + px * g.outC, oc, n);
        }
    }

    /**
     * Six pixels x channels [oc, oc + 2L): patch rows at x[base + p step ..), taps [j0, j1) of
     * the byte filter block at w[wo ..) ([taps][2L]) widened to floats, sums from start[oc ..)
     * into t[0, 12L) (pixel p at 2L p). {@link ConvMicroKernels#sixPixels} over bytes and
     * contiguous rows.
     */
    static void sixPixels(float[] x, byte[] w, int wo, float[] start, int oc, int base, int step, int j0, int j1,
                          float[] t) {
        final int lanes = F.length();
        FloatVector a0 = FloatVector.fromArray(F, start, oc);
        FloatVector b0 = FloatVector.fromArray(F, start, oc + lanes);
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
            FloatVector wa = (FloatVector) ByteVector.fromArray(B, w, wrow).convertShape(VectorOperators.B2F, F, 0);
            FloatVector wb = (FloatVector) ByteVector.fromArray(B, w, wrow + lanes).convertShape(VectorOperators.B2F, F, 0);
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

    /** {@link #sixPixels} for four pixels: sums into t[0, 8L). */
    static void fourPixels(float[] x, byte[] w, int wo, float[] start, int oc, int base, int step, int j0, int j1,
                           float[] t) {
        final int lanes = F.length();
        FloatVector a0 = FloatVector.fromArray(F, start, oc);
        FloatVector b0 = FloatVector.fromArray(F, start, oc + lanes);
        FloatVector a1 = a0;
        FloatVector b1 = b0;
        FloatVector a2 = a0;
        FloatVector b2 = b0;
        FloatVector a3 = a0;
        FloatVector b3 = b0;
        for (int j = j0; j < j1; j++) {
            int wrow = wo + j * 2 * lanes;
            int xp = base + j;
            FloatVector wa = (FloatVector) ByteVector.fromArray(B, w, wrow).convertShape(VectorOperators.B2F, F, 0);
            FloatVector wb = (FloatVector) ByteVector.fromArray(B, w, wrow + lanes).convertShape(VectorOperators.B2F, F, 0);
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
