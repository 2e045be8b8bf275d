package dev.tern.runtime.vector;

import dev.tern.runtime.internal.quant.FixedPoint;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;

import static dev.tern.runtime.vector.Lanes.I;
import static dev.tern.runtime.vector.Lanes.L;
import static dev.tern.runtime.vector.Lanes.B;

/**
 * {@link FixedPoint#requantize}'s branch-free steps for a row of int32 sums, without leaving
 * vector lanes: the sums plus bias read as longs whose low and high halves are the even
 * and odd channels, the high multiply with its nudge and truncation and the rounding right
 * shift per channel on both halves, put back together as ints, zero point, clamp, narrowed
 * to bytes (as {@link ConvRequant#requantizeVector}); tail channels scalar. Only for
 * channels with shift <= 0 and multiplier > 0 (no saturation case): {@link #of} gives null
 * otherwise and the kernel keeps the scalar form.
 */
final class LongRequant {
    final int n, outZero, lo, hi;
    final int[] bias, mult, shift;
    /** The constants of even and odd channels (see {@link ConvRequant#requantizeVector}). */
    final long[] emult, eright, emask, ehalf, omult, oright, omask, ohalf;

    private LongRequant(int[] bias, int[] multiplier, int[] shift, int outZero, int lo, int hi, long[][] split) {
        n = multiplier.length;
        this.bias = bias;
        this.mult = multiplier;
        this.shift = shift;
        emult = split[0];
        eright = split[1];
        emask = split[2];
        ehalf = split[3];
        omult = split[4];
        oright = split[5];
        omask = split[6];
        ohalf = split[7];
        this.outZero = outZero;
        this.lo = lo;
        this.hi = hi;
    }

    static LongRequant of(int[] bias, int[] multiplier, int[] shift, int outZero, int lo, int hi) {
        int n = multiplier.length;
        long[][] split = evenOdd(multiplier, shift, (n + I.length() - 1) / I.length() * I.length());
        return split == null ? null : new LongRequant(bias, multiplier, shift, outZero, lo, hi, split);
    }

    /**
     * The branch-free constants per channel (multiplier, right shift, its mask, half the mask)
     * as longs, split into even and odd channels: {emult, eright, emask, ehalf, omult, oright,
     * omask, ohalf}, each pad / 2 long (zeros past the channels); null when a channel has a left
     * shift or a non-positive multiplier (the general, saturating form).
     */
    static long[][] evenOdd(int[] multiplier, int[] shift, int pad) {
        for (int o = 0; o < multiplier.length; o++) {
            if (shift[o] > 0 || multiplier[o] <= 0) {
                return null;
            }
        }
        long[][] split = new long[8][pad / 2];
        for (int o = 0; o < multiplier.length; o++) {
            long m = (1L << -shift[o]) - 1;
            long[] d = {multiplier[o], -shift[o], m, m >> 1};
            for (int a = 0; a < 4; a++) {
                split[a + 4 * (o % 2)][o / 2] = d[a];
            }
        }
        return split;
    }

    /** Requantizes sums[at + o] + bias[o], o in [0, n), into q[qo ..): vectors of I lanes, then scalar. */
    void apply(int[] sums, int at, byte[] q, int qo) {
        final int lanes = I.length();
        int o = 0;
        if (B.length() == lanes) {
            for (; o + lanes <= n; o += lanes) {
                block(sums, at + o, o, q, qo + o);
            }
        }
        for (; o < n; o++) {
            q[qo + o] = (byte) FixedPoint.requantize(sums[at + o] + bias[o], mult[o], shift[o], outZero, lo, hi);
        }
    }

    /** Channels [o, o + L): int32 sums plus bias, even and odd channels as the halves of long lanes, to bytes. */
    private void block(int[] sums, int sp, int o, byte[] q, int qo) {
        LongVector v = IntVector.fromArray(I, sums, sp).add(IntVector.fromArray(I, bias, o)).reinterpretAsLongs();
        final int k = o / 2;
        LongVector ab = v.lanewise(VectorOperators.LSHL, 32).lanewise(VectorOperators.ASHR, 32)
                .mul(LongVector.fromArray(L, emult, k));
        // the high multiply: (ab + nudge) / 2^31 truncated is floor((ab + 2^30) / 2^31) for either sign
        LongVector high = ab.add(1L << 30).lanewise(VectorOperators.ASHR, 31);
        LongVector even = high.lanewise(VectorOperators.ASHR, LongVector.fromArray(L, eright, k))
                .add(LongVector.fromArray(L, ehalf, k).sub(high.lanewise(VectorOperators.ASHR, 63))
                        .sub(high.and(LongVector.fromArray(L, emask, k))).lanewise(VectorOperators.LSHR, 63));
        ab = v.lanewise(VectorOperators.ASHR, 32).mul(LongVector.fromArray(L, omult, k));
        high = ab.add(1L << 30).lanewise(VectorOperators.ASHR, 31);
        LongVector odd = high.lanewise(VectorOperators.ASHR, LongVector.fromArray(L, oright, k))
                .add(LongVector.fromArray(L, ohalf, k).sub(high.lanewise(VectorOperators.ASHR, 63))
                        .sub(high.and(LongVector.fromArray(L, omask, k))).lanewise(VectorOperators.LSHR, 63));
        IntVector r = even.and(0xFFFFFFFFL).or(odd.lanewise(VectorOperators.LSHL, 32)).reinterpretAsInts()
                .add(outZero);
        r = r.blend(lo, r.compare(VectorOperators.LT, lo));
        r.blend(hi, r.compare(VectorOperators.GT, hi))
                .convertShape(VectorOperators.I2B, B, 0).reinterpretAsBytes().intoArray(q, qo);
    }
}
