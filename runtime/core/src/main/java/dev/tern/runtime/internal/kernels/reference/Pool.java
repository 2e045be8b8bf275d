package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.quant.Int8;

/**
 * Every pooling op of the reference, f32 and int8: max or average over the in-bounds cells
 * of each window (padding cells are ignored, as TensorFlow; with count_include_pad an average
 * counts the padding cells inside the padded input as zeros, as ONNX). A global pool is the window
 * that covers the whole image ({@link OpContext#globalWindow()}). Sums and maxima in a double
 * (exact for int8 values); int8 averages are integer averages rounded half away from zero
 * ({@link Int8#roundedAverage}), and the output keeps the input's scale and zero point.
 * Names: {@code <dtype>-{max_pool,avg_pool,global_max_pool,global_avg_pool}-reference}.
 */
public final class Pool extends Kernel {
    final OpContext.Window g;
    final boolean isMax, int8;
    final int xOff, yOff, stride;

    /** Max or average pooling of this node's window ({@link OpContext#poolWindow()}: the whole image for the global pools). */
    public Pool(OpContext c, boolean isMax, boolean int8) {
        g = c.poolWindow();
        this.isMax = isMax;
        this.int8 = int8;
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = int8 ? c.int8Stride() : c.sampleStride();
    }

    @Override
    public void run(Arena m, int from, int to) {
        float[] a = m.f;
        byte[] q = m.q;
        for (int s = from; s < to; s++) {
            for (int oy = 0; oy < g.outH; oy++) {
                for (int ox = 0; ox < g.outW; ox++) {
                    for (int c = 0; c < g.outC; c++) {
                        double acc = isMax ? (int8 ? Int8.MIN : Double.NEGATIVE_INFINITY) : 0;
                        int count = 0;
                        for (int ky = 0; ky < g.kh; ky++) {
                            for (int kx = 0; kx < g.kw; kx++) {
                                int iy = oy * g.strideH - g.padTop + ky;
                                int ix = ox * g.strideW - g.padLeft + kx;
                                if (iy < 0 || iy >= g.inH || ix < 0 || ix >= g.inW) {
                                    if (g.countIncludePad && iy < g.inH + g.padBottom && ix < g.inW + g.padRight) {
                                        count++; // a padding cell (a zero) inside the padded input
                                    }
                                    continue;
                                }
                                int at = xOff + s * stride + (iy * g.inW + ix) * g.inC + c;
                                double v = int8 ? q[at] : a[at];
                                acc = isMax ? Math.max(acc, v) : acc + v;
                                count++;
                            }
                        }
                        int y = yOff + s * stride + (oy * g.outW + ox) * g.outC + c;
                        if (int8) {
                            q[y] = (byte) (isMax ? (int) acc : Int8.clamp(Int8.roundedAverage((int) acc, count)));
                        } else {
                            a[y] = (float) (isMax ? acc : acc / count);
                        }
                    }
                }
            }
        }
    }
}
