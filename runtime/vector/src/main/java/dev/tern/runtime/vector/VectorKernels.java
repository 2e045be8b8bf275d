package dev.tern.runtime.vector;

import dev.tern.runtime.Backend;
import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.KernelRegistry;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.internal.quant.FixedPoint;
import dev.tern.runtime.internal.quant.Int8;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels. Loading this class registers them; the runtime loads it by name
 * (see {@code Platform}) only off Android and when {@code jdk.incubator.vector} is readable.
 * Ops without a vector kernel fall back to the scalar ones.
 */
public final class VectorKernels {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Longs in the same vector size: half the lanes of {@link #I}. */
    static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    /**
     * Whether a byte vector of as many lanes as an int vector exists (256-bit vectors and
     * wider: AVX2, AVX-512, SVE-512). The int8 conv, depthwise and dense kernels widen
     * bytes lane for lane (B2I, B2F) and need it; on 128-bit vectors (ARM NEON, SSE) the
     * smallest byte vector has 8 lanes for 4 ints, and JDK 17 on aarch64 does not
     * intrinsify B2I (about 45x slower than scalar code), so there those ops run the
     * scalar int8 kernels (docs/KERNELS.md, docs/DEPLOY.md).
     */
    static final boolean WIDE_BYTES = IntVector.SPECIES_PREFERRED.length() * 8 >= 64;

    /**
     * Whether the padded int8 convolutions run {@link #sixPixels} blocks: where there are 32
     * vector registers (AVX-512, AArch64), which twelve accumulators, two weight vectors and the
     * broadcasts need. {@code -Dtern.six=false} keeps four-pixel blocks.
     */
    static final boolean SIX = (F.vectorBitSize() >= 512 || "aarch64".equals(System.getProperty("os.arch")))
            && !"false".equals(System.getProperty("tern.six"));
    /** Floats of scratch a block's sums take: 2L channels by up to six pixels. */
    static final int SUMS = 12 * F.length();

    static {
        KernelRegistry.register(OpType.DENSE, DType.FLOAT32, Backend.VECTOR, "f32-dense-vector", Dense::new);
        KernelRegistry.register(OpType.CONV2D, DType.FLOAT32, Backend.VECTOR, "f32-conv2d-vector", Conv2D::new);
        KernelRegistry.register(OpType.DEPTHWISE_CONV2D, DType.FLOAT32, Backend.VECTOR, "f32-depthwise_conv2d-vector",
                DepthwiseConv2D::new);
        if (WIDE_BYTES) {
            KernelRegistry.register(OpType.CONV2D, DType.INT8, Backend.VECTOR, "int8-conv2d-vector", Int8Conv2D::new);
            KernelRegistry.register(OpType.DEPTHWISE_CONV2D, DType.INT8, Backend.VECTOR, "int8-depthwise_conv2d-vector",
                    Int8DepthwiseConv2D::new);
            KernelRegistry.register(OpType.DENSE, DType.INT8, Backend.VECTOR, "int8-dense-vector", Int8Dense::new);
            KernelRegistry.registerFused(OpType.CONV2D, OpType.MAX_POOL, DType.INT8, Backend.VECTOR,
                    "int8-conv2d+max_pool-vector", Int8Conv2DMaxPool::of);
        }
        KernelRegistry.register(OpType.QUANTIZE, DType.INT8, Backend.VECTOR, "int8-quantize-vector", Quantize::new);
        KernelRegistry.register(OpType.MAX_POOL, DType.FLOAT32, Backend.VECTOR, "f32-max_pool-vector", MaxPool::new);
        KernelRegistry.register(OpType.MAX_POOL, DType.INT8, Backend.VECTOR, "int8-max_pool-vector", Int8MaxPool::new);
        KernelRegistry.registerSparse(OpType.DENSE, DType.FLOAT32, Backend.VECTOR, "f32-sparse_dense-vector", SparseDense::new);
    }

    private VectorKernels() {
    }

    /** First output column whose leftmost tap is in bounds. */
    static int firstInterior(OpContext.Window g) {
        return Math.min(g.outW, (g.padLeft + g.strideW - 1) / g.strideW);
    }

    /** One past the last output column whose rightmost tap is in bounds (ox * strideW <= inW - kw + padLeft). */
    static int endInterior(OpContext.Window g) {
        int first = firstInterior(g);
        int span = g.inW - g.kw + g.padLeft;
        return span < 0 ? first : Math.max(first, Math.min(g.outW, span / g.strideW + 1));
    }

    /** Input offset of tap j = (ky * kw + kx) * cin + ic from a pixel's top-left input: (ky * inW + kx) * cin + ic. */
    static int[] tapOffsets(OpContext.Window g) {
        int[] off = new int[g.kh * g.kw * g.inC];
        for (int ky = 0; ky < g.kh; ky++) {
            for (int kx = 0; kx < g.kw; kx++) {
                for (int ic = 0; ic < g.inC; ic++) {
                    off[(ky * g.kw + kx) * g.inC + ic] = (ky * g.inW + kx) * g.inC + ic;
                }
            }
        }
        return off;
    }

