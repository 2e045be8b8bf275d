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
import static dev.tern.runtime.vector.Lanes.B;

/**
 * Int8 Dense as int32 dot products over int8 weights kept as bytes (1 byte per MAC to
 * stream, against 4 for fp32: at batch 1 the big dense layers are bound by that traffic).
 * The input row, minus its zero point, is widened once per sample into int scratch; eight
 * (then four) weight rows at a time are loaded as bytes, widened to int (B2I) and multiplied
 * into IntVector accumulators, sharing each input load; one lane reduction per row and a
 * scalar tail. The last out % 4 rows are a four-row block ending at the last row (it
 * recomputes a few rows rather than running them scalar). Int32 sums are exact in any order:
 * the reference's bytes. The whole row of sums is then requantized at once in 64-bit lanes.
 */
final class Int8Dense extends Kernel {
    final int in, out, xOff, yOff, stride, inZero, outZero, lo, hi;
    final byte[] w;
    final int[] bias, mult, shift;
    /** The requantization in long lanes, or null when a channel needs the general (saturating) form. */
    final LongRequant requant;

    Int8Dense(OpContext c) {
        in = c.inSize(0);
        out = c.outSize();
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.int8Stride();
        w = c.int8s(1);
        bias = c.intsOrZeros(2, out);
        int[][] ms = Int8.channelMultipliers(c.inType(0).scale(), c.weightScales(1, 0), c.outType().scale());
        mult = ms[0];
        shift = ms[1];
        inZero = c.inType(0).zeroPoint();
        outZero = c.outType().zeroPoint();
        int[] bounds = Int8.activationBounds(c.activation(), c.outType().scale(), c.outType().zeroPoint());
        lo = bounds[0];
        hi = bounds[1];
        requant = LongRequant.of(bias, mult, shift, outZero, lo, hi);
    }

    @Override
    public int scratchInts() {
        return in + out + 8;
    }


    @Override
    public void run(Arena m, int from, int to) {
        final byte[] q = m.q;
        final int[] x = m.is;
        for (int s = from; s < to; s++) {
            widen(q, xOff + s * stride, x);
            int o = 0;
            for (; o + 8 <= out; o += 8) {
                dot8(x, o);
            }
            for (; o + 4 <= out; o += 4) {
                dot4(x, o);
            }
            if (o < out && out >= 4) {
                dot4(x, out - 4);
            } else {
                for (; o < out; o++) {
                    int sum = 0;
                    for (int i = 0; i < in; i++) {
                        sum += w[o * in + i] * x[i];
                    }
                    x[in + o] = sum;
                }
            }
            int yo = yOff + s * stride;
            if (requant != null) {
                requant.apply(x, in, q, yo);
            } else {
                for (o = 0; o < out; o++) {
                    q[yo + o] = (byte) FixedPoint.requantize(bias[o] + x[in + o], mult[o], shift[o], outZero, lo, hi);
                }
            }
        }
    }

    /** x[i] = q[xo + i] - zero point, i in [0, in): B2I, intrinsified on JDK 17 x86. */
    private void widen(byte[] q, int xo, int[] x) {
        final int lanes = I.length();
        int i = 0;
        if (B.length() == lanes) {
            final IntVector zp = IntVector.broadcast(I, inZero);
            for (; i + lanes <= in; i += lanes) {
                ((IntVector) ByteVector.fromArray(B, q, xo + i).convertShape(VectorOperators.B2I, I, 0)).sub(zp)
                        .intoArray(x, i);
            }
        }
        for (; i < in; i++) {
            x[i] = q[xo + i] - inZero;
        }
    }

