package dev.tern.runtime.vector;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.quant.Int8;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import static dev.tern.runtime.vector.ConvMicroKernels.edgeTaps;
import static dev.tern.runtime.vector.ConvMicroKernels.endInterior;
import static dev.tern.runtime.vector.ConvMicroKernels.firstInterior;
import static dev.tern.runtime.vector.ConvMicroKernels.fourPixels;
import static dev.tern.runtime.vector.ConvMicroKernels.onePixel;
import static dev.tern.runtime.vector.ConvMicroKernels.sixPixels;
import static dev.tern.runtime.vector.ConvMicroKernels.tapClass;
import static dev.tern.runtime.vector.ConvMicroKernels.tapOffsets;
import static dev.tern.runtime.vector.ConvMicroKernels.twoPixels;
import static dev.tern.runtime.vector.Lanes.B;
import static dev.tern.runtime.vector.Lanes.F;
import static dev.tern.runtime.vector.Lanes.I;
import static dev.tern.runtime.vector.Lanes.SUMS;

/**
 * Int8 NHWC convolution with the blocking of {@link Conv2d}: blocks of output pixels by two
 * vectors of output channels, one flat loop over the taps, weights packed at load
 * [taps][coutPad]; inputs enter as (q - zero point). Each variant is its own registry entry
 * ({@code int8-conv2d-<sum>-<blocks>-<requantization>-vector}, docs/KERNELS.md), the plan
 * taking the first that accepts the node ({@link #create} returns null otherwise). Two ways to
 * sum, both exact, so the result is the reference's to the bit:
 * <ul>
 * <li>{@code fma}: float FMAs, when no partial sum can reach 2^24 ({@link #floatExact}): the
 *     sample's input is copied as floats once, and each MAC is one FMA, as in fp32;</li>
 * <li>{@code i32}: int32 multiply and add (there is no int FMA; about 1.5x the FMA's cost on
 *     AVX-512), weights widened to int at load; four-pixel blocks, edge pixels over tap lists.</li>
 * </ul>
 * Blocks of the fma path: {@code pad6} and {@code pad4} copy the input with zero columns on
 * both sides so every pixel is interior, and run six-pixel ({@link ConvMicroKernels#sixPixels},
 * where there are 32 vector registers) or four-pixel blocks; {@code edge} copies it unpadded,
 * runs four-pixel blocks in the interior and one pixel at a time over its tap list at the
 * edges (outputs narrower than four pixels, which the padded copy does not take). The
 * requantization ({@code fp32} or {@code gemmlowp}) is {@link ConvRequant}'s.
 */
final class Int8Conv2d extends Kernel {
    final OpContext.Window g;
    final int[] wp;
    final int[] bias;
    final int coutPad, xOff, yOff, stride, first, last, inZero;
    final int[] tapOff;
    /**
     * The weights as floats on the fma path (every partial sum of (q - zero point) x w is then
     * an integer below 2^24 in magnitude: float FMAs are exact in any order, one FMA per MAC
     * where the int path needs a multiply and an add); null on the i32 path.
     */
    final float[] wf;
    /**
     * Initial sums of the float path: the bias as floats when the float requantization is on
     * ({@link ConvRequant#fastConstants} proves every partial sum with it exact), else zeros.
     */
    final float[] init;
    /** {@link ConvMicroKernels#edgeTaps}: the tap lists of the one-pixel path. */
    final int[][] edge;
    /**
     * {@code pad6} and {@code pad4} only (outputs at least four pixels wide): the input copy has
     * zero columns on both sides (zero is the zero point there), so every pixel runs the
     * four- or six-pixel micro-kernel and none the one-pixel edge path. Width of a copied row in
     * pixels, and the tap offsets for that width; 0 and null when not padded.
     */
    final int padW;
    final int[] padTapOff;
    /** Six-pixel blocks over the padded copy ({@code pad6}). */
    final boolean six;
    final ConvRequant rq;

