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
 * Reference fp32 kernels: the test oracle. Written to be obviously correct, straight from
 * each op's definition (NHWC indexing, bounds checks in the loop, double accumulators),
 * and never optimized. Every other backend is tested against these.
 */
public final class ReferenceKernels {
    private ReferenceKernels() {
    }

    public static void register() {
        reg(OpType.DENSE, Dense::new);
        reg(OpType.CONV2D, Conv2D::new);
        reg(OpType.DEPTHWISE_CONV2D, DepthwiseConv2D::new);
        reg(OpType.MAX_POOL, ctx -> new Pool(ctx, true));
        reg(OpType.AVG_POOL, ctx -> new Pool(ctx, false));
        reg(OpType.GLOBAL_MAX_POOL, ctx -> new GlobalPool(ctx, true));
        reg(OpType.GLOBAL_AVG_POOL, ctx -> new GlobalPool(ctx, false));
        reg(OpType.ADD, Add::new);
        reg(OpType.CONCAT, Concat::new);
        reg(OpType.FLATTEN, Copy::new);
        reg(OpType.RESHAPE, Copy::new);
        reg(OpType.RELU, ctx -> new Clamp(ctx, 0f, Float.POSITIVE_INFINITY));
        reg(OpType.RELU6, ctx -> new Clamp(ctx, 0f, 6f));
        reg(OpType.SIGMOID, Sigmoid::new);
        reg(OpType.SOFTMAX, Softmax::new);
    }

    private static void reg(OpType op, KernelFactory f) {
        KernelRegistry.register(op, DType.FLOAT32, Backend.REFERENCE, "f32-" + op.id() + "-reference", f);
    }

    static float clamp(double v, float min, float max) {
        float f = (float) v;
        return f < min ? min : (f > max ? max : f);
    }

    /** y[o] = act(b[o] + sum_i W[o][i] x[i]); W is [out, in] row-major. */
    static final class Dense extends Kernel {
        final int stride;
        final int in, out, xOff, yOff;
        final float[] w, b;
        final float min, max;

        Dense(OpContext c) {
            in = c.inSize(0);
            out = c.outSize();
            xOff = c.inOffset(0);
            stride = c.sampleStride();
            yOff = c.outOffset();
            w = c.weightFloats(1);
            b = c.floatsOrZeros(2, out);
            min = c.activation().min();
            max = c.activation().max();
        }

        @Override
        public void run(Arena m, int from, int to) {
            float[] a = m.f;
            float[] scratch = m.fs;
            for (int s = from; s < to; s++) {
                for (int o = 0; o < out; o++) {
                    double acc = b[o];
                    for (int i = 0; i < in; i++) {
                        acc += (double) w[o * in + i] * a[xOff + s * stride + i];
                    }
                    a[yOff + s * stride + o] = clamp(acc, min, max);
                }
            }
        }
    }

    /** y[oy][ox][oc] = act(b[oc] + sum over in-bounds (ky, kx, ic) of x[iy][ix][ic] w[oc][ky][kx][ic]). */
    static final class Conv2D extends Kernel {
        final int stride;
        final OpContext.Window g;
        final float[] w, b;
        final int xOff, yOff;
        final float min, max;

        Conv2D(OpContext c) {
            int[] ws = c.constant(1).shape();
            g = c.window(ws[1], ws[2]);
            w = c.weightFloats(1);
            b = c.floatsOrZeros(2, g.outC);
            xOff = c.inOffset(0);
            stride = c.sampleStride();
            yOff = c.outOffset();
            min = c.activation().min();
            max = c.activation().max();
        }

        @Override
        public void run(Arena m, int from, int to) {
            float[] a = m.f;
            float[] scratch = m.fs;
            for (int s = from; s < to; s++) {
                for (int oy = 0; oy < g.outH; oy++) {
                    for (int ox = 0; ox < g.outW; ox++) {
                        for (int oc = 0; oc < g.outC; oc++) {
                            double acc = b[oc];
                            for (int ky = 0; ky < g.kh; ky++) {
                                for (int kx = 0; kx < g.kw; kx++) {
                                    int iy = oy * g.strideH - g.padTop + ky;
                                    int ix = ox * g.strideW - g.padLeft + kx;
                                    if (iy < 0 || iy >= g.inH || ix < 0 || ix >= g.inW) {
                                        continue;
                                    }
                                    for (int ic = 0; ic < g.inC; ic++) {
                                        float xv = a[xOff + s * stride + (iy * g.inW + ix) * g.inC + ic];
                                        float wv = w[((oc * g.kh + ky) * g.kw + kx) * g.inC + ic];
                                        acc += (double) xv * wv;
                                    }
                                }
                            }
                            a[yOff + s * stride + (oy * g.outW + ox) * g.outC + oc] = clamp(acc, min, max);
                        }
                    }
                }
            }
        }
    }

    /** Output channel oc = c * m + j reads input channel c = oc / m; filter [kh][kw][c * m]. */
    static final class DepthwiseConv2D extends Kernel {
        final int stride;
        final OpContext.Window g;
        final float[] w, b;
        final int mult, xOff, yOff;
        final float min, max;

