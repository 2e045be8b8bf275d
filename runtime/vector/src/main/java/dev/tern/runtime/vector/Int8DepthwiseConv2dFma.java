package dev.tern.runtime.vector;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.quant.FixedPoint;
import dev.tern.runtime.internal.quant.Int8;
import jdk.incubator.vector.FloatVector;

import static dev.tern.runtime.vector.ConvMicroKernels.edgeTaps;
import static dev.tern.runtime.vector.ConvMicroKernels.tapClass;
import static dev.tern.runtime.vector.Lanes.F;
import static dev.tern.runtime.vector.Lanes.SUMS;

/**
 * Int8 depthwise convolution on the fma path (multiplier 1): the sample's input as floats
 * (q - zero point) once, weights as floats, and per pixel and block of 2L channels two float
 * accumulators over the tap list of the pixel's class (as {@link DepthwiseConv2d}); exact, since
 * {@link Int8Conv2d#floatExact} holds (with at most kh x kw products per sum it nearly always
 * does), then {@link ConvRequant}'s vector requantization ({@code fp32} where proven exact,
 * else {@code gemmlowp}). The channels past the last whole block run as a whole block too, first,
 * whose stores spill into the next pixels' channels before those are written; the
 * sample's last pixels, whose stores would leave its output, sum them in int32 and requantizes them scalar. The reference's bytes. {@link Int8DepthwiseConv2d} (int32 sums, lane by
 * lane requantization) took about half of an int8 MobileNet's time.
 */
final class Int8DepthwiseConv2dFma extends Kernel {
    final OpContext.Window g;
    final int cPad, full, xOff, yOff, stride, inZero;
    /** Weights [kh * kw][cPad] as floats and bytes (for the channel tail). */
    final float[] wf;
    final byte[] wp;
    final int[] bias;
    /** The float sums' start: the bias with the fp32 requantization, else zeros (the exact steps add it). */
    final float[] init;
    final int[][] edge;
    final ConvRequant rq;

    /** The variant for this node ({@code fp32} requantization or gemmlowp), or null where it does not apply. */
    static Kernel create(OpContext c, boolean fp32) {
        int[] ws = c.constant(1).shape();
        OpContext.Window g = c.window(ws[0], ws[1]);
        if (c.attrs().getInt("multiplier", 1) != 1) {
            return null;
        }
        byte[] byChannel = byChannel(c.int8s(1), g.kh * g.kw, g.outC);
        if (!Int8Conv2d.floatExact(byChannel, g.outC, g.kh * g.kw, c.inType(0).zeroPoint())) {
            return null;
        }
        Int8DepthwiseConv2dFma k = new Int8DepthwiseConv2dFma(c, g, byChannel, fp32);
        return k.rq.emult == null || fp32 && k.rq.fmult == null ? null : k;
    }

    /** Weights [taps][cout] as [cout][taps], the layout of {@link ConvRequant} and {@link Int8Conv2d#floatExact}. */
    static byte[] byChannel(byte[] w, int taps, int cout) {
        byte[] r = new byte[w.length];
        for (int t = 0; t < taps; t++) {
            for (int oc = 0; oc < cout; oc++) {
                r[oc * taps + t] = w[t * cout + oc];
            }
        }
        return r;
    }

    private Int8DepthwiseConv2dFma(OpContext c, OpContext.Window g, byte[] byChannel, boolean fp32) {
        this.g = g;
        int block = 2 * F.length();
        cPad = (g.outC + block - 1) / block * block;
        full = g.outC - g.outC % block;
        int taps = g.kh * g.kw;
        byte[] w = c.int8s(1);
        wf = new float[taps * cPad];
        wp = new byte[taps * cPad];
        for (int t = 0; t < taps; t++) {
            for (int oc = 0; oc < g.outC; oc++) {
                wf[t * cPad + oc] = w[t * g.outC + oc];
                wp[t * cPad + oc] = w[t * g.outC + oc];
            }
        }
        bias = new int[cPad];
        System.arraycopy(c.intsOrZeros(2, g.outC), 0, bias, 0, g.outC);
        int[][] ms = Int8.channelMultipliers(c.inType(0).scale(), c.weightScales(1, 2), c.outType().scale());
        inZero = c.inType(0).zeroPoint();
        int[] bounds = Int8.activationBounds(c.activation(), c.outType().scale(), c.outType().zeroPoint());
        rq = new ConvRequant(byChannel, g.outC, taps, cPad, bias, ms[0], ms[1], inZero, c.outType().zeroPoint(),
                bounds[0], bounds[1], fp32);
        init = new float[cPad];
        if (rq.fmult != null) {
            for (int oc = 0; oc < g.outC; oc++) {
                init[oc] = bias[oc];
            }
        }
        edge = edgeTaps(g, cPad, 1);
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.int8Stride();
    }