    /** Dot products of rows o..o+7 with x[0, in), written to x[in + o ..): eight rows per input load. */
    private void dot8(int[] x, int o) {
        final int lanes = I.length();
        final int body = in - in % lanes;
        final int w0 = o * in;
        IntVector a0 = IntVector.zero(I), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int i = 0; i < body; i += lanes) {
            IntVector xv = IntVector.fromArray(I, x, i);
            int r = w0 + i;
            a0 = a0.add(((IntVector) ByteVector.fromArray(B, w, r).convertShape(VectorOperators.B2I, I, 0)).mul(xv));
            r += in;
            a1 = a1.add(((IntVector) ByteVector.fromArray(B, w, r).convertShape(VectorOperators.B2I, I, 0)).mul(xv));
            r += in;
            a2 = a2.add(((IntVector) ByteVector.fromArray(B, w, r).convertShape(VectorOperators.B2I, I, 0)).mul(xv));
            r += in;
            a3 = a3.add(((IntVector) ByteVector.fromArray(B, w, r).convertShape(VectorOperators.B2I, I, 0)).mul(xv));
            r += in;
            a4 = a4.add(((IntVector) ByteVector.fromArray(B, w, r).convertShape(VectorOperators.B2I, I, 0)).mul(xv));
            r += in;
            a5 = a5.add(((IntVector) ByteVector.fromArray(B, w, r).convertShape(VectorOperators.B2I, I, 0)).mul(xv));
            r += in;
            a6 = a6.add(((IntVector) ByteVector.fromArray(B, w, r).convertShape(VectorOperators.B2I, I, 0)).mul(xv));
            r += in;
            a7 = a7.add(((IntVector) ByteVector.fromArray(B, w, r).convertShape(VectorOperators.B2I, I, 0)).mul(xv));
        }
        final int y = in + o;
        x[y] = a0.reduceLanes(VectorOperators.ADD);
        x[y + 1] = a1.reduceLanes(VectorOperators.ADD);
        x[y + 2] = a2.reduceLanes(VectorOperators.ADD);
        x[y + 3] = a3.reduceLanes(VectorOperators.ADD);
        x[y + 4] = a4.reduceLanes(VectorOperators.ADD);
        x[y + 5] = a5.reduceLanes(VectorOperators.ADD);
        x[y + 6] = a6.reduceLanes(VectorOperators.ADD);
        x[y + 7] = a7.reduceLanes(VectorOperators.ADD);
        for (int k = 0; k < 8; k++) {
            int row = w0 + k * in;
            int sum = x[y + k];
            for (int i = body; i < in; i++) {
                sum += w[row + i] * x[i];
            }
            x[y + k] = sum;
        }
    }

    /** Dot products of rows o..o+3 with x[0, in), written to x[in + o ..). */
    private void dot4(int[] x, int o) {
        final int lanes = I.length();
        final int body = in - in % lanes;
        final int w0 = o * in;
        final int w1 = w0 + in;
        final int w2 = w1 + in;
        final int w3 = w2 + in;
        IntVector a0 = IntVector.zero(I);
        IntVector a1 = IntVector.zero(I);
        IntVector a2 = IntVector.zero(I);
        IntVector a3 = IntVector.zero(I);
        for (int i = 0; i < body; i += lanes) {
            IntVector xv = IntVector.fromArray(I, x, i);
            a0 = a0.add(((IntVector) ByteVector.fromArray(B, w, w0 + i).convertShape(VectorOperators.B2I, I, 0)).mul(xv));
            a1 = a1.add(((IntVector) ByteVector.fromArray(B, w, w1 + i).convertShape(VectorOperators.B2I, I, 0)).mul(xv));
            a2 = a2.add(((IntVector) ByteVector.fromArray(B, w, w2 + i).convertShape(VectorOperators.B2I, I, 0)).mul(xv));
            a3 = a3.add(((IntVector) ByteVector.fromArray(B, w, w3 + i).convertShape(VectorOperators.B2I, I, 0)).mul(xv));
        }
        int s0 = a0.reduceLanes(VectorOperators.ADD);
        int s1 = a1.reduceLanes(VectorOperators.ADD);
        int s2 = a2.reduceLanes(VectorOperators.ADD);
        int s3 = a3.reduceLanes(VectorOperators.ADD);
        for (int i = body; i < in; i++) {
            s0 += w[w0 + i] * x[i];
            s1 += w[w1 + i] * x[i];
            s2 += w[w2 + i] * x[i];
            s3 += w[w3 + i] * x[i];
        }
        final int y = in + o;
        x[y] = s0;
        x[y + 1] = s1;
        x[y + 2] = s2;
        x[y + 3] = s3;
    }
}