        DepthwiseConv2D(OpContext c) {
            int[] ws = c.constant(1).shape();
            g = c.window(ws[0], ws[1]);
            w = c.weightFloats(1);
            b = c.floatsOrZeros(2, g.outC);
            mult = c.attrs().getInt("multiplier", 1);
            xOff = c.inOffset(0);
            stride = c.sampleStride();
            yOff = c.outOffset();
            min = c.activation().min();
            max = c.activation().max();
        }

        @Override
        public void run(Arena m, int from, int to) {
            float[] a = m.f;
            float[] scratch = m.fs;
            for (int s = from; s < to; s++) {
                for (int oy = 0; oy < g.outH; oy++) {
                    for (int ox = 0; ox < g.outW; ox++) {
                        for (int oc = 0; oc < g.outC; oc++) {
                            int ic = oc / mult;
                            double acc = b[oc];
                            for (int ky = 0; ky < g.kh; ky++) {
                                for (int kx = 0; kx < g.kw; kx++) {
                                    int iy = oy * g.strideH - g.padTop + ky;
                                    int ix = ox * g.strideW - g.padLeft + kx;
                                    if (iy < 0 || iy >= g.inH || ix < 0 || ix >= g.inW) {
                                        continue;
                                    }
                                    acc += (double) a[xOff + s * stride + (iy * g.inW + ix) * g.inC + ic]
                                            * w[(ky * g.kw + kx) * g.outC + oc];
                                }
                            }
                            a[yOff + s * stride + (oy * g.outW + ox) * g.outC + oc] = clamp(acc, min, max);
                        }
                    }
                }
            }
        }
    }

    /** Max or average over the in-bounds cells of each window (padding cells are ignored, as TensorFlow). */
    static final class Pool extends Kernel {
        final int stride;
        final OpContext.Window g;
        final boolean isMax;
        final int xOff, yOff;

        Pool(OpContext c, boolean isMax) {
            int[] win = c.attrs().getInts("window", null);
            g = c.window(win[0], win[1]);
            this.isMax = isMax;
            xOff = c.inOffset(0);
            stride = c.sampleStride();
            yOff = c.outOffset();
        }

        @Override
        public void run(Arena m, int from, int to) {
            float[] a = m.f;
            float[] scratch = m.fs;
            for (int s = from; s < to; s++) {
                for (int oy = 0; oy < g.outH; oy++) {
                    for (int ox = 0; ox < g.outW; ox++) {
                        for (int c = 0; c < g.outC; c++) {
                            double acc = isMax ? Double.NEGATIVE_INFINITY : 0;
                            int count = 0;
                            for (int ky = 0; ky < g.kh; ky++) {
                                for (int kx = 0; kx < g.kw; kx++) {
                                    int iy = oy * g.strideH - g.padTop + ky;
                                    int ix = ox * g.strideW - g.padLeft + kx;
                                    if (iy < 0 || iy >= g.inH || ix < 0 || ix >= g.inW) {
                                        continue;
                                    }
                                    float v = a[xOff + s * stride + (iy * g.inW + ix) * g.inC + c];
                                    acc = isMax ? Math.max(acc, v) : acc + v;
                                    count++;
                                }
                            }
                            a[yOff + s * stride + (oy * g.outW + ox) * g.outC + c] = (float) (isMax ? acc : acc / count);
                        }
                    }
                }
            }
        }
    }

    static final class GlobalPool extends Kernel {
        final int stride;
        final boolean isMax;
        final int hw, ch, xOff, yOff;

        GlobalPool(OpContext c, boolean isMax) {
            int[] x = c.inShape(0);
            this.isMax = isMax;
            hw = x[0] * x[1];
            ch = x[2];
            xOff = c.inOffset(0);
            stride = c.sampleStride();
            yOff = c.outOffset();
        }

        @Override
        public void run(Arena m, int from, int to) {
            float[] a = m.f;
            float[] scratch = m.fs;
            for (int s = from; s < to; s++) {
                for (int c = 0; c < ch; c++) {
                    double acc = isMax ? Double.NEGATIVE_INFINITY : 0;
                    for (int p = 0; p < hw; p++) {
                        float v = a[xOff + s * stride + p * ch + c];
                        acc = isMax ? Math.max(acc, v) : acc + v;
                    }
                    a[yOff + s * stride + c] = (float) (isMax ? acc : acc / hw);
                }
            }
        }
    }

    static final class Add extends Kernel {
        final int stride;
        final int n, x0, x1, yOff;
        final float min, max;

        Add(OpContext c) {
            n = c.outSize();
            x0 = c.inOffset(0);
            x1 = c.inOffset(1);
            yOff = c.outOffset();
            stride = c.sampleStride();
            min = c.activation().min();
            max = c.activation().max();
        }

