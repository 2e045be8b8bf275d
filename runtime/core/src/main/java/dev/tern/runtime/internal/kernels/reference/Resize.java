package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/**
 * {@code f32-resize-reference}: image [h, w, c] to [oh, ow, c], nearest or (bi)linear, with ONNX
 * Resize's coordinate transforms and nearest rounding modes; attr scales [sh, sw] when the model
 * gave scales (else oh / h and ow / w). Source positions and weights are computed at plan time.
 */
public final class Resize extends Kernel {
    /** The geometry, shared with the scalar kernel. */
    public final int inW, c, outH, outW, stride, xOff, yOff;
    public final boolean linear;
    /**
     * Per output row (column) its two source rows (columns) and the weight of the second: the
     * output interpolates (1 - w) src0 + w src1; nearest sets src1 = src0 and w = 0.
     */
    public final int[] y0, y1, x0, x1;
    public final float[] wy, wx;

    public Resize(OpContext ctx) {
        int[] in = ctx.inShape(0);
        int[] out = ctx.outShape();
        inW = in[1];
        c = in[2];
        outH = out[0];
        outW = out[1];
        boolean given = ctx.attrs().has("scales");
        float[] scales = ctx.attrs().getFloats("scales", new float[] {(float) out[0] / in[0], (float) out[1] / in[1]});
        linear = ctx.attrs().getString("mode", "nearest").equals("linear");
        String coord = ctx.attrs().getString("coordinate", "half_pixel");
        String nearest = ctx.attrs().getString("nearest", "round_prefer_floor");
        y0 = new int[outH];
        y1 = new int[outH];
        wy = new float[outH];
        x0 = new int[outW];
        x1 = new int[outW];
        wx = new float[outW];
        // ONNX: with scales, align_corners divides by the scaled length in * scale (not the rounded output size)
        axis(in[0], outH, given ? in[0] * (double) scales[0] : outH, scales[0], coord, nearest, y0, y1, wy);
        axis(in[1], outW, given ? in[1] * (double) scales[1] : outW, scales[1], coord, nearest, x0, x1, wx);
        xOff = ctx.inOffset(0);
        yOff = ctx.outOffset();
        stride = ctx.sampleStride();
    }

    private void axis(int in, int out, double length, float scale, String coord, String nearest, int[] i0, int[] i1, float[] w) {
        dev.tern.runtime.model.ResizeSampling.axis(in, out, length, scale, coord, nearest, linear, i0, i1, w);
    }

    @Override
    public void run(Arena m, int from, int to) {
        float[] a = m.f;
        for (int s = from; s < to; s++) {
            int xs = xOff + s * stride;
            int ys = yOff + s * stride;
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    int p00 = xs + (y0[oy] * inW + x0[ox]) * c;
                    int p01 = xs + (y0[oy] * inW + x1[ox]) * c;
                    int p10 = xs + (y1[oy] * inW + x0[ox]) * c;
                    int p11 = xs + (y1[oy] * inW + x1[ox]) * c;
                    double fy = wy[oy];
                    double fx = wx[ox];
                    for (int k = 0; k < c; k++) {
                        double top = a[p00 + k] + (a[p01 + k] - (double) a[p00 + k]) * fx;
                        double bottom = a[p10 + k] + (a[p11 + k] - (double) a[p10 + k]) * fx;
                        a[ys + (oy * outW + ox) * c + k] = (float) (top + (bottom - top) * fy);
                    }
                }
            }
        }
    }
}
