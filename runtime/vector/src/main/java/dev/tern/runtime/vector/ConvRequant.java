package dev.tern.runtime.vector;

import dev.tern.runtime.internal.quant.FixedPoint;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;

import static dev.tern.runtime.vector.Lanes.B;
import static dev.tern.runtime.vector.Lanes.F;
import static dev.tern.runtime.vector.Lanes.I;
import static dev.tern.runtime.vector.Lanes.L;

/**
 * The per-channel requantization of {@link Int8Conv2d} and {@link Int8Conv2dMaxPool}: the
 * fixed-point {@link FixedPoint#requantize} on a block of sums, in one of three forms, all giving
 * the reference's bytes:
 * <ul>
 * <li>{@code fp32} (variants named so, after XNNPACK's fp32 requantization): in float lanes
 *     where {@link #fastConstants} proves it exact ({@link #requantizePixels}), a pixel with a
 *     lane too near a rounding boundary taking the exact steps;</li>
 * <li>{@code gemmlowp}, the exact steps: the rounding doubling high multiply and rounding right
 *     shift in 64-bit vector lanes ({@link #requantizeVector}; scalar code was half of the int8
 *     teacher's time), where every channel has a right shift and a positive multiplier;</li>
 * <li>scalar {@link FixedPoint#requantize} otherwise, and for a channel block narrower than 2L.</li>
 * </ul>
 */
final class ConvRequant {
    final int[] mult, shift;
    final int outZero, lo, hi, coutPad;
    /** What the exact steps add to the float path's sums: zeros when the sums start from the bias ({@link #fmult} set), else the bias. */
    final int[] sumBias;
    /**
     * Per channel, the constants of {@link FixedPoint#requantize}'s branch-free form as longs,
     * split into even and odd channels for {@link #requantizeVector}: multiplier, right
     * shift, its mask and half the mask. Null when a channel needs the general form (a left
     * shift or a non-positive multiplier).
     */
    final long[] emult, eright, emask, ehalf, omult, oright, omask, ohalf;
    /**
     * The float requantization ({@link #requantizePixels}), or null where it is not asked for
     * or not proven exact: per channel the real multiplier M / 2^(31 + s) as a float, and the
     * distance to the nearest rounding boundary (k + 1/2) below which a lane takes the exact steps.
     */
    final float[] fmult, ftol;

    /**
     * For channels [0, cout) of weights w ([cout][taps]) with this bias (coutPad ints) and
     * multipliers; {@code fp32}: try the float requantization (for sums that start from the
     * bias, the float path's).
     */
    ConvRequant(byte[] w, int cout, int taps, int coutPad, int[] bias, int[] mult, int[] shift, int inZero, int outZero,
                int lo, int hi, boolean fp32) {
        this.mult = mult;
        this.shift = shift;
        this.outZero = outZero;
        this.lo = lo;
        this.hi = hi;
        this.coutPad = coutPad;
        long[][] split = LongRequant.evenOdd(mult, shift, coutPad);
        if (split != null) {
            emult = split[0];
            eright = split[1];
            emask = split[2];
            ehalf = split[3];
            omult = split[4];
            oright = split[5];
            omask = split[6];
            ohalf = split[7];
        } else {
            emult = eright = emask = ehalf = omult = oright = omask = ohalf = null;
        }
        float[][] fast = split != null && fp32 ? fastConstants(w, cout, taps, inZero, bias) : null;
        fmult = fast == null ? null : fast[0];
        ftol = fast == null ? null : fast[1];
        sumBias = fast != null ? new int[coutPad] : bias;
    }

