package dev.tern.runtime.vector;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import static dev.tern.runtime.vector.Lanes.F;

/**
 * Dense as dot products: y[o] = act(b[o] + dot(W[o], x)), W [out, in] row-major. Four
 * samples x four rows at a time for batches (GEMM-shaped, 16 accumulators); otherwise four
 * rows per input load (at batch 1 the large layers stream their weights from L3, and four
 * streams with four accumulators went from 128 to 87 µs on 5184 x 256); one lane reduction
 * per row after the loop, a scalar tail. Float accumulation; tolerance against the
 * reference scales with in.
 */
final class Dense extends Kernel {
    final int in, out, xOff, yOff, stride;
    final float[] w, b;
    final float min, max;

    Dense(OpContext c) {
        in = c.inSize(0);
        out = c.outSize();
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.sampleStride();
        w = c.weightFloats(1);
        b = c.floatsOrZeros(2, out);
        min = c.activation().min();
        max = c.activation().max();
    }

    @Override
    public void run(Arena m, int from, int to) {
        float[] a = m.f;
        final int lanes = F.length();
        final int body2 = in - in % (2 * lanes);
        final int body = in - in % lanes;
        // Batches: four samples by four outputs at a time (16 accumulators; each weight and
        // input vector loaded once for four FMAs), the GEMM shape; the rest sample by sample.
        int s0 = from;
        for (; s0 + 4 <= to && out >= 4; s0 += 4) {
            int o = 0;
            for (; o + 4 <= out; o += 4) {
                block4x4(a, s0, o, body);
            }
            for (; o < out; o++) {
                for (int s = s0; s < s0 + 4; s++) {
                    a[yOff + s * stride + o] = clampOut(dot(a, xOff + s * stride, o * in, body2, body, lanes) + b[o]);
                }
            }
        }
        // The rest (batch 1 in particular): four weight rows per input load (four streams
        // of weights, four accumulators), one row at a time for the last out % 4.
        for (int s = s0; s < to; s++) {
            int xo = xOff + s * stride;
            int o = 0;
            for (; o + 4 <= out; o += 4) {
                rows4(a, xo, s, o, body);
            }
            for (; o < out; o++) {
                a[yOff + s * stride + o] = clampOut(dot(a, xo, o * in, body2, body, lanes) + b[o]);
            }
        }
    }

    /** Outputs o..o+3 of one sample: one flat loop over the input, four accumulators sharing each input load. */
    private void rows4(float[] a, int xo, int s, int o, int body) {
        final int lanes = F.length();
        final int w0 = o * in;
        final int w1 = w0 + in;
        final int w2 = w1 + in;
        final int w3 = w2 + in;
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        for (int i = 0; i < body; i += lanes) {
            FloatVector v = FloatVector.fromArray(F, a, xo + i);
            c0 = FloatVector.fromArray(F, w, w0 + i).fma(v, c0);
            c1 = FloatVector.fromArray(F, w, w1 + i).fma(v, c1);
            c2 = FloatVector.fromArray(F, w, w2 + i).fma(v, c2);
            c3 = FloatVector.fromArray(F, w, w3 + i).fma(v, c3);
        }
        store4(a, xo, s, o, body, c0.reduceLanes(VectorOperators.ADD), c1.reduceLanes(VectorOperators.ADD),
                c2.reduceLanes(VectorOperators.ADD), c3.reduceLanes(VectorOperators.ADD));
    }

    private float clampOut(float v) {
        return Math.min(Math.max(v, min), max);
    }

