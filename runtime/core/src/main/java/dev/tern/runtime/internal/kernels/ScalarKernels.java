package dev.tern.runtime.internal.kernels;

import dev.tern.runtime.Backend;
import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.KernelFactory;
import dev.tern.runtime.internal.KernelRegistry;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.OpType;

/**
 * Scalar fp32 kernels shaped for auto-vectorization by C2 and ART: weights packed at load
 * into rows, hot loops that are same-index, branch-free and contiguous
 * ({@code acc[o] += x * row[o]}), bounds handled outside the hot loop, float accumulators.
 * Tolerance against the reference: float rounding of a dot product of length n, tested
 * as |diff| <= 1e-5 * n * max|term|-scaled. Ops without an entry here fall back to the
 * reference kernel (they are already simple same-index loops).
 */
public final class ScalarKernels {
    private ScalarKernels() {
    }

    public static void register() {
        reg(OpType.DENSE, Dense::new);
        reg(OpType.CONV2D, Conv2D::new);
        reg(OpType.DEPTHWISE_CONV2D, DepthwiseConv2D::new);
        reg(OpType.MAX_POOL, ctx -> new Pool(ctx, true));
        reg(OpType.AVG_POOL, ctx -> new Pool(ctx, false));
        reg(OpType.GLOBAL_MAX_POOL, ctx -> new GlobalPool(ctx, true));
        reg(OpType.GLOBAL_AVG_POOL, ctx -> new GlobalPool(ctx, false));
    }

    private static void reg(OpType op, KernelFactory f) {
        KernelRegistry.register(op, DType.FLOAT32, Backend.SCALAR, "f32-" + op.id() + "-scalar", f);
    }

    /** Clamps acc[0, n) into y[yo, yo + n). */
    static void store(float[] acc, float[] y, int yo, int n, float min, float max) {
        for (int o = 0; o < n; o++) {
            y[yo + o] = Math.min(Math.max(acc[o], min), max);
        }
    }

    /**
     * Dense as a sum of scaled weight columns: acc = b; for each input i, acc += x[i] * Wt[i].
     * Layout: Wt[i] is column i of W (length out), so the inner loop is a same-index axpy.
     * Scratch: out floats.
     */
    public static final class Dense extends Kernel {
        final int stride;
        final int in, out, xOff, yOff;
        final float[][] wt;
        final float[] b;
        final float min, max;