    /**
     * The constants of {@link #requantizePixels}, or null when some channel cannot use it.
     * With a = sum + bias (the float path's sums start from the bias), the fixed-point result
     * is rhaz(round-half-up(a M / 2^31) / 2^s), s the right shift: two roundings of
     * z = a M / 2^(31 + s), the first moving it by at most w = 1/2^(s+1) (0 when s = 0), so
     * the result is the integer k nearest z whenever |z - k| < 1/2 - w. In floats, with
     * M' = M / 2^(31 + s) rounded (relative error 2^-24), one FMA gives k = rn(a M' + 1.5 x
     * 2^23) - 1.5 x 2^23 and a second d = rn(a M' - k), so |z - k| <= |d| + 2^-25 + |z| 2^-24.
     * Lanes whose result the clamp does not decide have |z| <= B = (bound span) + 2, so
     * |d| < tol = 1/2 - w - 2^-25 - B 2^-24 (with a margin) proves the result k; other lanes
     * take the exact steps. Lanes beyond B saturate either way as long as |z| < 2^21 (k then
     * is within one of z, and the 1.5 x 2^23 rounding holds). Requires, per channel:
     * |bias| + max|q - zp| x sum|w| < 2^24 (every partial sum, bias included, exact), and
     * that sum times M' below 2^21.
     */
    private float[][] fastConstants(byte[] w, int cout, int taps, int inZero, int[] bias) {
        float[] m = new float[coutPad];
        float[] tol = new float[coutPad];
        java.util.Arrays.fill(tol, 0.5f); // padding channels: a = 0, never near a boundary
        long maxX = Math.max(Math.abs(-128 - inZero), Math.abs(127 - inZero));
        double span = Math.max(hi - outZero, outZero - lo) + 2;
        for (int oc = 0; oc < cout; oc++) {
            int sh = -shift[oc];
            double mr = mult[oc] / Math.pow(2, 31 + sh);
            long sumW = 0;
            for (int t = 0; t < taps; t++) {
                sumW += Math.abs(w[oc * taps + t]);
            }
            long maxA = Math.abs((long) bias[oc]) + maxX * sumW;
            if (maxA >= 1 << 24 || maxA * mr * 1.01 >= 0x1p21) {
                return null;
            }
            double t = 0.5 - (sh == 0 ? 0 : Math.pow(2, -(sh + 1))) - (0x1p-25 + span * 0x1p-24) * 1.01;
            if (t < 0.125) {
                return null;
            }
            m[oc] = (float) mr;
            tol[oc] = (float) t;
        }
        return new float[][] {m, tol};
    }


    /**
     * Requantizes px pixels' sums (bias included) of channels [oc, oc + 2L), pixel p's at
     * t[tp + 2L p ..), into q[qo + p qstep ..). In floats where {@link #fastConstants} allows:
     * per vector r = fma(a, M', 1.5 x 2^23), whose bits give k; d = fma(a, M', -k); k plus
     * the zero point, clamped and narrowed. Per pixel, when a lane of its two vectors has
     * |d| >= tol, that pixel takes the exact steps ({@link #requantizeHalf}), about 2^-s of
     * lanes. No compare or blend in the common path: on JDK 17 each compare + blend pair cost
     * about 0.7 ns per vector, more than the rest together; Vector max/min are avoided too
     * (see the allocation flake in docs/PERFORMANCE.md).
     */
    void requantizePixels(float[] t, int tp, int px, byte[] q, int qo, int qstep, int oc, int[] is) {
        final int lanes = I.length();
        if (fmult == null) {
            for (int p = 0; p < px; p++) {
                requantizeVector(t, tp + 2 * lanes * p, q, qo + p * qstep, oc, is);
            }
            return;
        }
        final FloatVector magic = FloatVector.broadcast(F, 12582912f); // 1.5 x 2^23
        final FloatVector ma = FloatVector.fromArray(F, fmult, oc);
        final FloatVector mb = FloatVector.fromArray(F, fmult, oc + lanes);
        final FloatVector ta = FloatVector.fromArray(F, ftol, oc);
        final FloatVector tb = FloatVector.fromArray(F, ftol, oc + lanes);
        final int bits = 0x4B400000 - outZero;
        for (int p = 0; p < px; p++) {
            int at = tp + 2 * lanes * p;
            int qp = qo + p * qstep;
            FloatVector a = FloatVector.fromArray(F, t, at);
            FloatVector b = FloatVector.fromArray(F, t, at + lanes);
            FloatVector ra = a.fma(ma, magic);
            FloatVector rb = b.fma(mb, magic);
            // tol - |d|, negative where a lane is too near a boundary: its sign bits, or'ed
            IntVector near = ta.sub(a.fma(ma, magic.sub(ra)).reinterpretAsInts().and(0x7FFFFFFF).reinterpretAsFloats())
                    .reinterpretAsInts()
                    .or(tb.sub(b.fma(mb, magic.sub(rb)).reinterpretAsInts().and(0x7FFFFFFF).reinterpretAsFloats())
                            .reinterpretAsInts());
            if (near.compare(VectorOperators.LT, 0).anyTrue()) {
                requantizeHalf(t, at, q, qp, oc, is);
                requantizeHalf(t, at + lanes, q, qp + lanes, oc + lanes, is);
                continue;
            }
            // clamped to [lo, hi] with arithmetic only: v - min(v - lo, 0), then v - max(v - hi, 0)
            IntVector va = ra.reinterpretAsInts().sub(bits);
            IntVector vb = rb.reinterpretAsInts().sub(bits);
            IntVector u = va.sub(lo);
            va = va.sub(u.and(u.lanewise(VectorOperators.ASHR, 31)));
            u = vb.sub(lo);
            vb = vb.sub(u.and(u.lanewise(VectorOperators.ASHR, 31)));
            u = va.sub(hi);
            va = va.sub(u.and(u.lanewise(VectorOperators.ASHR, 31).not()));
            u = vb.sub(hi);
            vb = vb.sub(u.and(u.lanewise(VectorOperators.ASHR, 31).not()));
            if (B.length() == lanes) {
                va.convertShape(VectorOperators.I2B, B, 0).reinterpretAsBytes().intoArray(q, qp);
                vb.convertShape(VectorOperators.I2B, B, 0).reinterpretAsBytes().intoArray(q, qp + lanes);
            } else {
                va.intoArray(is, 0);
                vb.intoArray(is, lanes);
                for (int o = 0; o < 2 * lanes; o++) {
                    q[qp + o] = (byte) is[o];
                }
            }
        }
    }