        @Override
        public void run(Arena m, int from, int to) {
            float[] a = m.f;
            float[] scratch = m.fs;
            for (int s = from; s < to; s++) {
                int o = s * stride;
                for (int i = 0; i < n; i++) {
                    a[yOff + o + i] = clamp((double) a[x0 + o + i] + a[x1 + o + i], min, max);
                }
            }
        }
    }

    /** Copies each input's block of the concatenated axis into place. */
    static final class Concat extends Kernel {
        final int stride;
        final int[] inOff, inAxis, inSize;
        final int outer, inner, outAxis, outSize, yOff;

        Concat(OpContext c) {
            int[] out = c.outShape();
            int axis = c.attrs().getInt("axis", -1);
            int ax = axis < 0 ? axis + out.length : axis;
            int o = 1;
            for (int d = 0; d < ax; d++) {
                o *= out[d];
            }
            int in = 1;
            for (int d = ax + 1; d < out.length; d++) {
                in *= out[d];
            }
            outer = o;
            inner = in;
            outAxis = out[ax];
            outSize = c.outSize();
            yOff = c.outOffset();
            stride = c.sampleStride();
            int k = c.inputCount();
            inOff = new int[k];
            inAxis = new int[k];
            inSize = new int[k];
            for (int i = 0; i < k; i++) {
                inOff[i] = c.inOffset(i);
                inAxis[i] = c.inShape(i)[ax];
                inSize[i] = c.inSize(i);
            }
        }

        @Override
        public void run(Arena m, int from, int to) {
            float[] a = m.f;
            float[] scratch = m.fs;
            for (int s = from; s < to; s++) {
                for (int o = 0; o < outer; o++) {
                    int pos = 0;
                    for (int i = 0; i < inOff.length; i++) {
                        int len = inAxis[i] * inner;
                        System.arraycopy(a, inOff[i] + s * stride + o * len, a,
                                yOff + s * stride + (o * outAxis * inner) + pos, len);
                        pos += len;
                    }
                }
            }
        }
    }

    /** Flatten and Reshape: the values do not change, only the shape. */
    static final class Copy extends Kernel {
        final int stride;
        final int n, xOff, yOff;

        Copy(OpContext c) {
            n = c.outSize();
            xOff = c.inOffset(0);
            stride = c.sampleStride();
            yOff = c.outOffset();
        }

        @Override
        public void run(Arena m, int from, int to) {
            float[] a = m.f;
            float[] scratch = m.fs;
            if (xOff != yOff) {
                for (int s = from; s < to; s++) {
                    System.arraycopy(a, xOff + s * stride, a, yOff + s * stride, n);
                }
            }
        }
    }

    static final class Clamp extends Kernel {
        final int stride;
        final int n, xOff, yOff;
        final float min, max;

        Clamp(OpContext c, float min, float max) {
            n = c.outSize();
            xOff = c.inOffset(0);
            stride = c.sampleStride();
            yOff = c.outOffset();
            this.min = min;
            this.max = max;
        }

        @Override
        public void run(Arena m, int from, int to) {
            float[] a = m.f;
            float[] scratch = m.fs;
            for (int s = from; s < to; s++) {
                int o = s * stride;
                for (int i = 0; i < n; i++) {
                    a[yOff + o + i] = clamp(a[xOff + o + i], min, max);
                }
            }
        }
    }

    static final class Sigmoid extends Kernel {
        final int stride;
        final int n, xOff, yOff;

        Sigmoid(OpContext c) {
            n = c.outSize();
            xOff = c.inOffset(0);
            stride = c.sampleStride();
            yOff = c.outOffset();
        }

        @Override
        public void run(Arena m, int from, int to) {
            float[] a = m.f;
            float[] scratch = m.fs;
            for (int s = from; s < to; s++) {
                int o = s * stride;
                for (int i = 0; i < n; i++) {
                    a[yOff + o + i] = (float) (1.0 / (1.0 + Math.exp(-a[xOff + o + i])));
                }
            }
        }
    }

    /** Softmax over the last axis: exp(x - max) / sum. */
    static final class Softmax extends Kernel {
        final int stride;
        final int rows, len, xOff, yOff;

        Softmax(OpContext c) {
            int[] s = c.outShape();
            len = s[s.length - 1];
            rows = c.outSize() / len;
            xOff = c.inOffset(0);
            stride = c.sampleStride();
            yOff = c.outOffset();
        }

        @Override
        public void run(Arena m, int from, int to) {
            float[] a = m.f;
            float[] scratch = m.fs;
            for (int s = from; s < to; s++) {
                for (int r = 0; r < rows; r++) {
                    softmax(a, xOff + s * stride + r * len, a, yOff + s * stride + r * len, len);
                }
            }
        }
    }

    /** Numerically stable softmax of {@code x[xo, xo + n)} into {@code y[yo, yo + n)}. */
    public static void softmax(float[] x, int xo, float[] y, int yo, int n) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            m = Math.max(m, x[xo + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double e = Math.exp(x[xo + i] - m);
            y[yo + i] = (float) e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) {
            y[yo + i] *= inv;
        }
    }
}