    /**
     * The convolutions' micro-kernel: four output pixels x two vectors of channels [oc, oc + 2L),
     * eight FMA accumulators starting from init[oc ..), over taps [j0, j1) of the packed
     * weights w [taps][coutPad]; pixel p's tap j reads x[base + off[j] + p * step]. The sums go
     * to t[0, 8L) (pixel p at 2L * p). One flat loop over the taps, kept small so C2 (JDK 17)
     * inlines every vector operation and boxes none (a nested kh x kw x cin loop boxed them).
     * {@code x} and {@code t} may be the same array when the inputs lie beyond t's first 8L.
     */
    static void fourPixels(float[] x, float[] w, float[] init, int[] off, int coutPad, int base, int step, int j0, int j1,
                           int oc, float[] t) {
        final int lanes = F.length();
        FloatVector a0 = FloatVector.fromArray(F, init, oc);
        FloatVector b0 = FloatVector.fromArray(F, init, oc + lanes);
        FloatVector a1 = a0;
        FloatVector b1 = b0;
        FloatVector a2 = a0;
        FloatVector b2 = b0;
        FloatVector a3 = a0;
        FloatVector b3 = b0;
        for (int j = j0; j < j1; j++) {
            int wrow = j * coutPad + oc;
            int xp = base + off[j];
            FloatVector wa = FloatVector.fromArray(F, w, wrow);
            FloatVector wb = FloatVector.fromArray(F, w, wrow + lanes);
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

    /**
     * {@link #fourPixels} for two pixels: their sums in t[0, 4L) (pixel p at 2L * p). For the
     * last two of a row whose width is not a multiple of four, which four-pixel blocks would
     * reach only by recomputing pixels (an 18-pixel row cost 20).
     */
    static void twoPixels(float[] x, float[] w, float[] init, int[] off, int coutPad, int base, int step, int j0, int j1,
                          int oc, float[] t) {
        final int lanes = F.length();
        FloatVector a0 = FloatVector.fromArray(F, init, oc);
        FloatVector b0 = FloatVector.fromArray(F, init, oc + lanes);
        FloatVector a1 = a0;
        FloatVector b1 = b0;
        for (int j = j0; j < j1; j++) {
            int wrow = j * coutPad + oc;
            int xp = base + off[j];
            FloatVector wa = FloatVector.fromArray(F, w, wrow);
            FloatVector wb = FloatVector.fromArray(F, w, wrow + lanes);
            FloatVector x0 = FloatVector.broadcast(F, x[xp]);
            FloatVector x1 = FloatVector.broadcast(F, x[xp + step]);
            a0 = wa.fma(x0, a0);
            b0 = wb.fma(x0, b0);
            a1 = wa.fma(x1, a1);
            b1 = wb.fma(x1, b1);
        }
        a0.intoArray(t, 0);
        b0.intoArray(t, lanes);
        a1.intoArray(t, 2 * lanes);
        b1.intoArray(t, 3 * lanes);
    }

    /**
     * {@link #fourPixels} for six pixels: twelve accumulators, their sums in t[0, 12L) (pixel p
     * at 2L * p). Per tap two weight loads feed twelve FMAs (four pixels: eight), and rows of
     * 18 or 36 pixels (and pooled rows of 9) split into whole blocks. Only where the machine
     * has 32 vector registers ({@link #SIX}): with 16 the accumulators would spill. The last
     * three pixels are read from xp + 3 step: with five step multiples live, C2 on JDK 17 ran
     * short of general registers and in about three JVMs of five compiled a loop 15% slower
     * (JDK 25 never did); with three, about one in ten.
     */
    static void sixPixels(float[] x, float[] w, float[] init, int[] off, int coutPad, int base, int step, int j0, int j1,
                          int oc, float[] t) {
        final int lanes = F.length();
        FloatVector a0 = FloatVector.fromArray(F, init, oc);
        FloatVector b0 = FloatVector.fromArray(F, init, oc + lanes);
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
            int wrow = j * coutPad + oc;
            int xp = base + off[j];
            FloatVector wa = FloatVector.fromArray(F, w, wrow);
            FloatVector wb = FloatVector.fromArray(F, w, wrow + lanes);
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

    /** Index of a pixel's tap class: the in-bounds window rows [ky0, ky1) and columns [kx0, kx1). */
    static int tapClass(OpContext.Window g, int ky0, int ky1, int kx0, int kx1) {
        return ((ky0 * (g.kh + 1) + ky1) * (g.kw + 1) + kx0) * (g.kw + 1) + kx1;
    }

    /**
     * Per tap class that occurs among the output pixels, the pairs (input offset from the
     * pixel's top-left tap, weight-row offset in the packed [taps][coutPad] filter) of its
     * in-bounds taps, ky, kx, ic order. Built at load, so an edge pixel runs one flat loop over
     * a ready list (building it per pixel cost as much as the pixel's FMAs).
     */
    static int[][] edgeTaps(OpContext.Window g, int coutPad) {
        int[][] lists = new int[(g.kh + 1) * (g.kh + 1) * (g.kw + 1) * (g.kw + 1)][];
        for (int oy = 0; oy < g.outH; oy++) {
            int ky0 = Math.max(0, g.padTop - oy * g.strideH);
            int ky1 = Math.max(ky0, Math.min(g.kh, g.inH + g.padTop - oy * g.strideH));
            for (int ox = 0; ox < g.outW; ox++) {
                int kx0 = Math.max(0, g.padLeft - ox * g.strideW);
                int kx1 = Math.max(kx0, Math.min(g.kw, g.inW + g.padLeft - ox * g.strideW));
                int cls = tapClass(g, ky0, ky1, kx0, kx1);
                if (lists[cls] != null) {
                    continue;
                }
                int[] l = new int[2 * (ky1 - ky0) * (kx1 - kx0) * g.inC];
                int k = 0;
                for (int ky = ky0; ky < ky1; ky++) {
                    for (int kx = kx0; kx < kx1; kx++) {
                        for (int ic = 0; ic < g.inC; ic++) {
                            l[k++] = (ky * g.inW + kx) * g.inC + ic;
                            l[k++] = ((ky * g.kw + kx) * g.inC + ic) * coutPad;
                        }
                    }
                }
                lists[cls] = l;
            }
        }
        return lists;
    }

    /**
     * One pixel, channels [oc, oc + 2L), over its tap list: sums into t[0, 2L), starting from
     * init[oc ..). Even and odd taps go to separate accumulator pairs (four FMA chains instead of
     * two: a single pixel has no other independent work to hide the FMA latency behind).
     */
    static void onePixel(float[] x, float[] w, float[] init, int[] list, int anchor, int oc, float[] t) {
        final int lanes = F.length();
        FloatVector a0 = FloatVector.fromArray(F, init, oc);
        FloatVector b0 = FloatVector.fromArray(F, init, oc + lanes);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector b1 = a1;
        final int n = list.length;
        int k = 0;
        for (; k + 4 <= n; k += 4) {
            FloatVector x0 = FloatVector.broadcast(F, x[anchor + list[k]]);
            int w0 = list[k + 1] + oc;
            FloatVector x1 = FloatVector.broadcast(F, x[anchor + list[k + 2]]);
            int w1 = list[k + 3] + oc;
            a0 = FloatVector.fromArray(F, w, w0).fma(x0, a0);
            b0 = FloatVector.fromArray(F, w, w0 + lanes).fma(x0, b0);
            a1 = FloatVector.fromArray(F, w, w1).fma(x1, a1);
            b1 = FloatVector.fromArray(F, w, w1 + lanes).fma(x1, b1);
        }
        if (k < n) {
            FloatVector x0 = FloatVector.broadcast(F, x[anchor + list[k]]);
            int w0 = list[k + 1] + oc;
            a0 = FloatVector.fromArray(F, w, w0).fma(x0, a0);
            b0 = FloatVector.fromArray(F, w, w0 + lanes).fma(x0, b0);
        }
        a0.add(a1).intoArray(t, 0);
        b0.add(b1).intoArray(t, lanes);
    }

    /**
     * Four pixels sharing one tap list (an edge column's pixels in four rows whose windows are
     * whole vertically): pixel p's tap reads x[anchor + list[k] + p * step]; sums into t[0, 8L)
     * (pixel p at 2L * p) from init[oc ..), as {@link #fourPixels}.
     */
    static void fourPixelsList(float[] x, float[] w, float[] init, int[] list, int anchor, int step, int oc, float[] t) {
        final int lanes = F.length();
        FloatVector a0 = FloatVector.fromArray(F, init, oc);
        FloatVector b0 = FloatVector.fromArray(F, init, oc + lanes);
        FloatVector a1 = a0;
        FloatVector b1 = b0;
        FloatVector a2 = a0;
        FloatVector b2 = b0;
        FloatVector a3 = a0;
        FloatVector b3 = b0;
        final int n = list.length;
        for (int k = 0; k < n; k += 2) {
            int xp = anchor + list[k];
            int wrow = list[k + 1] + oc;
            FloatVector wa = FloatVector.fromArray(F, w, wrow);
            FloatVector wb = FloatVector.fromArray(F, w, wrow + lanes);
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

    /** Vector lane count of the preferred float species (e.g. 8 for AVX2, 16 for AVX-512, 4 for NEON). */
    public static int floatLanes() {
        return F.length();
    }

    /**
     * Dense as dot products: y[o] = act(b[o] + dot(W[o], x)), W [out, in] row-major. Four
     * samples x four rows at a time for batches (GEMM-shaped, 16 accumulators); otherwise four
     * rows per input load (at batch 1 the large layers stream their weights from L3, and four
     * streams with four accumulators went from 128 to 87 µs on 5184 x 256); one lane reduction
     * per row after the loop, a scalar tail. Float accumulation; tolerance against the
     * reference scales with in.
     */
    static final class Dense extends Kernel {
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

    /**
     * Direct NHWC convolution, register-blocked: for four output pixels of a row and two
     * vectors of output channels (2L), eight FMA accumulators; per tap and input channel two
     * weight-vector loads feed eight FMAs. The filter is packed at load to
     * [kh * kw * cin][coutPad], coutPad = cout rounded up to 2L and zero-filled. Pixels whose
     * horizontal taps leave the image, and the rest of a row, take the one-pixel path.
     * Channels past cout are computed on zero weights and not stored (a partial last block
     * goes through scratch). Everything stays in one method so C2 keeps the accumulators in
     * registers. Float accumulation order differs from the reference: tolerance by dot length.
     */
    static final class Conv2D extends Kernel {
        final OpContext.Window g;
        final float[] wp;
        final float[] b;
        final int coutPad, xOff, yOff, stride, first, last;
        /**
         * Output rows whose windows are whole vertically: [rowFirst, rowLast). When there are at
         * least four, the edge columns' pixels in those rows run four rows at a time over the
         * column's tap list ({@link #edgeColumns}) instead of one pixel at a time.
         */
        final int rowFirst, rowLast;
        final boolean columns;
        final float min, max;
        final boolean clamp;
        /** Input offset of tap j = (ky * kw + kx) * cin + ic from a pixel's top-left input: (ky * inW + kx) * cin + ic. */
        final int[] tapOff;
        /** {@link #edgeTaps}: the tap lists of the one-pixel path. */
        final int[][] edge;

        Conv2D(OpContext c) {
            int[] ws = c.constant(1).shape();
            g = c.window(ws[1], ws[2]);
            int block = 2 * F.length();
            coutPad = (g.outC + block - 1) / block * block;
            int taps = g.kh * g.kw * g.inC;
            float[] w = c.weightFloats(1);
            wp = new float[taps * coutPad];
            for (int oc = 0; oc < g.outC; oc++) {
                for (int t = 0; t < taps; t++) {
                    wp[t * coutPad + oc] = w[oc * taps + t];
                }
            }
            b = new float[coutPad];
            System.arraycopy(c.floatsOrZeros(2, g.outC), 0, b, 0, g.outC);
            xOff = c.inOffset(0);
            yOff = c.outOffset();
            stride = c.sampleStride();
            min = c.activation().min();
            max = c.activation().max();
            clamp = min != Float.NEGATIVE_INFINITY || max != Float.POSITIVE_INFINITY;
            tapOff = tapOffsets(g);
            first = firstInterior(g);
            last = endInterior(g);
            edge = edgeTaps(g, coutPad);
            rowFirst = Math.min(g.outH, (g.padTop + g.strideH - 1) / g.strideH);
            int spanH = g.inH - g.kh + g.padTop;
            rowLast = spanH < 0 ? rowFirst : Math.max(rowFirst, Math.min(g.outH, spanH / g.strideH + 1));
            columns = rowLast - rowFirst >= 4 && (first > 0 || last < g.outW);
        }

        @Override
        public int scratchFloats() {
            return 8 * F.length();
        }

        @Override
        public void run(Arena m, int from, int to) {
            final float[] a = m.f;
            final float[] t = m.fs;
            final int lanes = F.length();
            final int cin = g.inC;
            final int cout = g.outC;
            final int kw = g.kw;
            for (int s = from; s < to; s++) {
                final int xs = xOff + s * stride;
                final int ys = yOff + s * stride;
                for (int oy = 0; oy < g.outH; oy++) {
                    int ky0 = Math.max(0, g.padTop - oy * g.strideH);
                    int ky1 = Math.min(g.kh, g.inH + g.padTop - oy * g.strideH);
                    int ox = 0;
                    while (ox < g.outW) {
                        if (ox >= first && ox < last && ox + 4 > last && last - first >= 4) {
                            // the row's last interior block overlaps the previous one (those pixels get
                            // the same values again) instead of leaving one to three for the slow path
                            ox = last - 4;
                        }
                        boolean four = ox >= first && ox + 4 <= last;
                        int px = four ? 4 : 1;
                        int kx0 = Math.max(0, g.padLeft - ox * g.strideW);
                        int kx1 = Math.min(kw, g.inW + g.padLeft - ox * g.strideW);
                        int step = four ? g.strideW * cin : 0;
                        int base = xs + ((oy * g.strideH - g.padTop) * g.inW + ox * g.strideW - g.padLeft) * cin;
                        int[] taps = four ? null : edge[tapClass(g, ky0, Math.max(ky0, ky1), kx0, Math.max(kx0, kx1))];
                        for (int oc = 0; oc < coutPad; oc += 2 * lanes) {
                            int yo = ys + (oy * g.outW + ox) * cout + oc;
                            int n = Math.min(2 * lanes, cout - oc);
                            if (four) {
                                four(a, t, base, step, ky0 * kw * cin, ky1 * kw * cin, oc, yo, n);
                            } else if (n == 2 * lanes) {
                                if (columns && oy >= rowFirst && oy < rowLast) {
                                    continue; // edgeColumns
                                }
                                onePixel(a, wp, b, taps, base, oc, t);
                                for (int o = 0; o < n; o++) {
                                    a[yo + o] = Math.min(Math.max(t[o], min), max);
                                }
                            } else {
                                for (int p = 0; p < n; p++) {
                                    t[p] = b[oc + p];
                                }
                                one(a, t, xs, oy, ox, ky0, ky1, kx0, kx1, oc, yo, n);
                            }
                        }
                        ox += px;
                    }
                }
                if (columns) {
                    edgeColumns(a, t, xs, ys);
                }
            }
        }

        /**
         * The edge columns' pixels in rows [rowFirst, rowLast), full channel blocks: four rows at
         * a time over the column's tap list (the last group overlaps the one before rather than
         * leaving one to three rows), so they run at the four-pixel kernel's rate; the one-pixel
         * path took about 15% of the fp32 teacher for 9% of its multiply-adds.
         */
        private void edgeColumns(float[] a, float[] t, int xs, int ys) {
            final int lanes = F.length();
            final int cin = g.inC;
            final int cout = g.outC;
            final int full = g.outC / (2 * lanes) * (2 * lanes);
            final int step = g.strideH * g.inW * cin;
            for (int ox = 0; ox < g.outW; ox++) {
                if (ox == first && last - first >= 4) { // the row loop ran these four at a time
                    ox = last;
                    if (ox >= g.outW) {
                        break;
                    }
                }
                int kx0 = Math.max(0, g.padLeft - ox * g.strideW);
                int kx1 = Math.max(kx0, Math.min(g.kw, g.inW + g.padLeft - ox * g.strideW));
                int[] taps = edge[tapClass(g, 0, g.kh, kx0, kx1)];
                for (int oy = rowFirst; oy < rowLast; oy += 4) {
                    int y = Math.min(oy, rowLast - 4);
                    int base = xs + ((y * g.strideH - g.padTop) * g.inW + ox * g.strideW - g.padLeft) * cin;
                    for (int oc = 0; oc < full; oc += 2 * lanes) {
                        fourPixelsList(a, wp, b, taps, base, step, oc, t);
                        for (int p = 0; p < 4; p++) {
                            int yo = ys + ((y + p) * g.outW + ox) * cout + oc;
                            store(t, 2 * lanes * p, a, yo);
                            store(t, 2 * lanes * p + lanes, a, yo + lanes);
                        }
                    }
                }
            }
        }

        /**
         * Four interior pixels, channels [oc, oc + n): {@link #fourPixels} from the bias, then
         * the copy into the output and the fused activation.
         */
        private void four(float[] a, float[] t, int base, int step, int j0, int j1, int oc, int yo, int n) {
            final int lanes = F.length();
            final int cout = g.outC;
            fourPixels(a, wp, b, tapOff, coutPad, base, step, j0, j1, oc, t);
            if (n == 2 * lanes) {
                for (int p = 0; p < 4; p++) {
                    store(t, 2 * lanes * p, a, yo + p * cout);
                    store(t, 2 * lanes * p + lanes, a, yo + p * cout + lanes);
                }
                return;
            }
            for (int p = 0; p < 4; p++) {
                System.arraycopy(t, 2 * lanes * p, a, yo + p * cout, n);
            }
            if (clamp) {
                for (int p = 0; p < 4; p++) {
                    clamp(a, yo + p * cout, n);
                }
            }
        }

        /**
         * One vector of sums from t[tp ..) into a[yo ..) with the fused activation, as blends:
         * v <= min gives min and v >= max gives max, which is Math.min(Math.max(v, min), max)
         * for every v, NaN and -0 included, since min is +0 or -Inf and max is 6 or +Inf
         * (FloatVector.max and min pulled paths C2 on JDK 17 did not inline, boxing every vector).
         */
        private void store(float[] t, int tp, float[] a, int yo) {
            FloatVector v = FloatVector.fromArray(F, t, tp);
            v = v.blend(min, v.compare(VectorOperators.LE, min));
            v.blend(max, v.compare(VectorOperators.GE, max)).intoArray(a, yo);
        }

        /** The fused activation, scalar: Vector API min/max pulled IntVector paths C2 did not inline (boxing every vector). */
        private void clamp(float[] a, int from, int n) {
            for (int i = from; i < from + n; i++) {
                a[i] = Math.min(Math.max(a[i], min), max);
            }
        }

        /**
         * One pixel (any bounds), channels [oc, oc + n) of a last block narrower than 2L:
         * scalar, accumulating in t[0, n) (which holds the bias on entry).
         */
        private void one(float[] a, float[] t, int xs, int oy, int ox, int ky0, int ky1, int kx0, int kx1, int oc, int yo,
                         int n) {
            final int cin = g.inC;
            for (int ky = ky0; ky < ky1; ky++) {
                int rowBase = xs + ((oy * g.strideH - g.padTop + ky) * g.inW + ox * g.strideW - g.padLeft) * cin;
                for (int kx = kx0; kx < kx1; kx++) {
                    int xp = rowBase + kx * cin;
                    int wrow = (ky * g.kw + kx) * cin * coutPad + oc;
                    for (int ic = 0; ic < cin; ic++) {
                        float xv = a[xp + ic];
                        for (int o = 0; o < n; o++) {
                            t[o] += xv * wp[wrow + o];
                        }
                        wrow += coutPad;
                    }
                }
            }
            for (int o = 0; o < n; o++) {
                a[yo + o] = Math.min(Math.max(t[o], min), max);
            }
        }


    }

    /**
     * Int8 NHWC convolution with the blocking of {@link Conv2D}: four output pixels by two
     * vectors of output channels, one flat loop over the taps, weights packed at load
     * [taps][coutPad]; inputs enter as (q - zero point); edge pixels run a vector loop over a
     * list of their in-bounds taps. Two ways to sum, both exact, so the result is the
     * reference's to the bit:
     * <ul>
     * <li>float FMAs, when no partial sum can reach 2^24 ({@link #floatExact}): the sample's
     *     input is copied as floats once, and each MAC is one FMA, as in fp32;</li>
     * <li>otherwise int32 multiply and add (there is no int FMA; about 1.5x the FMA's cost on
     *     AVX-512), weights widened to int at load.</li>
     * </ul>
     * The per-channel fixed-point requantization runs in float lanes where that is provably
     * exact ({@link #requantizePixels}), else in 64-bit vector lanes ({@link #requantizeVector};
     * scalar code was half of the int8 teacher's time); a channel block narrower than 2L is
     * scalar. On the float path with 32 vector registers the blocks are six pixels wide
     * ({@link #sixPixels}).
     */
    static final class Int8Conv2D extends Kernel {
        final OpContext.Window g;
        final int[] wp;
        final int[] bias;
        final int[] mult, shift;
        final int coutPad, xOff, yOff, stride, first, last, inZero, outZero, lo, hi;
        final int[] tapOff;
        /**
         * The weights as floats when every partial sum of (q - zero point) x w is an integer
         * below 2^24 in magnitude: float FMAs are then exact in any order (one FMA per MAC where
         * the int path needs a multiply and an add); null otherwise.
         */
        final float[] wf;
        /**
         * Initial sums of the float path: the bias as floats when the float requantization is on
         * ({@link #fastConstants} proves every partial sum with it exact), else zeros.
         */
        final float[] init;
        /** What the exact steps add to the float path's sums: zeros when {@link #init} holds the bias, else the bias. */
        final int[] sumBias;
        /** {@link #edgeTaps}: the tap lists of the one-pixel path. */
        final int[][] edge;
        /**
         * Float path only, when the output is at least four pixels wide: the input copy has
         * zero columns on both sides (zero is the zero point there), so every pixel runs the
         * four-pixel micro-kernel and none the one-pixel edge path. Width of a copied row in
         * pixels, and the tap offsets for that width; 0 and null when not padded.
         */
        final int padW;
        final int[] padTapOff;
        /**
         * Per channel, the constants of {@link FixedPoint#requantize}'s branch-free form as longs,
         * split into even and odd channels for {@link #requantizeVector}: multiplier, right
         * shift, its mask and half the mask. Null when a channel needs the general form (a left
         * shift or a non-positive multiplier).
         */
        final long[] emult, eright, emask, ehalf, omult, oright, omask, ohalf;
        /**
         * The float requantization ({@link #requantizePixels}), or null where it is not proven
         * exact: per channel the real multiplier M / 2^(31 + s) as a float, and the distance to
         * the nearest rounding boundary (k + 1/2) below which a lane takes the exact steps.
         */
        final float[] fmult, ftol;

        Int8Conv2D(OpContext c) {
            int[] ws = c.constant(1).shape();
            g = c.window(ws[1], ws[2]);
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
            mult = ms[0];
            shift = ms[1];
            inZero = c.inType(0).zeroPoint();
            outZero = c.outType().zeroPoint();
            int[] bounds = Int8.activationBounds(c.activation(), c.outType().scale(), c.outType().zeroPoint());
            lo = bounds[0];
            hi = bounds[1];
            xOff = c.inOffset(0);
            yOff = c.outOffset();
            stride = c.int8Stride();
            first = firstInterior(g);
            last = endInterior(g);
            tapOff = tapOffsets(g);
            wf = floatExact(w, g.outC, taps, inZero) ? toFloats(wp) : null;
            if (wf != null && g.outW >= 4) {
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
            boolean right = true;
            for (int oc = 0; oc < g.outC; oc++) {
                right &= shift[oc] <= 0 && mult[oc] > 0;
            }
            if (right) {
                long[][] split = new long[8][coutPad / 2];
                for (int oc = 0; oc < g.outC; oc++) {
                    long mask = (1L << -shift[oc]) - 1;
                    long[] d = {mult[oc], -shift[oc], mask, mask >> 1};
                    for (int a = 0; a < 4; a++) {
                        split[a + 4 * (oc % 2)][oc / 2] = d[a];
                    }
                }
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
            float[][] fast = right && wf != null && !"exact".equals(System.getProperty("tern.requant"))
                    ? fastConstants(w, taps) : null;
            fmult = fast == null ? null : fast[0];
            ftol = fast == null ? null : fast[1];
            init = new float[coutPad];
            if (fast != null) {
                for (int oc = 0; oc < g.outC; oc++) {
                    init[oc] = bias[oc];
                }
                sumBias = new int[coutPad];
            } else {
                sumBias = bias;
            }
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
        private float[][] fastConstants(byte[] w, int taps) {
            float[] m = new float[coutPad];
            float[] tol = new float[coutPad];
            java.util.Arrays.fill(tol, 0.5f); // padding channels: a = 0, never near a boundary
            long maxX = Math.max(Math.abs(-128 - inZero), Math.abs(127 - inZero));
            double span = Math.max(hi - outZero, outZero - lo) + 2;
            for (int oc = 0; oc < g.outC; oc++) {
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
        private void requantizePixels(float[] t, int tp, int px, byte[] q, int qo, int qstep, int oc, int[] is) {
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
                            // every pixel is interior in the padded copy: blocks of six (SIX) or
                            // four, then the row's last pixels as four or two, overlapping the
                            // block before where they are fewer (those pixels get the same values)
                            int rem = g.outW - ox;
                            if (SIX && (rem >= 6 || rem == 5 && g.outW >= 6)) {
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
        private void toPaddedFloats(byte[] q, int xs, float[] t, int x0) {
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
                requantizeInts(is, 0, q, yo + p * g.outC, oc, n);
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
            if (emult != null && n == 2 * lanes) {
                requantizePixels(t, 0, px, m.q, yo, g.outC, oc, m.is);
                return;
            }
            for (int p = 0; p < px; p++) {
                // the last channels of a layer whose cout is not a multiple of 2L: only n are written
                for (int o = 0; o < n; o++) {
                    m.is[o] = sumBias[oc + o] + (int) t[2 * lanes * p + o];
                }
                requantizeInts(m.is, 0, m.q, yo + p * g.outC, oc, n);
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
                requantizeInts(is, 2 * lanes * p, m.q, yo + p * g.outC, oc, 2 * lanes);
            }
        }

        /** Scalar requantization of n int32 sums (bias included) at t[tp ..) into q[qo ..). */
        private void requantizeInts(int[] t, int tp, byte[] q, int qo, int oc, int n) {
            for (int o = 0; o < n; o++) {
                q[qo + o] = (byte) FixedPoint.requantize(t[tp + o], mult[oc + o], shift[oc + o], outZero, lo, hi);
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

    /**
     * An int8 Conv2D and the 2x2 stride-2 max pool that is its only consumer, in one pass that
     * requantizes only the pooled outputs. Requantization (multiplier > 0, roundings, zero
     * point, clamp) is non-decreasing in the int32 sum and the bias is per channel, so the max
     * of four requantized outputs is the requantization of the largest sum: the same bytes as
     * the two kernels, with a quarter of the requantizations and no conv output in the arena.
     * Per block of channels, the conv's micro-kernel ({@link #fourPixels}, float path over its
     * padded input copy) computes the four pixels of conv row 2y under two pooled pixels, then
     * those of row 2y + 1, and {@link #maxPairs} keeps the lanewise max of each 2x2 window's
     * sums (exact integers: no NaN or -0 question); the pooled row's last pair overlaps the one
     * before when its width is odd.
     * Conv rows and columns past 2 x the pooled size are never computed (VALID pooling drops them).
     */
    static final class Int8Conv2DMaxPool extends Kernel {
        final Int8Conv2D conv;
        final int yOff, stride, outH, outW;
        /** Where in the float scratch the pooled sums of a block go: after the conv's sums and input copy. */
        final int pooled;

        private Int8Conv2DMaxPool(Int8Conv2D conv, OpContext pool) {
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
         * {@code FixedPoint.quantizeMultiplier}, but monotonicity needs it).
         */
        static Kernel of(OpContext c, OpContext pool) {
            int[] win = pool.attrs().getInts("window", null);
            OpContext.Window p = pool.window(win[0], win[1]);
            if (p.kh != 2 || p.kw != 2 || p.strideH != 2 || p.strideW != 2 || p.padTop != 0 || p.padLeft != 0
                    || p.outH != p.inH / 2 || p.outW != p.inW / 2 || p.outH < 1 || p.outW < 2
                    || !pool.inType(0).equals(pool.outType()) || !c.outType().equals(pool.inType(0))) {
                return null;
            }
            Int8Conv2D conv = new Int8Conv2D(c);
            if (conv.wf == null || conv.padW == 0) {
                return null;
            }
            for (int oc = 0; oc < conv.g.outC; oc++) {
                if (conv.mult[oc] <= 0) {
                    return null;
                }
            }
            return new Int8Conv2DMaxPool(conv, pool);
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
            final Int8Conv2D k = conv;
            final OpContext.Window g = k.g;
            final int lanes = F.length();
            final int x0 = SUMS; // the input copy, after the sums (as the conv)
            for (int s = from; s < to; s++) {
                k.toPaddedFloats(m.q, k.xOff + s * k.stride, m.fs, x0);
                final int ys = yOff + s * stride;
                for (int py = 0; py < outH; py++) {
                    int count;
                    for (int px = 0; px < outW; px += count) {
                        // pooled pixels three (SIX) or two at a time; the last of an odd row alone (not
                        // a pair that recomputes its neighbour: a 9-pixel row cost 10)
                        int rem = outW - px;
                        count = SIX && rem >= 3 && rem != 4 ? 3 : Math.min(2, rem);
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
         * [oc, oc + n), into q[yo ..): per conv row {@link #sixPixels}, {@link #fourPixels} or
         * {@link #twoPixels}, the max over the window, then the requantization.
         */
        private void pooledPixels(Arena m, int oy, int ox, int count, int oc, int yo, int n) {
            final Int8Conv2D k = conv;
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
            if (k.emult != null && n == 2 * lanes) {
                k.requantizePixels(t, pooled, count, m.q, yo, g.outC, oc, m.is);
                return;
            }
            for (int p = 0; p < count; p++) {
                int at = pooled + 2 * lanes * p;
                for (int o = 0; o < n; o++) {
                    m.is[o] = k.sumBias[oc + o] + (int) t[at + o];
                }
                k.requantizeInts(m.is, 0, m.q, yo + p * g.outC, oc, n);
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

    /**
     * The window walk both max pools share: per output pixel its clipped window [y0, y1) x
     * [x0, x1), handed to {@link #window}; {@link #taps} lists a whole window's tap offsets
     * from its first (row by row), for the flat vector loops.
     */
    abstract static class WindowPool extends Kernel {
        final OpContext.Window g;
        final int xOff, yOff, stride;
        final int[] taps;

        WindowPool(OpContext c, int stride) {
            int[] win = c.attrs().getInts("window", null);
            g = c.window(win[0], win[1]);
            taps = new int[g.kh * g.kw];
            for (int k = 0; k < taps.length; k++) {
                taps[k] = ((k / g.kw) * g.inW + k % g.kw) * g.outC;
            }
            xOff = c.inOffset(0);
            yOff = c.outOffset();
            this.stride = stride;
        }

        @Override
        public void run(Arena m, int from, int to) {
            for (int s = from; s < to; s++) {
                final int xs = xOff + s * stride;
                for (int oy = 0; oy < g.outH; oy++) {
                    int y0 = Math.max(oy * g.strideH - g.padTop, 0);
                    int y1 = Math.min(oy * g.strideH - g.padTop + g.kh, g.inH);
                    for (int ox = 0; ox < g.outW; ox++) {
                        int x0 = Math.max(ox * g.strideW - g.padLeft, 0);
                        int x1 = Math.min(ox * g.strideW - g.padLeft + g.kw, g.inW);
                        window(m, xs, y0, y1, x0, x1, yOff + s * stride + (oy * g.outW + ox) * g.outC);
                    }
                }
            }
        }

        /** One output pixel at yo from input window rows [y0, y1), columns [x0, x1) of the sample at xs. */
        abstract void window(Arena m, int xs, int y0, int y1, int x0, int x1, int yo);
    }

    /**
     * Max pooling over NHWC, a vector of channels at a time: the window's first tap, then a
     * lanewise max with each further tap, as blends that give Math.max's result for every
     * pair (NaN wins, +0 beats -0), since FloatVector.max pulled paths C2 on JDK 17 did not
     * inline. Starting from the first tap equals starting from -Inf. Clipped windows and
     * tail channels scalar; an empty window gives -Inf as the scalar kernel.
     */
    static final class MaxPool extends WindowPool {
        MaxPool(OpContext c) {
            super(c, c.sampleStride());
        }

        @Override
        void window(Arena m, int xs, int y0, int y1, int x0, int x1, int yo) {
            final float[] a = m.f;
            final int ch = g.outC;
            final int first = xs + (y0 * g.inW + x0) * ch;
            int c = 0;
            if (y1 - y0 == g.kh && x1 - x0 == g.kw) {
                c = full(a, first, yo);
            }
            for (; c < ch; c++) {
                float acc = Float.NEGATIVE_INFINITY;
                for (int iy = y0; iy < y1; iy++) {
                    for (int ix = x0; ix < x1; ix++) {
                        acc = Math.max(acc, a[xs + (iy * g.inW + ix) * ch + c]);
                    }
                }
                a[yo + c] = acc;
            }
        }

        /** A whole window, vectors of channels: one flat loop over the taps (a nested loop boxed the accumulator on JDK 17). Returns the channels done. */
        private int full(float[] a, int first, int yo) {
            final int ch = g.outC;
            final int lanes = F.length();
            final int[] off = taps;
            int c = 0;
            for (; c + lanes <= ch; c += lanes) {
                FloatVector acc = FloatVector.fromArray(F, a, first + c);
                for (int k = 1; k < off.length; k++) {
                    FloatVector v = FloatVector.fromArray(F, a, first + off[k] + c);
                    acc = acc.blend(v, acc.compare(VectorOperators.LT, v).or(v.test(VectorOperators.IS_NAN))
                            .or(acc.compare(VectorOperators.EQ, v).and(acc.test(VectorOperators.IS_NEGATIVE))));
                }
                acc.intoArray(a, yo + c);
            }
            return c;
        }
    }

    /** Bytes with as many lanes as {@link #I}: the int8 weights widened lane for lane (B2I). */
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class,
            jdk.incubator.vector.VectorShape.forBitSize(Math.max(64, IntVector.SPECIES_PREFERRED.length() * 8)));

    /**
     * Int8 max pooling (input and output share scale and zero point, so it is a max of bytes):
     * vectors of {@link #B} bytes of channels over a flat tap list for whole windows; clipped
     * windows and tail channels scalar; an empty window gives -128 as the scalar kernel.
     */
    static final class Int8MaxPool extends WindowPool {
        Int8MaxPool(OpContext c) {
            super(c, c.int8Stride());
        }

        @Override
        void window(Arena m, int xs, int y0, int y1, int x0, int x1, int yo) {
            final byte[] q = m.q;
            final int ch = g.outC;
            int c = 0;
            if (y1 - y0 == g.kh && x1 - x0 == g.kw) {
                c = full(q, xs + (y0 * g.inW + x0) * ch, yo);
            }
            for (; c < ch; c++) {
                int acc = -128;
                for (int iy = y0; iy < y1; iy++) {
                    for (int ix = x0; ix < x1; ix++) {
                        acc = Math.max(acc, q[xs + (iy * g.inW + ix) * ch + c]);
                    }
                }
                q[yo + c] = (byte) acc;
            }
        }

        private int full(byte[] q, int first, int yo) {
            final int ch = g.outC;
            final int lanes = B.length();
            final int[] off = taps;
            int c = 0;
            for (; c + lanes <= ch; c += lanes) {
                ByteVector acc = ByteVector.fromArray(B, q, first + c);
                for (int k = 1; k < off.length; k++) {
                    ByteVector x = ByteVector.fromArray(B, q, first + off[k] + c);
                    acc = acc.blend(x, acc.compare(VectorOperators.LT, x));
                }
                acc.intoArray(q, yo + c);
            }
            return c;
        }
    }

    /**
     * Quantize, bit for bit {@link Int8#quantize}: x / scale in float lanes (IEEE division, as
     * the scalar code), |v| clamped to 256 (beyond it every zero point clamps alike), rounded to
     * nearest even by adding and subtracting 1.5 * 2^23, ties then moved away from zero, the
     * sign put back, zero point added and clamped to [-128, 127] in float; NaN gives the zero
     * point. The float-to-int step is the same magic-number trick read back from the bits:
     * JDK 17 does not intrinsify F2I vector casts.
     */
    static final class Quantize extends Kernel {
        private static final float MAGIC = 12582912f; // 1.5 * 2^23
        private static final int MAGIC_BITS = 0x4B400000;
        final int n, xOff, yOff, stride, qStride, zero;
        final float scale;

        Quantize(OpContext c) {
            n = c.outSize();
            xOff = c.inOffset(0);
            yOff = c.outOffset();
            stride = c.sampleStride();
            qStride = c.int8Stride();
            scale = c.outType().scale();
            zero = c.outType().zeroPoint();
        }

        @Override
        public int scratchInts() {
            return I.length();
        }

        @Override
        public void run(Arena m, int from, int to) {
            for (int s = from; s < to; s++) {
                quantize(m.f, xOff + s * stride, m.q, yOff + s * qStride, m.is);
            }
        }

        private void quantize(float[] f, int xo, byte[] q, int yo, int[] t) {
            final int lanes = F.length();
            final int body = n - n % lanes;
            final float zp = zero;
            for (int i = 0; i < body; i += lanes) {
                FloatVector v = FloatVector.fromArray(F, f, xo + i).div(scale);
                FloatVector a = v.abs();
                a = a.blend(256f, a.compare(VectorOperators.GT, 256f));
                FloatVector r = a.add(MAGIC).sub(MAGIC);
                r = r.blend(r.add(1f), a.sub(r).compare(VectorOperators.EQ, 0.5f));
                r = r.blend(r.neg(), v.compare(VectorOperators.LT, 0f));
                FloatVector y = r.add(zp);
                y = y.blend(-128f, y.compare(VectorOperators.LT, -128f));
                y = y.blend(127f, y.compare(VectorOperators.GT, 127f)).blend(zp, v.test(VectorOperators.IS_NAN));
                IntVector qi = y.add(MAGIC).reinterpretAsInts().sub(MAGIC_BITS);
                if (B.length() == lanes) {
                    qi.convertShape(VectorOperators.I2B, B, 0).reinterpretAsBytes().intoArray(q, yo + i);
                } else {
                    qi.intoArray(t, 0);
                    for (int k = 0; k < lanes; k++) {
                        q[yo + i + k] = (byte) t[k];
                    }
                }
            }
            for (int i = body; i < n; i++) {
                q[yo + i] = (byte) Int8.quantize(f[xo + i], scale, zero);
            }
        }
    }

    /**
     * {@link FixedPoint#requantize}'s branch-free steps for a row of int32 sums, without leaving
     * vector lanes: the sums plus bias read as longs whose low and high halves are the even
     * and odd channels, the high multiply with its nudge and truncation and the rounding right
     * shift per channel on both halves, put back together as ints, zero point, clamp, narrowed
     * to bytes (as {@link Int8Conv2D#requantizeVector}); tail channels scalar. Only for
     * channels with shift <= 0 and multiplier > 0 (no saturation case): {@link #of} gives null
     * otherwise and the kernel keeps the scalar form.
     */
    static final class LongRequant {
        final int n, outZero, lo, hi;
        final int[] bias, mult, shift;
        /** The constants of even and odd channels (see {@link Int8Conv2D#requantizeVector}). */
        final long[] emult, eright, emask, ehalf, omult, oright, omask, ohalf;

        private LongRequant(int[] bias, int[] multiplier, int[] shift, int outZero, int lo, int hi) {
            n = multiplier.length;
            int pad = (n + I.length() - 1) / I.length() * I.length();
            this.bias = bias;
            this.mult = multiplier;
            this.shift = shift;
            long[][] split = new long[8][pad / 2];
            for (int o = 0; o < n; o++) {
                long m = (1L << -shift[o]) - 1;
                long[] d = {multiplier[o], -shift[o], m, m >> 1};
                for (int a = 0; a < 4; a++) {
                    split[a + 4 * (o % 2)][o / 2] = d[a];
                }
            }
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
            for (int o = 0; o < multiplier.length; o++) {
                if (shift[o] > 0 || multiplier[o] <= 0) {
                    return null;
                }
            }
            return new LongRequant(bias, multiplier, shift, outZero, lo, hi);
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
    static final class Int8Dense extends Kernel {
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

    /**
     * Depthwise convolution, channels in vectors: for each output pixel and each block of L
     * output channels, one accumulator summed over the in-bounds taps (a flat loop over a
     * per-pixel tap list, so C2 keeps it in a register). Output channel oc reads input
     * channel oc / multiplier: with multiplier 1 the input vector is contiguous; otherwise
     * the pixel takes the scalar path. The channel tail goes through scratch.
     */
    static final class DepthwiseConv2D extends Kernel {
        final OpContext.Window g;
        final float[] wp;
        final float[] b;
        final int cPad, mult, xOff, yOff, stride;
        final float min, max;

        DepthwiseConv2D(OpContext c) {
            int[] ws = c.constant(1).shape();
            g = c.window(ws[0], ws[1]);
            int lanes = F.length();
            cPad = (g.outC + lanes - 1) / lanes * lanes;
            float[] w = c.weightFloats(1);
            wp = new float[g.kh * g.kw * cPad];
            for (int t = 0; t < g.kh * g.kw; t++) {
                System.arraycopy(w, t * g.outC, wp, t * cPad, g.outC);
            }
            b = new float[cPad];
            System.arraycopy(c.floatsOrZeros(2, g.outC), 0, b, 0, g.outC);
            mult = c.attrs().getInt("multiplier", 1);
            xOff = c.inOffset(0);
            yOff = c.outOffset();
            stride = c.sampleStride();
            min = c.activation().min();
            max = c.activation().max();
        }

        /** Scratch: one vector of floats (the clamp goes through it); ints: the pixel's tap list. */
        @Override
        public int scratchFloats() {
            return F.length();
        }

        @Override
        public int scratchInts() {
            return 2 * g.kh * g.kw;
        }

        @Override
        public void run(Arena m, int from, int to) {
            final float[] a = m.f;
            final float[] t = m.fs;
            final int[] taps = m.is;
            final int lanes = F.length();
            final int cout = g.outC;
            final int cin = g.inC;
            for (int s = from; s < to; s++) {
                int xs = xOff + s * stride;
                int ys = yOff + s * stride;
                for (int oy = 0; oy < g.outH; oy++) {
                    for (int ox = 0; ox < g.outW; ox++) {
                        // in-bounds taps of this pixel: input offset and weight row
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
                                taps[2 * n] = xs + (iy * g.inW + ix) * cin;
                                taps[2 * n + 1] = (ky * g.kw + kx) * cPad;
                                n++;
                            }
                        }
                        int yo = ys + (oy * g.outW + ox) * cout;
                        if (mult == 1) {
                            for (int oc = 0; oc < cout; oc += lanes) {
                                channels(a, t, taps, n, oc, yo);
                            }
                        } else {
                            for (int oc = 0; oc < cout; oc++) {
                                float acc = b[oc];
                                for (int k = 0; k < n; k++) {
                                    acc += a[taps[2 * k] + oc / mult] * wp[taps[2 * k + 1] + oc];
                                }
                                a[yo + oc] = Math.min(Math.max(acc, min), max);
                            }
                        }
                    }
                }
            }
        }

        /** Channels [oc, oc + L) of one pixel (multiplier 1) over its n in-bounds taps. */
        private void channels(float[] a, float[] t, int[] taps, int n, int oc, int yo) {
            final int lanes = F.length();
            final int cout = g.outC;
            if (oc + lanes <= cout) {
                FloatVector acc = FloatVector.fromArray(F, b, oc);
                for (int k = 0; k < n; k++) {
                    acc = FloatVector.fromArray(F, a, taps[2 * k] + oc).fma(FloatVector.fromArray(F, wp, taps[2 * k + 1] + oc), acc);
                }
                acc.intoArray(t, 0);
                for (int i = 0; i < lanes; i++) {
                    a[yo + oc + i] = Math.min(Math.max(t[i], min), max);
                }
            } else {
                for (int o = oc; o < cout; o++) {
                    float acc = b[o];
                    for (int k = 0; k < n; k++) {
                        acc += a[taps[2 * k] + o] * wp[taps[2 * k + 1] + o];
                    }
                    a[yo + o] = Math.min(Math.max(acc, min), max);
                }
            }
        }
    }

    /**
     * Int8 depthwise convolution, channels in vectors: per output pixel the in-bounds taps are
     * listed once; each vector of L channels widens its input bytes and weight bytes to int
     * (B2I), subtracts the input zero point and accumulates (q_x - zp) * w over that flat list
     * in one IntVector, then requantizes per channel. Multiplier > 1 and the channel tail are
     * scalar. Exact int32 sums: the reference's bytes.
     */
    static final class Int8DepthwiseConv2D extends Kernel {
        final OpContext.Window g;
        final byte[] wp;
        final int[] bias, mult, shift;
        final int cPad, mul, xOff, yOff, stride, inZero, outZero, lo, hi;

        Int8DepthwiseConv2D(OpContext c) {
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
}