    /** The block's sums, then the sample's input as floats (and 2L more: a narrow block's loads run past the last channel). */
    @Override
    public int scratchFloats() {
        return SUMS + g.inH * g.inW * g.inC + 2 * F.length();
    }

    @Override
    public int scratchInts() {
        return 2 * F.length();
    }

    @Override
    public void run(Arena m, int from, int to) {
        final byte[] q = m.q;
        final float[] t = m.fs;
        final int cout = g.outC;
        final int cin = g.inC;
        final int block = 2 * F.length();
        for (int s = from; s < to; s++) {
            int xs = xOff + s * stride;
            int ys = yOff + s * stride;
            int end = ys + g.outH * g.outW * cout;
            Int8Conv2d.toFloats(q, xs, t, SUMS, g.inH * g.inW * cin, inZero);
            for (int oy = 0; oy < g.outH; oy++) {
                int ky0 = Math.max(0, g.padTop - oy * g.strideH);
                int ky1 = Math.max(ky0, Math.min(g.kh, g.inH + g.padTop - oy * g.strideH));
                for (int ox = 0; ox < g.outW; ox++) {
                    int kx0 = Math.max(0, g.padLeft - ox * g.strideW);
                    int kx1 = Math.max(kx0, Math.min(g.kw, g.inW + g.padLeft - ox * g.strideW));
                    int[] taps = edge[tapClass(g, ky0, ky1, kx0, kx1)];
                    int top = ((oy * g.strideH - g.padTop) * g.inW + ox * g.strideW - g.padLeft) * cin;
                    int yo = ys + (oy * g.outW + ox) * cout;
                    int tail = full;
                    if (full < cout && yo + full + block <= end) {
                        // the narrow last block as a whole vector pair, first: its store runs
                        // 2L - (cout - full) bytes into the next pixels, written after this one;
                        // the sample's last pixels take the scalar steps
                        sums(t, taps, SUMS + top, full);
                        rq.requantizePixels(t, 0, 1, q, yo + full, cout, full, m.is);
                        tail = cout;
                    }
                    for (int oc = 0; oc < full; oc += block) {
                        sums(t, taps, SUMS + top, oc);
                        rq.requantizePixels(t, 0, 1, q, yo + oc, cout, oc, m.is);
                    }
                    for (int oc = tail; oc < cout; oc++) {
                        int acc = bias[oc];
                        for (int k = 0; k < taps.length; k += 2) {
                            acc += (q[xs + top + taps[k] + oc] - inZero) * wp[taps[k + 1] + oc];
                        }
                        q[yo + oc] = (byte) FixedPoint.requantize(acc, rq.mult[oc], rq.shift[oc], rq.outZero, rq.lo,
                                rq.hi);
                    }
                }
            }
        }
    }

    /** Float sums of channels [oc, oc + 2L) of one pixel over its tap list (inputs at t[anchor ..)) into t[0, 2L). */
    private void sums(float[] t, int[] taps, int anchor, int oc) {
        final int lanes = F.length();
        FloatVector a = FloatVector.fromArray(F, init, oc);
        FloatVector b = FloatVector.fromArray(F, init, oc + lanes);
        for (int k = 0; k < taps.length; k += 2) {
            int xp = anchor + taps[k] + oc;
            int wr = taps[k + 1] + oc;
            a = FloatVector.fromArray(F, t, xp).fma(FloatVector.fromArray(F, wf, wr), a);
            b = FloatVector.fromArray(F, t, xp + lanes).fma(FloatVector.fromArray(F, wf, wr + lanes), b);
        }
        a.intoArray(t, 0);
        b.intoArray(t, lanes);
    }
}
