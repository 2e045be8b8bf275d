package dev.tern.runtime.vector;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import static dev.tern.runtime.vector.Lanes.F;
import static dev.tern.runtime.vector.Lanes.B;
/**
 * Pooling on the vector backend: {@code f32-max_pool-vector} and {@code int8-max_pool-vector}
 * (the other pool ops run the scalar backend's). The window walk both max pools share: per output pixel its clipped window [y0, y1) x
 * [x0, x1), handed to {@link #window}; {@link #taps} lists a whole window's tap offsets
 * from its first (row by row), for the flat vector loops.
 */
abstract class Pool extends Kernel {
    final OpContext.Window g;
    final int xOff, yOff, stride;
    final int[] taps;

    Pool(OpContext c, int stride) {
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

    /**
     * Max pooling over NHWC, a vector of channels at a time: the window's first tap, then a
     * lanewise max with each further tap, as blends that give Math.max's result for every
     * pair (NaN wins, +0 beats -0), since FloatVector.max pulled paths C2 on JDK 17 did not
     * inline. Starting from the first tap equals starting from -Inf. Clipped windows and
     * tail channels scalar; an empty window gives -Inf as the scalar kernel.
     */
    static final class Max extends Pool {
        Max(OpContext c) {
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

    /**
     * Int8 max pooling (input and output share scale and zero point, so it is a max of bytes):
     * vectors of {@link Lanes#B} bytes of channels over a flat tap list for whole windows; clipped
     * windows and tail channels scalar; an empty window gives -128 as the scalar kernel.
     */
    static final class Int8Max extends Pool {
        Int8Max(OpContext c) {
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
}
