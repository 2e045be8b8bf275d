package dev.tern.runtime.internal.kernels;

import dev.tern.runtime.Backend;
import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.KernelFactory;
import dev.tern.runtime.internal.KernelRegistry;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.quant.FixedPoint;
import dev.tern.runtime.internal.quant.Int8;
import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.ValueType;

/**
 * Reference int8 kernels: the oracle of the int8 scheme (docs/FORMAT.md, "Int8 arithmetic"),
 * written straight from each op's definition with int32 accumulation and the fixed-point
 * requantization of {@link FixedPoint}. Every other int8 kernel must give the same bytes.
 */
public final class Int8ReferenceKernels {
    private Int8ReferenceKernels() {
    }

    public static void register() {
        reg(OpType.QUANTIZE, Quantize::new);
        reg(OpType.DEQUANTIZE, Dequantize::new);
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
        reg(OpType.RELU, ctx -> new Clamp(ctx, Activation.RELU));
        reg(OpType.RELU6, ctx -> new Clamp(ctx, Activation.RELU6));
    }

    private static void reg(OpType op, KernelFactory f) {
        KernelRegistry.register(op, DType.INT8, Backend.REFERENCE, "int8-" + op.id() + "-reference", f);
    }

    /** Integer average rounded half away from zero (TFLite's average pooling). */
    static int roundedAverage(int sum, int count) {
        return sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
    }

    static int clampInt8(int v) {
        return v < Int8.MIN ? Int8.MIN : (v > Int8.MAX ? Int8.MAX : v);
    }

    /**
     * What Dense and the convolutions share: input zero point, per-channel requantization
     * (multiplier, shift), output zero point and the fused activation's int8 bounds.
     */
    static final class OutputStage {
        final int inZero, outZero, min, max;
        final int[] mult, shift;
        final int[] bias;

        OutputStage(OpContext c, int channelAxis) {
            ValueType x = c.inType(0);
            ValueType y = c.outType();
            float[] ws = c.weightScales(1, channelAxis);
            int[][] ms = Int8.channelMultipliers(x.scale(), ws, y.scale());
            mult = ms[0];
            shift = ms[1];
            inZero = x.zeroPoint();
            outZero = y.zeroPoint();
            int[] b = Int8.activationBounds(c.activation(), y.scale(), y.zeroPoint());
            min = b[0];
            max = b[1];
            bias = c.intsOrZeros(2, ws.length);
        }

        byte out(int acc, int channel) {
            return (byte) FixedPoint.requantize(acc, mult[channel], shift[channel], outZero, min, max);
        }
    }

    static final class Quantize extends Kernel {
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
        public void run(Arena m, int from, int to) {
            for (int s = from; s < to; s++) {
                for (int i = 0; i < n; i++) {
                    m.q[yOff + s * qStride + i] = (byte) Int8.quantize(m.f[xOff + s * stride + i], scale, zero);
                }
            }
        }
    }

    static final class Dequantize extends Kernel {
        final int n, xOff, yOff, stride, qStride, zero;
        final float scale;

        Dequantize(OpContext c) {
            n = c.outSize();
            xOff = c.inOffset(0);
            yOff = c.outOffset();
            stride = c.sampleStride();
            qStride = c.int8Stride();
            scale = c.inType(0).scale();
            zero = c.inType(0).zeroPoint();
        }

        @Override
        public void run(Arena m, int from, int to) {
            for (int s = from; s < to; s++) {
                for (int i = 0; i < n; i++) {
                    m.f[yOff + s * stride + i] = Int8.dequantize(m.q[xOff + s * qStride + i], scale, zero);
                }
            }
        }
    }

    /** y[o] = requantize(b[o] + sum_i (x[i] - zx) w[o][i]); W is [out, in] row-major. */
    static final class Dense extends Kernel {
        final int in, out, xOff, yOff, stride;
        final byte[] w;
        final OutputStage st;

        Dense(OpContext c) {
            in = c.inSize(0);
            out = c.outSize();
            xOff = c.inOffset(0);
            yOff = c.outOffset();
            stride = c.int8Stride();
            w = c.int8s(1);
            st = new OutputStage(c, 0);
        }