    /**
     * The variant ({@code fma} or not; {@code pad} 6, 4 or 0 for edge; {@code fp32}
     * requantization or gemmlowp) for this node, or null where it does not apply: fma where
     * {@link #floatExact} fails, a padded copy for outputs narrower than four pixels, fp32 where
     * {@link ConvRequant} cannot prove it exact. {@code i32-edge-gemmlowp} takes every node.
     */
    static Int8Conv2d create(OpContext c, boolean fma, int pad, boolean fp32) {
        int[] ws = c.constant(1).shape();
        OpContext.Window g = c.window(ws[1], ws[2]);
        if (fma && !floatExact(c.int8s(1), g.outC, g.kh * g.kw * g.inC, c.inType(0).zeroPoint())
                || pad > 0 && (!fma || g.outW < 4) || fp32 && !fma) {
            return null;
        }
        Int8Conv2d k = new Int8Conv2d(c, g, fma, pad, fp32);
        return fp32 && k.rq.fmult == null ? null : k;
    }

    private Int8Conv2d(OpContext c, OpContext.Window g, boolean fma, int pad, boolean fp32) {
        this.g = g;
        int block = 2 * I.length();
        coutPad = (g.outC + block - 1) / block * block;
        int taps = g.kh * g.kw * g.inC;
        byte[] w = c.int8s(1);
        wp = new int[taps * coutPad];
        for (int oc = 0; oc < g.outC; oc++) {
            for (int t = 0; t < taps; t++) {
                wp[t * coutPad + oc] = w[oc * taps + t];
            }
        }
        bias = new int[coutPad];
        System.arraycopy(c.intsOrZeros(2, g.outC), 0, bias, 0, g.outC);
        int[][] ms = Int8.channelMultipliers(c.inType(0).scale(), c.weightScales(1, 0), c.outType().scale());
        inZero = c.inType(0).zeroPoint();
        int outZero = c.outType().zeroPoint();
        int[] bounds = Int8.activationBounds(c.activation(), c.outType().scale(), c.outType().zeroPoint());
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.int8Stride();
        first = firstInterior(g);
        last = endInterior(g);
        tapOff = tapOffsets(g);
        wf = fma ? toFloats(wp) : null;
        six = pad == 6;
        if (pad > 0) {
            int padRight = Math.max(0, (g.outW - 1) * g.strideW + g.kw - g.padLeft - g.inW);
            padW = g.padLeft + g.inW + padRight;
            padTapOff = new int[taps];
            for (int ky = 0; ky < g.kh; ky++) {
                for (int kx = 0; kx < g.kw; kx++) {
                    for (int ic = 0; ic < g.inC; ic++) {
                        padTapOff[(ky * g.kw + kx) * g.inC + ic] = (ky * padW + kx) * g.inC + ic;
                    }
                }
            }
        } else {
            padW = 0;
            padTapOff = null;
        }
        edge = edgeTaps(g, coutPad);
        rq = new ConvRequant(w, g.outC, taps, coutPad, bias, ms[0], ms[1], inZero, outZero, bounds[0], bounds[1],
                fp32 && fma);
        init = new float[coutPad];
        if (rq.fmult != null) {
            for (int oc = 0; oc < g.outC; oc++) {
                init[oc] = bias[oc];
            }
        }
    }

    /**
     * True when float accumulation is exact: every product is an integer of at most
     * 255 x 127 and, per output channel, max|q - zp| x sum|w| stays below 2^24, which
     * bounds every partial sum of any subset of the taps, in any order.
     */
    static boolean floatExact(byte[] w, int cout, int taps, int zeroPoint) {
        long maxX = Math.max(Math.abs(-128 - zeroPoint), Math.abs(127 - zeroPoint));
        for (int oc = 0; oc < cout; oc++) {
            long sum = 0;
            for (int t = 0; t < taps; t++) {
                sum += Math.abs(w[oc * taps + t]);
            }
            if (sum * maxX >= 1 << 24) {
                return false;
            }
        }
        return true;
    }

    private static float[] toFloats(int[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = v[i];
        }
        return f;
    }

    @Override
    public int scratchInts() {
        return 8 * I.length();
    }

    @Override
    public int scratchFloats() {
        // the sums of a block (SUMS), then one sample's input as floats (q - zero point)
        return wf == null ? 0 : SUMS + g.inH * (padW > 0 ? padW : g.inW) * g.inC;
    }

