package dev.tern.runtime.vector;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.quant.FixedPoint;
import dev.tern.runtime.internal.quant.Int8;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import static dev.tern.runtime.vector.Lanes.I;
import static dev.tern.runtime.vector.Lanes.L;
import static dev.tern.runtime.vector.Lanes.B;

/**
 * Int8 depthwise convolution, channels in vectors: per output pixel the in-bounds taps are
 * listed once; each vector of L channels widens its input bytes and weight bytes to int
 * (B2I), subtracts the input zero point and accumulates (q_x - zp) * w over that flat list
 * in one IntVector, then requantizes per channel. Multiplier > 1 and the channel tail are
 * scalar. Exact int32 sums: the reference's bytes.
 */
final class Int8DepthwiseConv2d extends Kernel {
    final OpContext.Window g;
    final byte[] wp;
    final int[] bias, mult, shift;
    final int cPad, mul, xOff, yOff, stride, inZero, outZero, lo, hi;

    Int8DepthwiseConv2d(OpContext c) {
        int[] ws = c.constant(1).shape();
        g = c.window(ws[0], ws[1]);
        int lanes = I.length();
        cPad = (g.outC + lanes - 1) / lanes * lanes;
        byte[] w = c.int8s(1);
        wp = new byte[g.kh * g.kw * cPad];
        for (int t = 0; t < g.kh * g.kw; t++) {
            System.arraycopy(w, t * g.outC, wp, t * cPad, g.outC);
        }
        bias = new int[cPad];
        System.arraycopy(c.intsOrZeros(2, g.outC), 0, bias, 0, g.outC);
        int[][] ms = Int8.channelMultipliers(c.inType(0).scale(), c.weightScales(1, 2), c.outType().scale());
        mult = ms[0];
        shift = ms[1];
        mul = c.attrs().getInt("multiplier", 1);
        inZero = c.inType(0).zeroPoint();
        outZero = c.outType().zeroPoint();
        int[] bounds = Int8.activationBounds(c.activation(), c.outType().scale(), c.outType().zeroPoint());
        lo = bounds[0];
        hi = bounds[1];
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.int8Stride();
    }

    /** Ints: the pixel's tap list (2 per tap) and one vector of sums. */
    @Override
    public int scratchInts() {
        return 2 * g.kh * g.kw + I.length();
    }

    @Override
    public void run(Arena m, int from, int to) {
        final byte[] q = m.q;
        final int[] t = m.is;
        final int lanes = I.length();
        final int cout = g.outC;
        final int cin = g.inC;
        final int sums = 2 * g.kh * g.kw;
        for (int s = from; s < to; s++) {
            int xs = xOff + s * stride;
            int ys = yOff + s * stride;
            for (int oy = 0; oy < g.outH; oy++) {
                for (int ox = 0; ox < g.outW; ox++) {
                    int n = 0;
                    for (int ky = 0; ky < g.kh; ky++) {
                        int iy = oy * g.strideH - g.padTop + ky;
                        if (iy < 0 || iy >= g.inH) {
                            continue;
                        }
                        for (int kx = 0; kx < g.kw; kx++) {
                            int ix = ox * g.strideW - g.padLeft + kx;
                            if (ix < 0 || ix >= g.inW) {
                                continue;
                            }
                            t[2 * n] = xs + (iy * g.inW + ix) * cin;
                            t[2 * n + 1] = (ky * g.kw + kx) * cPad;
                            n++;
                        }
                    }
                    int yo = ys + (oy * g.outW + ox) * cout;
                    int oc = 0;
                    if (mul == 1) {
                        for (; oc + lanes <= cout; oc += lanes) {
                            channels(q, t, n, oc, sums);
                            for (int i = 0; i < lanes; i++) {
                                q[yo + oc + i] = (byte) FixedPoint.requantize(t[sums + i], mult[oc + i], shift[oc + i],
                                        outZero, lo, hi);
                            }
                        }
                    }
                    for (; oc < cout; oc++) {
                        int acc = bias[oc];
                        for (int k = 0; k < n; k++) {
                            acc += (q[t[2 * k] + oc / mul] - inZero) * wp[t[2 * k + 1] + oc];
                        }
                        q[yo + oc] = (byte) FixedPoint.requantize(acc, mult[oc], shift[oc], outZero, lo, hi);
                    }
                }
            }
        }
    }

    /** Sums of channels [oc, oc + L) over the n listed taps, into t[sums, sums + L). */
    private void channels(byte[] q, int[] t, int n, int oc, int sums) {
        IntVector acc = IntVector.fromArray(I, bias, oc);
        IntVector zx = IntVector.broadcast(I, inZero);
        for (int k = 0; k < n; k++) {
            IntVector x = (IntVector) ByteVector.fromArray(B, q, t[2 * k] + oc).convertShape(VectorOperators.B2I, I, 0);
            IntVector w = (IntVector) ByteVector.fromArray(B, wp, t[2 * k + 1] + oc).convertShape(VectorOperators.B2I, I, 0);
            acc = acc.add(x.sub(zx).mul(w));
        }
        acc.intoArray(t, sums);
    }
}
