package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/**
 * {@code f32-resize-scalar}: the reference's source rows, columns and weights per axis (ONNX's
 * coordinate transforms and rounding, computed once at plan time), applied a row at a time.
 * Along a row of outW x c outputs, element j reads source column element {@code col0[j]}
 * (and {@code col1[j]}, with weights {@code w0[j] = 1 - wx}, {@code w1[j] = wx}), a map of one
 * output row, not of the whole output.
 * <ul>
 * <li>nearest: each output row gathers its source row through col0; an output row with the
 * same source row as the one before is a copy of it (upsampling); the reference's values bit
 * for bit (for finite inputs: the reference's interpolation with weight 0 turns an infinite
 * input into NaN, a copy keeps it).</li>
 * <li>linear (separable): a source row is interpolated along x once into scratch
 * ({@code h = x[col0] w0 + x[col1] w1}); the two rows an output row needs are kept, so an
 * upsampled source row is interpolated once for all output rows that read it; the output
 * row is {@code h0 (1 - wy) + h1 wy}, a same-index loop over outW x c floats. Float products
 * and sums (the reference's in double): the tolerance of a dot product of 4 inputs with 4
 * weights.</li>
 * </ul>
 * Scratch (linear): 2 x outW x c floats.
 */
public final class Resize extends Kernel {
    final dev.tern.runtime.internal.kernels.reference.Resize g;
    /** Floats of an output row, of an input row. */
    final int rowLen, inRowLen;
    final int[] col0, col1;
    final float[] w0, w1, wy0;

    public Resize(OpContext ctx) {
        g = new dev.tern.runtime.internal.kernels.reference.Resize(ctx);
        final int c = g.c;
        rowLen = g.outW * c;
        inRowLen = g.inW * c;
        col0 = new int[rowLen];
        col1 = new int[rowLen];
        w0 = new float[rowLen];
        w1 = new float[rowLen];
        for (int ox = 0; ox < g.outW; ox++) {
            for (int k = 0; k < c; k++) {
                int j = ox * c + k;
                col0[j] = g.x0[ox] * c + k;
                col1[j] = g.x1[ox] * c + k;
                w0[j] = 1f - g.wx[ox];
                w1[j] = g.wx[ox];
            }
        }
        wy0 = new float[g.outH];
        for (int oy = 0; oy < g.outH; oy++) {
            wy0[oy] = 1f - g.wy[oy];
        }
    }

    @Override
    public int scratchFloats() {
        return g.linear ? 2 * rowLen : 0;
    }

    @Override
    public void run(Arena m, int from, int to) {
        final float[] a = m.f;
        for (int s = from; s < to; s++) {
            final int xs = g.xOff + s * g.stride;
            final int ys = g.yOff + s * g.stride;
            if (g.linear) {
                linear(a, m.fs, xs, ys);
            } else {
                nearest(a, xs, ys);
            }
        }
    }

    private void nearest(float[] a, int xs, int ys) {
        final int len = rowLen;
        final int[] col = col0;
        int prev = -1;
        for (int oy = 0; oy < g.outH; oy++) {
            final int y = ys + oy * len;
            final int sy = g.y0[oy];
            if (sy == prev) {
                System.arraycopy(a, y - len, a, y, len);
                continue;
            }
            final int x = xs + sy * inRowLen;
            for (int j = 0; j < len; j++) {
                a[y + j] = a[x + col[j]];
            }
            prev = sy;
        }
    }

    /** Slot 0 at fs[0, rowLen), slot 1 at fs[rowLen, 2 rowLen); held0 / held1 the source rows they hold. */
    private void linear(float[] a, float[] fs, int xs, int ys) {
        final int len = rowLen;
        int held0 = -1;
        int held1 = -1;
        for (int oy = 0; oy < g.outH; oy++) {
            final int p = g.y0[oy];
            final int q = g.y1[oy];
            // fill a slot that holds neither row of this output row
            if (p != held0 && p != held1) {
                if (q == held0) {
                    horizontal(a, fs, xs + p * inRowLen, len);
                    held1 = p;
                } else {
                    horizontal(a, fs, xs + p * inRowLen, 0);
                    held0 = p;
                }
            }
            if (q != held0 && q != held1) {
                if (p == held0) {
                    horizontal(a, fs, xs + q * inRowLen, len);
                    held1 = q;
                } else {
                    horizontal(a, fs, xs + q * inRowLen, 0);
                    held0 = q;
                }
            }
            final int hp = p == held0 ? 0 : len;
            final int hq = q == held0 ? 0 : len;
            final float v0 = wy0[oy];
            final float v1 = g.wy[oy];
            final int y = ys + oy * len;
            for (int j = 0; j < len; j++) {
                a[y + j] = fs[hp + j] * v0 + fs[hq + j] * v1;
            }
        }
    }

    /** fs[h, h + rowLen) = source row x interpolated along x. */
    private void horizontal(float[] a, float[] fs, int x, int h) {
        final int[] c0 = col0;
        final int[] c1 = col1;
        final float[] u0 = w0;
        final float[] u1 = w1;
        for (int j = 0; j < rowLen; j++) {
            fs[h + j] = a[x + c0[j]] * u0[j] + a[x + c1[j]] * u1[j];
        }
    }
}