        @Override
        public void run(Arena m, int from, int to) {
            byte[] q = m.q;
            for (int s = from; s < to; s++) {
                for (int o = 0; o < out; o++) {
                    int acc = st.bias[o];
                    for (int i = 0; i < in; i++) {
                        acc += (q[xOff + s * stride + i] - st.inZero) * w[o * in + i];
                    }
                    q[yOff + s * stride + o] = st.out(acc, o);
                }
            }
        }
    }

    /** NHWC convolution; padding cells hold the real value 0 (q = zx) and so add nothing. */
    static final class Conv2D extends Kernel {
        final OpContext.Window g;
        final byte[] w;
        final int xOff, yOff, stride;
        final OutputStage st;

        Conv2D(OpContext c) {
            int[] ws = c.constant(1).shape();
            g = c.window(ws[1], ws[2]);
            w = c.int8s(1);
            xOff = c.inOffset(0);
            yOff = c.outOffset();
            stride = c.int8Stride();
            st = new OutputStage(c, 0);
        }

        @Override
        public void run(Arena m, int from, int to) {
            byte[] q = m.q;
            for (int s = from; s < to; s++) {
                for (int oy = 0; oy < g.outH; oy++) {
                    for (int ox = 0; ox < g.outW; ox++) {
                        for (int oc = 0; oc < g.outC; oc++) {
                            int acc = st.bias[oc];
                            for (int ky = 0; ky < g.kh; ky++) {
                                for (int kx = 0; kx < g.kw; kx++) {
                                    int iy = oy * g.strideH - g.padTop + ky;
                                    int ix = ox * g.strideW - g.padLeft + kx;
                                    if (iy < 0 || iy >= g.inH || ix < 0 || ix >= g.inW) {
                                        continue;
                                    }
                                    for (int ic = 0; ic < g.inC; ic++) {
                                        int xv = q[xOff + s * stride + (iy * g.inW + ix) * g.inC + ic] - st.inZero;
                                        acc += xv * w[((oc * g.kh + ky) * g.kw + kx) * g.inC + ic];
                                    }
                                }
                            }
                            q[yOff + s * stride + (oy * g.outW + ox) * g.outC + oc] = st.out(acc, oc);
                        }
                    }
                }
            }
        }
    }

    /** Output channel oc reads input channel oc / multiplier; filter [kh, kw, c * m]. */
    static final class DepthwiseConv2D extends Kernel {
        final OpContext.Window g;
        final byte[] w;
        final int mult, xOff, yOff, stride;
        final OutputStage st;

        DepthwiseConv2D(OpContext c) {
            int[] ws = c.constant(1).shape();
            g = c.window(ws[0], ws[1]);
            w = c.int8s(1);
            mult = c.attrs().getInt("multiplier", 1);
            xOff = c.inOffset(0);
            yOff = c.outOffset();
            stride = c.int8Stride();
            st = new OutputStage(c, 2);
        }

        @Override
        public void run(Arena m, int from, int to) {
            byte[] q = m.q;
            for (int s = from; s < to; s++) {
                for (int oy = 0; oy < g.outH; oy++) {
                    for (int ox = 0; ox < g.outW; ox++) {
                        for (int oc = 0; oc < g.outC; oc++) {
                            int acc = st.bias[oc];
                            for (int ky = 0; ky < g.kh; ky++) {
                                for (int kx = 0; kx < g.kw; kx++) {
                                    int iy = oy * g.strideH - g.padTop + ky;
                                    int ix = ox * g.strideW - g.padLeft + kx;
                                    if (iy < 0 || iy >= g.inH || ix < 0 || ix >= g.inW) {
                                        continue;
                                    }
                                    int xv = q[xOff + s * stride + (iy * g.inW + ix) * g.inC + oc / mult] - st.inZero;
                                    acc += xv * w[(ky * g.kw + kx) * g.outC + oc];
                                }
                            }
                            q[yOff + s * stride + (oy * g.outW + ox) * g.outC + oc] = st.out(acc, oc);
                        }
                    }
                }
            }
        }
    }