    @Override
    public void run(Arena m, int from, int to) {
        final byte[] q = m.q;
        final int[] is = m.is;
        final float[] t = m.fs;
        final int lanes = I.length();
        final int cin = g.inC;
        final int cout = g.outC;
        final int kw = g.kw;
        final boolean exact = wf != null;
        final int x0 = SUMS; // the float path's input copy, after the sums
        final int size = g.inH * g.inW * cin;
        for (int s = from; s < to; s++) {
            final int xs = xOff + s * stride;
            final int ys = yOff + s * stride;
            if (padW > 0) {
                toPaddedFloats(q, xs, t, x0);
            } else if (exact) {
                toFloats(q, xs, t, x0, size);
            }
            for (int oy = 0; oy < g.outH; oy++) {
                int ky0 = Math.max(0, g.padTop - oy * g.strideH);
                int ky1 = Math.min(g.kh, g.inH + g.padTop - oy * g.strideH);
                int ox = 0;
                while (ox < g.outW) {
                    int px;
                    if (padW > 0) {
                        // every pixel is interior in the padded copy: blocks of six (pad6) or
                        // four, then the row's last pixels as four or two, overlapping the
                        // block before where they are fewer (those pixels get the same values)
                        int rem = g.outW - ox;
                        if (six && (rem >= 6 || rem == 5 && g.outW >= 6)) {
                            ox = Math.min(ox, g.outW - 6);
                            px = 6;
                        } else if (rem >= 4) {
                            px = 4;
                        } else if (rem == 3) {
                            ox = g.outW - 4;
                            px = 4;
                        } else {
                            ox = g.outW - 2;
                            px = 2;
                        }
                    } else {
                        if (ox >= first && ox < last && ox + 4 > last && last - first >= 4) {
                            // the row's last interior block overlaps the previous one (those pixels get
                            // the same values again) instead of leaving one to three for the slow path
                            ox = last - 4;
                        }
                        px = ox >= first && ox + 4 <= last ? 4 : 1;
                    }
                    boolean four = px == 4;
                    for (int oc = 0; oc < coutPad; oc += 2 * lanes) {
                        int yo = ys + (oy * g.outW + ox) * cout + oc;
                        int n = Math.min(2 * lanes, cout - oc);
                        if (n <= 0) {
                            break;
                        }
                        if (exact) {
                            // narrow blocks too: the padded filter's extra channels are zero
                            blockFloat(m, oy, ox, px, ky0, ky1, oc, yo, n);
                        } else if (n < 2 * lanes) {
                            narrow(q, is, xs, oy, ox, px, ky0, ky1, oc, yo, n);
                        } else {
                            blockInt(m, xs, oy, ox, four, ky0, ky1, oc, yo);
                        }
                    }
                    ox += px;
                }
            }
        }
    }

    // The float path, the int path and the narrow last channel block are separate methods:
    // with all three in run(), C2 on JDK 17 in about one JVM in six compiled the float
    // path's vector operations as calls to their Java fallbacks (4.6 MB allocated and 1.6x
    // the time per inference, for the rest of that JVM's life).

    /** (q - zero point) of one sample as floats into t[x0 ..): B2F is intrinsified on JDK 17 (7x the scalar loop). */
    private void toFloats(byte[] q, int xs, float[] t, int x0, int size) {
        toFloats(q, xs, t, x0, size, inZero);
    }

    /** {@link #toFloats(byte[], int, float[], int, int)} for a given input zero point. */
    static void toFloats(byte[] q, int xs, float[] t, int x0, int size, int inZero) {
        final int lanes = F.length();
        final FloatVector zp = FloatVector.broadcast(F, inZero);
        int i = 0;
        for (; i + lanes <= size; i += lanes) {
            ((FloatVector) ByteVector.fromArray(B, q, xs + i).convertShape(VectorOperators.B2F, F, 0)).sub(zp)
                    .intoArray(t, x0 + i);
        }
        for (; i < size; i++) {
            t[x0 + i] = q[xs + i] - inZero;
        }
    }