    private float dot(float[] a, int xo, int wo, int body2, int body, int lanes) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        for (; i < body2; i += 2 * lanes) {
            acc0 = FloatVector.fromArray(F, w, wo + i).fma(FloatVector.fromArray(F, a, xo + i), acc0);
            acc1 = FloatVector.fromArray(F, w, wo + i + lanes).fma(FloatVector.fromArray(F, a, xo + i + lanes), acc1);
        }
        for (; i < body; i += lanes) {
            acc0 = FloatVector.fromArray(F, w, wo + i).fma(FloatVector.fromArray(F, a, xo + i), acc0);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < in; i++) {
            sum += w[wo + i] * a[xo + i];
        }
        return sum;
    }

    /** Outputs o..o+3 of samples s0..s0+3: one flat loop over the input, 16 accumulators. */
    private void block4x4(float[] a, int s0, int o, int body) {
        final int lanes = F.length();
        final int x0 = xOff + s0 * stride;
        final int x1 = x0 + stride;
        final int x2 = x1 + stride;
        final int x3 = x2 + stride;
        final int w0 = o * in;
        final int w1 = w0 + in;
        final int w2 = w1 + in;
        final int w3 = w2 + in;
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        for (int i = 0; i < body; i += lanes) {
            FloatVector v0 = FloatVector.fromArray(F, a, x0 + i);
            FloatVector v1 = FloatVector.fromArray(F, a, x1 + i);
            FloatVector v2 = FloatVector.fromArray(F, a, x2 + i);
            FloatVector v3 = FloatVector.fromArray(F, a, x3 + i);
            FloatVector r = FloatVector.fromArray(F, w, w0 + i);
            c00 = r.fma(v0, c00);
            c10 = r.fma(v1, c10);
            c20 = r.fma(v2, c20);
            c30 = r.fma(v3, c30);
            r = FloatVector.fromArray(F, w, w1 + i);
            c01 = r.fma(v0, c01);
            c11 = r.fma(v1, c11);
            c21 = r.fma(v2, c21);
            c31 = r.fma(v3, c31);
            r = FloatVector.fromArray(F, w, w2 + i);
            c02 = r.fma(v0, c02);
            c12 = r.fma(v1, c12);
            c22 = r.fma(v2, c22);
            c32 = r.fma(v3, c32);
            r = FloatVector.fromArray(F, w, w3 + i);
            c03 = r.fma(v0, c03);
            c13 = r.fma(v1, c13);
            c23 = r.fma(v2, c23);
            c33 = r.fma(v3, c33);
        }
        store4(a, x0, s0, o, body, c00.reduceLanes(VectorOperators.ADD), c01.reduceLanes(VectorOperators.ADD),
                c02.reduceLanes(VectorOperators.ADD), c03.reduceLanes(VectorOperators.ADD));
        store4(a, x1, s0 + 1, o, body, c10.reduceLanes(VectorOperators.ADD), c11.reduceLanes(VectorOperators.ADD),
                c12.reduceLanes(VectorOperators.ADD), c13.reduceLanes(VectorOperators.ADD));
        store4(a, x2, s0 + 2, o, body, c20.reduceLanes(VectorOperators.ADD), c21.reduceLanes(VectorOperators.ADD),
                c22.reduceLanes(VectorOperators.ADD), c23.reduceLanes(VectorOperators.ADD));
        store4(a, x3, s0 + 3, o, body, c30.reduceLanes(VectorOperators.ADD), c31.reduceLanes(VectorOperators.ADD),
                c32.reduceLanes(VectorOperators.ADD), c33.reduceLanes(VectorOperators.ADD));
    }

    /** Adds the scalar tail [body, in) and the bias to four sums of one sample and stores them clamped. */
    private void store4(float[] a, int xo, int s, int o, int body, float d0, float d1, float d2, float d3) {
        for (int i = body; i < in; i++) {
            float xv = a[xo + i];
            d0 += w[o * in + i] * xv;
            d1 += w[(o + 1) * in + i] * xv;
            d2 += w[(o + 2) * in + i] * xv;
            d3 += w[(o + 3) * in + i] * xv;
        }
        int yo = yOff + s * stride + o;
        a[yo] = clampOut(d0 + b[o]);
        a[yo + 1] = clampOut(d1 + b[o + 1]);
        a[yo + 2] = clampOut(d2 + b[o + 2]);
        a[yo + 3] = clampOut(d3 + b[o + 3]);
    }
}