    /** Max, or rounded integer average, over the in-bounds cells; the output keeps the input's scale and zero point. */
    static final class Pool extends Kernel {
        final OpContext.Window g;
        final boolean isMax;
        final int xOff, yOff, stride;

        Pool(OpContext c, boolean isMax) {
            int[] win = c.attrs().getInts("window", null);
            g = c.window(win[0], win[1]);
            this.isMax = isMax;
            xOff = c.inOffset(0);
            yOff = c.outOffset();
            stride = c.int8Stride();
        }

        @Override
        public void run(Arena m, int from, int to) {
            byte[] q = m.q;
            for (int s = from; s < to; s++) {
                for (int oy = 0; oy < g.outH; oy++) {
                    for (int ox = 0; ox < g.outW; ox++) {
                        for (int c = 0; c < g.outC; c++) {
                            int acc = isMax ? Int8.MIN : 0;
                            int count = 0;
                            for (int ky = 0; ky < g.kh; ky++) {
                                for (int kx = 0; kx < g.kw; kx++) {
                                    int iy = oy * g.strideH - g.padTop + ky;
                                    int ix = ox * g.strideW - g.padLeft + kx;
                                    if (iy < 0 || iy >= g.inH || ix < 0 || ix >= g.inW) {
                                        continue;
                                    }
                                    int v = q[xOff + s * stride + (iy * g.inW + ix) * g.inC + c];
                                    acc = isMax ? Math.max(acc, v) : acc + v;
                                    count++;
                                }
                            }
                            q[yOff + s * stride + (oy * g.outW + ox) * g.outC + c] =
                                    (byte) (isMax ? acc : clampInt8(roundedAverage(acc, count)));
                        }
                    }
                }
            }
        }
    }

    static final class GlobalPool extends Kernel {
        final boolean isMax;
        final int hw, ch, xOff, yOff, stride;

        GlobalPool(OpContext c, boolean isMax) {
            int[] x = c.inShape(0);
            this.isMax = isMax;
            hw = x[0] * x[1];
            ch = x[2];
            xOff = c.inOffset(0);
            yOff = c.outOffset();
            stride = c.int8Stride();
        }

        @Override
        public void run(Arena m, int from, int to) {
            byte[] q = m.q;
            for (int s = from; s < to; s++) {
                for (int c = 0; c < ch; c++) {
                    int acc = isMax ? Int8.MIN : 0;
                    for (int p = 0; p < hw; p++) {
                        int v = q[xOff + s * stride + p * ch + c];
                        acc = isMax ? Math.max(acc, v) : acc + v;
                    }
                    q[yOff + s * stride + c] = (byte) (isMax ? acc : clampInt8(roundedAverage(acc, hw)));
                }
            }
        }
    }

    /**
     * TFLite's int8 add: both inputs, shifted left by 20 bits, are rescaled to twice the larger
     * input scale, summed, and the sum rescaled to the output scale; then zero point and clamp.
     */
    static final class Add extends Kernel {
        final int n, x0, x1, yOff, stride;
        final int z0, z1, zo, min, max;
        final FixedPoint.Multiplier m0, m1, mo;

        Add(OpContext c) {
            n = c.outSize();
            x0 = c.inOffset(0);
            x1 = c.inOffset(1);
            yOff = c.outOffset();
            stride = c.int8Stride();
            ValueType a = c.inType(0);
            ValueType b = c.inType(1);
            ValueType y = c.outType();
            float twiceMax = 2 * Math.max(a.scale(), b.scale());
            m0 = FixedPoint.quantizeMultiplier(a.scale() / (double) twiceMax);
            m1 = FixedPoint.quantizeMultiplier(b.scale() / (double) twiceMax);
            mo = FixedPoint.quantizeMultiplier(twiceMax / ((double) (1 << Int8.RESCALE_SHIFT) * y.scale()));
            z0 = a.zeroPoint();
            z1 = b.zeroPoint();
            zo = y.zeroPoint();
            int[] bounds = Int8.activationBounds(c.activation(), y.scale(), y.zeroPoint());
            min = bounds[0];
            max = bounds[1];
        }