    /** {@link #toFloats} row by row into rows of padW pixels, with zeros in the padding columns. */
    void toPaddedFloats(byte[] q, int xs, float[] t, int x0) {
        final int cin = g.inC;
        final int row = g.inW * cin;
        for (int y = 0; y < g.inH; y++) {
            int r = x0 + y * padW * cin;
            int left = r + g.padLeft * cin;
            int end = r + padW * cin;
            for (int i = r; i < left; i++) {
                t[i] = 0f;
            }
            toFloats(q, xs + y * row, t, left, row);
            for (int i = left + row; i < end; i++) {
                t[i] = 0f;
            }
        }
    }

    /** Channels [oc, oc + n), n < 2L, of px pixels from ox: int sums, pixel by pixel, scalar. */
    private void narrow(byte[] q, int[] is, int xs, int oy, int ox, int px, int ky0, int ky1, int oc, int yo, int n) {
        for (int p = 0; p < px; p++) {
            int pxo = ox + p;
            one(q, is, xs, oy, pxo, ky0, ky1, Math.max(0, g.padLeft - pxo * g.strideW),
                    Math.min(g.kw, g.inW + g.padLeft - pxo * g.strideW), oc, n);
            rq.requantizeInts(is, 0, q, yo + p * g.outC, oc, n);
        }
    }

    /** Six or four pixels (two at the end of a padded row, one at an edge) x channels [oc, oc + 2L) on the float path, requantized into q. */
    private void blockFloat(Arena m, int oy, int ox, int px, int ky0, int ky1, int oc, int yo, int n) {
        final float[] t = m.fs;
        final int lanes = F.length();
        final int cin = g.inC;
        final int x0 = SUMS;
        if (padW > 0) {
            // every pixel is interior in the padded copy (run() passes px = 6, 4 or 2)
            final int top = (oy * g.strideH - g.padTop) * padW + ox * g.strideW;
            if (px == 6) {
                sixPixels(t, wf, init, padTapOff, coutPad, x0 + top * cin, g.strideW * cin, ky0 * g.kw * cin,
                        ky1 * g.kw * cin, oc, t);
            } else if (px == 2) {
                twoPixels(t, wf, init, padTapOff, coutPad, x0 + top * cin, g.strideW * cin, ky0 * g.kw * cin,
                        ky1 * g.kw * cin, oc, t);
            } else {
                fourPixels(t, wf, init, padTapOff, coutPad, x0 + top * cin, g.strideW * cin, ky0 * g.kw * cin,
                        ky1 * g.kw * cin, oc, t);
            }
        } else if (px == 4) {
            final int top = (oy * g.strideH - g.padTop) * g.inW + ox * g.strideW - g.padLeft;
            fourPixels(t, wf, init, tapOff, coutPad, x0 + top * cin, g.strideW * cin, ky0 * g.kw * cin,
                    ky1 * g.kw * cin, oc, t);
        } else {
            final int top = (oy * g.strideH - g.padTop) * g.inW + ox * g.strideW - g.padLeft;
            int kx0 = Math.max(0, g.padLeft - ox * g.strideW);
            int kx1 = Math.min(g.kw, g.inW + g.padLeft - ox * g.strideW);
            onePixel(t, wf, init, edge[tapClass(g, ky0, Math.max(ky0, ky1), kx0, Math.max(kx0, kx1))], x0 + top * cin,
                    oc, t);
        }
        if (rq.emult != null && n == 2 * lanes) {
            rq.requantizePixels(t, 0, px, m.q, yo, g.outC, oc, m.is);
            return;
        }
        for (int p = 0; p < px; p++) {
            // the last channels of a layer whose cout is not a multiple of 2L: only n are written
            for (int o = 0; o < n; o++) {
                m.is[o] = rq.sumBias[oc + o] + (int) t[2 * lanes * p + o];
            }
            rq.requantizeInts(m.is, 0, m.q, yo + p * g.outC, oc, n);
        }
    }