        public Dense(OpContext c) {
            in = c.inSize(0);
            out = c.outSize();
            xOff = c.inOffset(0);
            stride = c.sampleStride();
            yOff = c.outOffset();
            float[] w = c.weightFloats(1);
            wt = new float[in][out];
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    wt[i][o] = w[o * in + i];
                }
            }
            b = c.floatsOrZeros(2, out);
            min = c.activation().min();
            max = c.activation().max();
        }

        @Override
        public int scratchFloats() {
            return out;
        }

        @Override
        public void run(Arena m, int from, int to) {
            float[] a = m.f;
            float[] acc = m.fs;
            for (int s = from; s < to; s++) {
                System.arraycopy(b, 0, acc, 0, out);
                int xo = xOff + s * stride;
                for (int i = 0; i < in; i++) {
                    float xv = a[xo + i];
                    float[] row = wt[i];
                    for (int o = 0; o < out; o++) {
                        acc[o] += xv * row[o];
                    }
                }
                store(acc, a, yOff + s * stride, out, min, max);
            }
        }
    }

    /**
     * Direct NHWC convolution, one output pixel at a time: acc[0, cout) = b, then for every
     * in-bounds tap (ky, kx) and input channel ic, acc += x[iy][ix][ic] * Wp[(ky * kw + kx) * cin + ic],
     * where Wp rows hold the filter transposed to [kh][kw][cin][cout]. Bounds are resolved per
     * tap, outside the inner loop. Scratch: cout floats.
     */
    public static final class Conv2D extends Kernel {
        final int stride;
        final OpContext.Window g;
        final float[][] wp;
        final float[] b;
        final int xOff, yOff;
        final float min, max;

        public Conv2D(OpContext c) {
            int[] ws = c.constant(1).shape();
            g = c.window(ws[1], ws[2]);
            float[] w = c.weightFloats(1);
            wp = new float[g.kh * g.kw * g.inC][g.outC];
            for (int oc = 0; oc < g.outC; oc++) {
                for (int t = 0; t < g.kh * g.kw * g.inC; t++) {
                    wp[t][oc] = w[oc * g.kh * g.kw * g.inC + t];
                }
            }
            b = c.floatsOrZeros(2, g.outC);
            xOff = c.inOffset(0);
            stride = c.sampleStride();
            yOff = c.outOffset();
            min = c.activation().min();
            max = c.activation().max();
        }

        @Override
        public int scratchFloats() {
            return g.outC;
        }

        @Override
        public void run(Arena m, int from, int to) {
            float[] a = m.f;
            float[] acc = m.fs;
            final int cout = g.outC;
            final int cin = g.inC;
            for (int s = from; s < to; s++) {
                int xs = xOff + s * stride;
                for (int oy = 0; oy < g.outH; oy++) {
                    for (int ox = 0; ox < g.outW; ox++) {
                        System.arraycopy(b, 0, acc, 0, cout);
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
                                int xp = xs + (iy * g.inW + ix) * cin;
                                int tap = (ky * g.kw + kx) * cin;
                                for (int ic = 0; ic < cin; ic++) {
                                    float xv = a[xp + ic];
                                    float[] row = wp[tap + ic];
                                    for (int oc = 0; oc < cout; oc++) {
                                        acc[oc] += xv * row[oc];
                                    }
                                }
                            }
                        }
                        store(acc, a, yOff + s * stride + (oy * g.outW + ox) * cout, cout, min, max);
                    }
                }
            }
        }
    }

    /**
     * Depthwise convolution, channels innermost: for each output pixel and in-bounds tap,
     * acc[oc] += x[iy][ix][oc / m] * W[ky][kx][oc]. With multiplier 1 (the common case) the
     * inner loop is a same-index multiply-add over channels. Scratch: c * m floats.
     */
    public static final class DepthwiseConv2D extends Kernel {
        final int stride;
        final OpContext.Window g;
        final float[][] wp;
        final float[] b;
        final int mult, xOff, yOff;
        final float min, max;

        public DepthwiseConv2D(OpContext c) {
            int[] ws = c.constant(1).shape();
            g = c.window(ws[0], ws[1]);
            float[] w = c.weightFloats(1);
            wp = new float[g.kh * g.kw][g.outC];
            for (int t = 0; t < g.kh * g.kw; t++) {
                System.arraycopy(w, t * g.outC, wp[t], 0, g.outC);
            }
            b = c.floatsOrZeros(2, g.outC);
            mult = c.attrs().getInt("multiplier", 1);
            xOff = c.inOffset(0);
            stride = c.sampleStride();
            yOff = c.outOffset();
            min = c.activation().min();
            max = c.activation().max();
        }

        @Override
        public int scratchFloats() {
            return g.outC;
        }

        @Override
        public void run(Arena m, int from, int to) {
            float[] a = m.f;
            float[] acc = m.fs;
            final int cout = g.outC;
            final int cin = g.inC;
            for (int s = from; s < to; s++) {
                int xs = xOff + s * stride;
                for (int oy = 0; oy < g.outH; oy++) {
                    for (int ox = 0; ox < g.outW; ox++) {
                        System.arraycopy(b, 0, acc, 0, cout);
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
                                int xp = xs + (iy * g.inW + ix) * cin;
                                float[] row = wp[ky * g.kw + kx];
                                if (mult == 1) {
                                    for (int oc = 0; oc < cout; oc++) {
                                        acc[oc] += a[xp + oc] * row[oc];
                                    }
                                } else {
                                    for (int ic = 0; ic < cin; ic++) {
                                        float xv = a[xp + ic];
                                        int base = ic * mult;
                                        for (int j = 0; j < mult; j++) {
                                            acc[base + j] += xv * row[base + j];
                                        }
                                    }
                                }
                            }
                        }
                        store(acc, a, yOff + s * stride + (oy * g.outW + ox) * cout, cout, min, max);
                    }
                }
            }
        }
    }

    /** Max/average pooling with channels innermost; the in-bounds window is computed once per pixel. */
    public static final class Pool extends Kernel {
        final int stride;
        final OpContext.Window g;
        final boolean isMax;
        final int xOff, yOff;

        public Pool(OpContext c, boolean isMax) {
            int[] win = c.attrs().getInts("window", null);
            g = c.window(win[0], win[1]);
            this.isMax = isMax;
            xOff = c.inOffset(0);
            stride = c.sampleStride();
            yOff = c.outOffset();
        }

        @Override
        public int scratchFloats() {
            return g.outC;
        }

        @Override
        public void run(Arena m, int from, int to) {
            float[] a = m.f;
            float[] acc = m.fs;
            final int ch = g.outC;
            for (int s = from; s < to; s++) {
                int xs = xOff + s * stride;
                for (int oy = 0; oy < g.outH; oy++) {
                    int y0 = Math.max(oy * g.strideH - g.padTop, 0);
                    int y1 = Math.min(oy * g.strideH - g.padTop + g.kh, g.inH);
                    for (int ox = 0; ox < g.outW; ox++) {
                        int x0 = Math.max(ox * g.strideW - g.padLeft, 0);
                        int x1 = Math.min(ox * g.strideW - g.padLeft + g.kw, g.inW);
                        int yo = yOff + s * stride + (oy * g.outW + ox) * ch;
                        java.util.Arrays.fill(acc, 0, ch, isMax ? Float.NEGATIVE_INFINITY : 0f);
                        for (int iy = y0; iy < y1; iy++) {
                            for (int ix = x0; ix < x1; ix++) {
                                int xp = xs + (iy * g.inW + ix) * ch;
                                if (isMax) {
                                    for (int c = 0; c < ch; c++) {
                                        acc[c] = Math.max(acc[c], a[xp + c]);
                                    }
                                } else {
                                    for (int c = 0; c < ch; c++) {
                                        acc[c] += a[xp + c];
                                    }
                                }
                            }
                        }
                        float scale = isMax ? 1f : 1f / ((y1 - y0) * (x1 - x0));
                        for (int c = 0; c < ch; c++) {
                            a[yo + c] = acc[c] * scale;
                        }
                    }
                }
            }
        }
    }

    /** Global max/average over h x w, channels innermost. */
    public static final class GlobalPool extends Kernel {
        final int stride;
        final boolean isMax;
        final int hw, ch, xOff, yOff;

        public GlobalPool(OpContext c, boolean isMax) {
            int[] x = c.inShape(0);
            this.isMax = isMax;
            hw = x[0] * x[1];
            ch = x[2];
            xOff = c.inOffset(0);
            stride = c.sampleStride();
            yOff = c.outOffset();
        }

        @Override
        public int scratchFloats() {
            return ch;
        }

        @Override
        public void run(Arena m, int from, int to) {
            float[] a = m.f;
            float[] acc = m.fs;
            for (int s = from; s < to; s++) {
                int xs = xOff + s * stride;
                java.util.Arrays.fill(acc, 0, ch, isMax ? Float.NEGATIVE_INFINITY : 0f);
                for (int p = 0; p < hw; p++) {
                    int xp = xs + p * ch;
                    if (isMax) {
                        for (int c = 0; c < ch; c++) {
                            acc[c] = Math.max(acc[c], a[xp + c]);
                        }
                    } else {
                        for (int c = 0; c < ch; c++) {
                            acc[c] += a[xp + c];
                        }
                    }
                }
                float scale = isMax ? 1f : 1f / hw;
                for (int c = 0; c < ch; c++) {
                    a[yOff + s * stride + c] = acc[c] * scale;
                }
            }
        }
    }
}