        @Override
        public void run(Arena m, int from, int to) {
            byte[] q = m.q;
            for (int s = from; s < to; s++) {
                int o = s * stride;
                for (int i = 0; i < n; i++) {
                    int a = FixedPoint.multiplyByQuantizedMultiplier((q[x0 + o + i] - z0) << Int8.RESCALE_SHIFT, m0.multiplier, m0.shift);
                    int b = FixedPoint.multiplyByQuantizedMultiplier((q[x1 + o + i] - z1) << Int8.RESCALE_SHIFT, m1.multiplier, m1.shift);
                    q[yOff + o + i] = (byte) FixedPoint.requantize(a + b, mo.multiplier, mo.shift, zo, min, max);
                }
            }
        }
    }

    /**
     * Concatenation; an input whose scale and zero point differ from the output's is rescaled
     * (shifted left by 20 bits, one fixed-point multiply to the output scale, zero point, clamp).
     */
    static final class Concat extends Kernel {
        final int[] inOff, inAxis, inZero, inMult, inShift;
        final boolean[] same;
        final int outer, inner, outAxis, yOff, stride, outZero;

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
            yOff = c.outOffset();
            stride = c.int8Stride();
            ValueType y = c.outType();
            outZero = y.zeroPoint();
            int k = c.inputCount();
            inOff = new int[k];
            inAxis = new int[k];
            inZero = new int[k];
            inMult = new int[k];
            inShift = new int[k];
            same = new boolean[k];
            for (int i = 0; i < k; i++) {
                inOff[i] = c.inOffset(i);
                inAxis[i] = c.inShape(i)[ax];
                ValueType t = c.inType(i);
                same[i] = t.equals(y);
                inZero[i] = t.zeroPoint();
                FixedPoint.Multiplier mi = Int8.rescale(t.scale(), y.scale());
                inMult[i] = mi.multiplier;
                inShift[i] = mi.shift;
            }
        }

        @Override
        public void run(Arena m, int from, int to) {
            byte[] q = m.q;
            for (int s = from; s < to; s++) {
                for (int o = 0; o < outer; o++) {
                    int pos = 0;
                    for (int i = 0; i < inOff.length; i++) {
                        int len = inAxis[i] * inner;
                        int src = inOff[i] + s * stride + o * len;
                        int dst = yOff + s * stride + o * outAxis * inner + pos;
                        for (int j = 0; j < len; j++) {
                            q[dst + j] = same[i] ? q[src + j] : (byte) FixedPoint.requantize(
                                    (q[src + j] - inZero[i]) << Int8.RESCALE_SHIFT, inMult[i], inShift[i], outZero, Int8.MIN, Int8.MAX);
                        }
                        pos += len;
                    }
                }
            }
        }
    }

    /** Flatten and Reshape on int8: the bytes do not change (the planner aliases them, so this is usually a no-op). */
    static final class Copy extends Kernel {
        final int n, xOff, yOff, stride;

        Copy(OpContext c) {
            n = c.outSize();
            xOff = c.inOffset(0);
            yOff = c.outOffset();
            stride = c.int8Stride();
        }

        @Override
        public void run(Arena m, int from, int to) {
            if (xOff != yOff) {
                for (int s = from; s < to; s++) {
                    System.arraycopy(m.q, xOff + s * stride, m.q, yOff + s * stride, n);
                }
            }
        }
    }

    /** ReLU / ReLU6 on int8: a clamp to the activation's bounds in the input's quantization. */
    static final class Clamp extends Kernel {
        final int n, xOff, yOff, stride, min, max;

        Clamp(OpContext c, Activation act) {
            n = c.outSize();
            xOff = c.inOffset(0);
            yOff = c.outOffset();
            stride = c.int8Stride();
            int[] b = Int8.activationBounds(act, c.outType().scale(), c.outType().zeroPoint());
            min = b[0];
            max = b[1];
        }

        @Override
        public void run(Arena m, int from, int to) {
            byte[] q = m.q;
            for (int s = from; s < to; s++) {
                for (int i = 0; i < n; i++) {
                    int v = q[xOff + s * stride + i];
                    q[yOff + s * stride + i] = (byte) (v < min ? min : (v > max ? max : v));
                }
            }
        }
    }
}