    /** Four pixels (or one, at an edge) x channels [oc, oc + 2L) on the int32 path, requantized into q. */
    private void blockInt(Arena m, int xs, int oy, int ox, boolean four, int ky0, int ky1, int oc, int yo) {
        final int[] is = m.is;
        final int lanes = I.length();
        final int cin = g.inC;
        final int top = (oy * g.strideH - g.padTop) * g.inW + ox * g.strideW - g.padLeft;
        if (four) {
            four(m.q, is, xs + top * cin, g.strideW * cin, ky0 * g.kw * cin, ky1 * g.kw * cin, oc);
        } else {
            int kx0 = Math.max(0, g.padLeft - ox * g.strideW);
            int kx1 = Math.min(g.kw, g.inW + g.padLeft - ox * g.strideW);
            oneVector(m.q, edge[tapClass(g, ky0, Math.max(ky0, ky1), kx0, Math.max(kx0, kx1))], xs + top * cin, oc, is);
        }
        for (int p = 0; p < (four ? 4 : 1); p++) {
            rq.requantizeInts(is, 2 * lanes * p, m.q, yo + p * g.outC, oc, 2 * lanes);
        }
    }

    /** Int32 sums of four pixels x channels [oc, oc + 2L) into t (pixel p at 2L * p). */
    private void four(byte[] q, int[] t, int base, int step, int j0, int j1, int oc) {
        final int lanes = I.length();
        final int[] off = tapOff;
        final int zx = inZero;
        IntVector a0 = IntVector.fromArray(I, bias, oc);
        IntVector b0 = IntVector.fromArray(I, bias, oc + lanes);
        IntVector a1 = a0;
        IntVector b1 = b0;
        IntVector a2 = a0;
        IntVector b2 = b0;
        IntVector a3 = a0;
        IntVector b3 = b0;
        for (int j = j0; j < j1; j++) {
            int wrow = j * coutPad + oc;
            int xp = base + off[j];
            IntVector wa = IntVector.fromArray(I, wp, wrow);
            IntVector wb = IntVector.fromArray(I, wp, wrow + lanes);
            IntVector x0 = IntVector.broadcast(I, q[xp] - zx);
            IntVector x1 = IntVector.broadcast(I, q[xp + step] - zx);
            IntVector x2 = IntVector.broadcast(I, q[xp + 2 * step] - zx);
            IntVector x3 = IntVector.broadcast(I, q[xp + 3 * step] - zx);
            a0 = a0.add(wa.mul(x0));
            b0 = b0.add(wb.mul(x0));
            a1 = a1.add(wa.mul(x1));
            b1 = b1.add(wb.mul(x1));
            a2 = a2.add(wa.mul(x2));
            b2 = b2.add(wb.mul(x2));
            a3 = a3.add(wa.mul(x3));
            b3 = b3.add(wb.mul(x3));
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

    /** Int32 sums (bias included) of one pixel (any bounds) x channels [oc, oc + n) into t[0, n): scalar. */
    private void one(byte[] q, int[] t, int xs, int oy, int ox, int ky0, int ky1, int kx0, int kx1, int oc, int n) {
        final int cin = g.inC;
        for (int o = 0; o < n; o++) {
            t[o] = bias[oc + o];
        }
        for (int ky = ky0; ky < ky1; ky++) {
            int rowBase = xs + ((oy * g.strideH - g.padTop + ky) * g.inW + ox * g.strideW - g.padLeft) * cin;
            for (int kx = kx0; kx < kx1; kx++) {
                int xp = rowBase + kx * cin;
                int wrow = (ky * g.kw + kx) * cin * coutPad + oc;
                for (int ic = 0; ic < cin; ic++) {
                    int xv = q[xp + ic] - inZero;
                    for (int o = 0; o < n; o++) {
                        t[o] += xv * wp[wrow + o];
                    }
                    wrow += coutPad;
                }
            }
        }
    }

    /** Int32 sums (bias included) of channels [oc, oc + 2L) of one pixel over its tap list, into t[0, 2L). */
    private void oneVector(byte[] q, int[] list, int anchor, int oc, int[] t) {
        final int lanes = I.length();
        IntVector a0 = IntVector.fromArray(I, bias, oc);
        IntVector b0 = IntVector.fromArray(I, bias, oc + lanes);
        for (int k = 0; k < list.length; k += 2) {
            IntVector x = IntVector.broadcast(I, q[anchor + list[k]] - inZero);
            int wo = list[k + 1] + oc;
            a0 = a0.add(IntVector.fromArray(I, wp, wo).mul(x));
            b0 = b0.add(IntVector.fromArray(I, wp, wo + lanes).mul(x));
        }
        a0.intoArray(t, 0);
        b0.intoArray(t, lanes);
    }
}

