package dev.tern.runtime.vector;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.quant.FixedPoint;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import static dev.tern.runtime.vector.Lanes.F;
import static dev.tern.runtime.vector.Lanes.SUMS;
import static dev.tern.runtime.vector.ConvMicroKernels.fourPixels;
import static dev.tern.runtime.vector.ConvMicroKernels.twoPixels;
import static dev.tern.runtime.vector.ConvMicroKernels.sixPixels;

/**
 * An int8 Conv2d and the 2x2 stride-2 max pool that is its only consumer, in one pass that
 * requantizes only the pooled outputs. Requantization (multiplier > 0, roundings, zero
 * point, clamp) is non-decreasing in the int32 sum and the bias is per channel, so the max
 * of four requantized outputs is the requantization of the largest sum: the same bytes as
 * the two kernels, with a quarter of the requantizations and no conv output in the arena.
 * Per block of channels, the conv's micro-kernel ({@link ConvMicroKernels#fourPixels}, float path over its
 * padded input copy) computes the four pixels of conv row 2y under two pooled pixels, then
 * those of row 2y + 1, and {@link #maxPairs} keeps the lanewise max of each 2x2 window's
 * sums (exact integers: no NaN or -0 question); the pooled row's last pair overlaps the one
 * before when its width is odd.
 * Conv rows and columns past 2 x the pooled size are never computed (VALID pooling drops them).
 */
final class Int8Conv2dMaxPool extends Kernel {
    final Int8Conv2d conv;
    final int yOff, stride, outH, outW;
    /** Where in the float scratch the pooled sums of a block go: after the conv's sums and input copy. */
    final int pooled;

    private Int8Conv2dMaxPool(Int8Conv2d conv, OpContext pool) {
        this.conv = conv;
        yOff = pool.outOffset();
        stride = pool.int8Stride();
        outH = pool.outShape()[0];
        outW = pool.outShape()[1];
        pooled = conv.scratchFloats();
    }

    /**
     * The fused kernel, or null where it does not apply (the plan then runs both nodes'
     * kernels): a pool window other than 2x2 stride 2 over whole windows, a conv on the int32
     * path or without its padded input copy, a pooled row narrower than two pixels, a type
     * change through the pool, or a multiplier that is not positive (never made by
     * {@code FixedPoint.quantizeMultiplier}, but monotonicity needs it); with the conv's blocks
     * ({@code pad} 6 or 4) and requantization ({@code fp32} or gemmlowp) of the variant, which
     * may decline as {@link Int8Conv2d#create}.
     */
    static Kernel of(OpContext c, OpContext pool, int pad, boolean fp32) {
        int[] win = pool.attrs().getInts("window", null);
        OpContext.Window p = pool.window(win[0], win[1]);
        if (p.kh != 2 || p.kw != 2 || p.strideH != 2 || p.strideW != 2 || p.padTop != 0 || p.padLeft != 0
                || p.outH != p.inH / 2 || p.outW != p.inW / 2 || p.outH < 1 || p.outW < 2
                || !pool.inType(0).equals(pool.outType()) || !c.outType().equals(pool.inType(0))) {
            return null;
        }
        Int8Conv2d conv = Int8Conv2d.create(c, true, pad, fp32);
        if (conv == null) {
            return null;
        }
        for (int oc = 0; oc < conv.g.outC; oc++) {
            if (conv.rq.mult[oc] <= 0) {
                return null;
            }
        }
        return new Int8Conv2dMaxPool(conv, pool);
    }

    @Override
    public int scratchInts() {
        return conv.scratchInts();
    }

    @Override
    public int scratchFloats() {
        return pooled + 6 * F.length();
    }