    /**
     * Requantizes the 2L float sums at t[tp ..) (exact integers below 2^24, without the bias)
     * of channels [oc, oc + 2L) into q[qo ..) without leaving vector lanes: the floats become
     * ints from their bits (mantissa shifted by the exponent: exact for such integers; F2I is
     * not intrinsified on JDK 17), the int32 bias is added, each int vector is read as longs
     * whose low and high halves are the even and odd channels, {@link FixedPoint#requantize}'s
     * branch-free steps run on both halves, which are put back together as ints, offset,
     * clamped and narrowed to bytes. Reading back scalars from just-stored vectors cost more
     * than the arithmetic (about 1.8 ns per output on the teacher).
     */
    private void requantizeVector(float[] t, int tp, byte[] q, int qo, int oc, int[] is) {
        final int lanes = I.length();
        requantizeHalf(t, tp, q, qo, oc, is);
        requantizeHalf(t, tp + lanes, q, qo + lanes, oc + lanes, is);
    }

    /** {@link #requantizeVector} of one vector of channels [oc, oc + L): one flat method, so C2 inlines every step. */
    private void requantizeHalf(float[] t, int tp, byte[] q, int qo, int oc, int[] is) {
        final int lanes = I.length();
        IntVector bits = FloatVector.fromArray(F, t, tp).reinterpretAsInts();
        IntVector exp = bits.lanewise(VectorOperators.LSHR, 23).and(0xFF);
        IntVector mag = bits.and(0x7FFFFF).or(0x800000).lanewise(VectorOperators.LSHR, exp.neg().add(150))
                .blend(0, exp.compare(VectorOperators.EQ, 0));
        LongVector v = mag.blend(mag.neg(), bits.compare(VectorOperators.LT, 0)).add(IntVector.fromArray(I, sumBias, oc))
                .reinterpretAsLongs();
        final int k = oc / 2;
        // even channels: the low halves
        LongVector ab = v.lanewise(VectorOperators.LSHL, 32).lanewise(VectorOperators.ASHR, 32)
                .mul(LongVector.fromArray(L, emult, k));
        // the high multiply: (ab + nudge) / 2^31 truncated is floor((ab + 2^30) / 2^31) for either sign
        LongVector high = ab.add(1L << 30).lanewise(VectorOperators.ASHR, 31);
        LongVector even = high.lanewise(VectorOperators.ASHR, LongVector.fromArray(L, eright, k))
                .add(LongVector.fromArray(L, ehalf, k).sub(high.lanewise(VectorOperators.ASHR, 63))
                        .sub(high.and(LongVector.fromArray(L, emask, k))).lanewise(VectorOperators.LSHR, 63));
        // odd channels: the high halves
        ab = v.lanewise(VectorOperators.ASHR, 32).mul(LongVector.fromArray(L, omult, k));
        high = ab.add(1L << 30).lanewise(VectorOperators.ASHR, 31);
        LongVector odd = high.lanewise(VectorOperators.ASHR, LongVector.fromArray(L, oright, k))
                .add(LongVector.fromArray(L, ohalf, k).sub(high.lanewise(VectorOperators.ASHR, 63))
                        .sub(high.and(LongVector.fromArray(L, omask, k))).lanewise(VectorOperators.LSHR, 63));
        IntVector r = even.and(0xFFFFFFFFL).or(odd.lanewise(VectorOperators.LSHL, 32)).reinterpretAsInts()
                .add(outZero);
        r = r.blend(lo, r.compare(VectorOperators.LT, lo));
        r = r.blend(hi, r.compare(VectorOperators.GT, hi));
        if (B.length() == lanes) {
            r.convertShape(VectorOperators.I2B, B, 0).reinterpretAsBytes().intoArray(q, qo);
        } else {
            r.intoArray(is, 0);
            for (int o = 0; o < lanes; o++) {
                q[qo + o] = (byte) is[o];
            }
        }
    }


    /** Scalar requantization of n int32 sums (bias included) at t[tp ..) into q[qo ..). */
    void requantizeInts(int[] t, int tp, byte[] q, int qo, int oc, int n) {
        for (int o = 0; o < n; o++) {
            q[qo + o] = (byte) FixedPoint.requantize(t[tp + o], mult[oc + o], shift[oc + o], outZero, lo, hi);
        }
    }


}
