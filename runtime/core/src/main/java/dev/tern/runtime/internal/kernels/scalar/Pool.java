package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.quant.Int8;

import java.util.Arrays;

/**
 * Every pooling op of the scalar backend, f32 and int8: max or average with channels
 * innermost, the in-bounds window computed once per output pixel and walked row by row with
 * a same-index loop over the channels into scratch accumulators. A global pool is the window
 * over the whole image ({@link OpContext#globalWindow()}). f32 averages multiply by
 * 1 / count; int8 averages are the reference's rounded integer averages; an empty window
 * gives -Inf (f32) or -128 (int8) for max. Scratch: c floats (f32) or c ints (int8).
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
    public int scratchFloats() {
        return int8 ? 0 : g.outC;
    }

    @Override
    public int scratchInts() {
        return int8 ? g.outC : 0;
    }

    @Override
    public void run(Arena m, int from, int to) {
        for (int s = from; s < to; s++) {
            int xs = xOff + s * stride;
            for (int oy = 0; oy < g.outH; oy++) {
                int y0 = Math.max(oy * g.strideH - g.padTop, 0);
                int y1 = Math.min(oy * g.strideH - g.padTop + g.kh, g.inH);
                for (int ox = 0; ox < g.outW; ox++) {
                    int x0 = Math.max(ox * g.strideW - g.padLeft, 0);
                    int x1 = Math.min(ox * g.strideW - g.padLeft + g.kw, g.inW);
                    int yo = yOff + s * stride + (oy * g.outW + ox) * g.outC;
                    if (int8) {
                        int8Window(m.q, m.is, xs, y0, y1, x0, x1, yo);
                    } else {
                        floatWindow(m.f, m.fs, xs, y0, y1, x0, x1, yo);
                    }
                }
            }
        }
    }

    private void floatWindow(float[] a, float[] acc, int xs, int y0, int y1, int x0, int x1, int yo) {
        final int ch = g.outC;
        Arrays.fill(acc, 0, ch, isMax ? Float.NEGATIVE_INFINITY : 0f);
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

    private void int8Window(byte[] q, int[] acc, int xs, int y0, int y1, int x0, int x1, int yo) {
        final int ch = g.outC;
        Arrays.fill(acc, 0, ch, isMax ? Int8.MIN : 0);
        for (int iy = y0; iy < y1; iy++) {
            for (int ix = x0; ix < x1; ix++) {
                int xp = xs + (iy * g.inW + ix) * ch;
                if (isMax) {
                    for (int c = 0; c < ch; c++) {
                        acc[c] = Math.max(acc[c], q[xp + c]);
                    }
                } else {
                    for (int c = 0; c < ch; c++) {
                        acc[c] += q[xp + c];
                    }
                }
            }
        }
        int count = (y1 - y0) * (x1 - x0);
        for (int c = 0; c < ch; c++) {
            q[yo + c] = (byte) (isMax ? acc[c] : Int8.clamp(Int8.roundedAverage(acc[c], count)));
        }
    }
}