    @Override
    public void run(Arena m, int from, int to) {
        final Int8Conv2d k = conv;
        final OpContext.Window g = k.g;
        final int lanes = F.length();
        final int x0 = SUMS; // the input copy, after the sums (as the conv)
        for (int s = from; s < to; s++) {
            k.toPaddedFloats(m.q, k.xOff + s * k.stride, m.fs, x0);
            final int ys = yOff + s * stride;
            for (int py = 0; py < outH; py++) {
                int count;
                for (int px = 0; px < outW; px += count) {
                    // pooled pixels three (pad6) or two at a time; the last of an odd row alone (not
                    // a pair that recomputes its neighbour: a 9-pixel row cost 10)
                    int rem = outW - px;
                    count = k.six && rem >= 3 && rem != 4 ? 3 : Math.min(2, rem);
                    for (int oc = 0; oc < k.coutPad; oc += 2 * lanes) {
                        int n = Math.min(2 * lanes, g.outC - oc);
                        if (n <= 0) {
                            break;
                        }
                        int yo = ys + (py * outW + px) * g.outC + oc;
                        pooledPixels(m, 2 * py, 2 * px, count, oc, yo, n);
                    }
                }
            }
        }
    }

    /**
     * Pooled pixel (oy / 2, ox / 2) and the next {@code count} - 1 (count 1 to 3), channels
     * [oc, oc + n), into q[yo ..): per conv row {@link ConvMicroKernels#sixPixels}, {@link ConvMicroKernels#fourPixels} or
     * {@link ConvMicroKernels#twoPixels}, the max over the window, then the requantization.
     */
    private void pooledPixels(Arena m, int oy, int ox, int count, int oc, int yo, int n) {
        final Int8Conv2d k = conv;
        final OpContext.Window g = k.g;
        final float[] t = m.fs;
        final int lanes = F.length();
        final int cin = g.inC;
        final int x0 = SUMS;
        for (int r = 0; r < 2; r++) {
            int y = oy + r;
            int ky0 = Math.max(0, g.padTop - y * g.strideH);
            int ky1 = Math.min(g.kh, g.inH + g.padTop - y * g.strideH);
            int top = (y * g.strideH - g.padTop) * k.padW + ox * g.strideW;
            if (count == 3) {
                sixPixels(t, k.wf, k.init, k.padTapOff, k.coutPad, x0 + top * cin, g.strideW * cin, ky0 * g.kw * cin,
                        ky1 * g.kw * cin, oc, t);
            } else if (count == 2) {
                fourPixels(t, k.wf, k.init, k.padTapOff, k.coutPad, x0 + top * cin, g.strideW * cin, ky0 * g.kw * cin,
                        ky1 * g.kw * cin, oc, t);
            } else {
                twoPixels(t, k.wf, k.init, k.padTapOff, k.coutPad, x0 + top * cin, g.strideW * cin, ky0 * g.kw * cin,
                        ky1 * g.kw * cin, oc, t);
            }
            maxPairs(t, pooled, r == 1, count);
        }
        if (k.rq.emult != null && n == 2 * lanes) {
            k.rq.requantizePixels(t, pooled, count, m.q, yo, g.outC, oc, m.is);
            return;
        }
        for (int p = 0; p < count; p++) {
            int at = pooled + 2 * lanes * p;
            for (int o = 0; o < n; o++) {
                m.is[o] = k.rq.sumBias[oc + o] + (int) t[at + o];
            }
            k.rq.requantizeInts(m.is, 0, m.q, yo + p * g.outC, oc, n);
        }
    }

    /**
     * From a block's sums in t[0, 4L count) (pixel p at 2L * p): the lanewise max of pixels
     * 2j and 2j + 1 into t[at + 2L j, at + 2L (j + 1)), j < count; with {@code max}, also of
     * what those held (the conv row above). Compare and blend, as the fp32 max pool
     * (FloatVector.max pulled paths C2 on JDK 17 did not inline); one vector per iteration,
     * none carried across iterations.
     */
    private static void maxPairs(float[] t, int at, boolean max, int count) {
        final int lanes = F.length();
        for (int i = 0; i < 2 * count * lanes; i += lanes) {
            int a = i + i / (2 * lanes) * 2 * lanes; // pixel 2j, channel vector i % 2L
            FloatVector v = FloatVector.fromArray(F, t, a);
            FloatVector w = FloatVector.fromArray(F, t, a + 2 * lanes); // pixel 2j + 1
            v = v.blend(w, v.compare(VectorOperators.LT, w));
            if (max) {
                FloatVector u = FloatVector.fromArray(F, t, at + i);
                v = v.blend(u, v.compare(VectorOperators.LT, u));
            }
            v.intoArray(t, at + i);
        }
    }
}
