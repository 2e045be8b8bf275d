package dev.tern.runtime.vector;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import static dev.tern.runtime.vector.Lanes.F;
import static dev.tern.runtime.vector.ConvMicroKernels.edgeTaps;
import static dev.tern.runtime.vector.ConvMicroKernels.tapClass;

/**
 * Depthwise convolution, channels in vectors: for each output pixel and each block of L
 * output channels, one accumulator summed over the pixel's in-bounds taps, a flat loop over
 * the tap list of its class built at load (so C2 keeps the accumulator in a register; building
 * the list per pixel and clamping lane by lane had cost more than the FMAs, 2.8 GMAC/s on
 * MobileNetV2's 32-channel layer), clamped and stored as a vector. Output channel oc reads
 * input channel oc / multiplier: with multiplier 1 the input vector is contiguous; otherwise,
 * and for the channels past the last whole vector, scalar.
 */
final class DepthwiseConv2d extends Kernel {
    final OpContext.Window g;
    final float[] wp;
    final float[] b;
    final int cPad, mult, xOff, yOff, stride;
    final float min, max;
    /** Per tap class of the output pixels, (input offset, weight row) of its in-bounds taps ({@link ConvMicroKernels#edgeTaps}). */
    final int[][] edge;

    DepthwiseConv2d(OpContext c) {
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
        edge = edgeTaps(g, cPad, 1);
    }

    @Override
    public void run(Arena m, int from, int to) {
        final float[] a = m.f;
        final int cout = g.outC;
        final int cin = g.inC;
        final int full = mult == 1 ? cout - cout % F.length() : 0;
        for (int s = from; s < to; s++) {
            int xs = xOff + s * stride;
            int ys = yOff + s * stride;
            for (int oy = 0; oy < g.outH; oy++) {
                int ky0 = Math.max(0, g.padTop - oy * g.strideH);
                int ky1 = Math.max(ky0, Math.min(g.kh, g.inH + g.padTop - oy * g.strideH));
                for (int ox = 0; ox < g.outW; ox++) {
                    int kx0 = Math.max(0, g.padLeft - ox * g.strideW);
                    int kx1 = Math.max(kx0, Math.min(g.kw, g.inW + g.padLeft - ox * g.strideW));
                    int[] taps = edge[tapClass(g, ky0, ky1, kx0, kx1)];
                    int anchor = xs + ((oy * g.strideH - g.padTop) * g.inW + ox * g.strideW - g.padLeft) * cin;
                    int yo = ys + (oy * g.outW + ox) * cout;
                    int oc = 0;
                    for (; oc + 2 * F.length() <= full; oc += 2 * F.length()) {
                        vectors(a, taps, anchor, oc, yo);
                    }
                    if (oc < full) {
                        vector(a, taps, anchor, oc, yo);
                    }
                    for (oc = full; oc < cout; oc++) {
                        float acc = b[oc];
                        int ic = oc / mult;
                        for (int k = 0; k < taps.length; k += 2) {
                            acc += a[anchor + taps[k] + ic] * wp[taps[k + 1] + oc];
                        }
                        a[yo + oc] = Math.min(Math.max(acc, min), max);
                    }
                }
            }
        }
    }

    /** Channels [oc, oc + 2L) of one pixel (multiplier 1): two accumulators, each tap's offsets loaded once for both. */
    private void vectors(float[] a, int[] taps, int anchor, int oc, int yo) {
        final int lanes = F.length();
        FloatVector acc = FloatVector.fromArray(F, b, oc);
        FloatVector acc2 = FloatVector.fromArray(F, b, oc + lanes);
        for (int k = 0; k < taps.length; k += 2) {
            int xp = anchor + taps[k] + oc;
            int wr = taps[k + 1] + oc;
            acc = FloatVector.fromArray(F, a, xp).fma(FloatVector.fromArray(F, wp, wr), acc);
            acc2 = FloatVector.fromArray(F, a, xp + lanes).fma(FloatVector.fromArray(F, wp, wr + lanes), acc2);
        }
        acc = acc.blend(min, acc.compare(VectorOperators.LE, min));
        acc.blend(max, acc.compare(VectorOperators.GE, max)).intoArray(a, yo + oc);
        acc2 = acc2.blend(min, acc2.compare(VectorOperators.LE, min));
        acc2.blend(max, acc2.compare(VectorOperators.GE, max)).intoArray(a, yo + oc + lanes);
    }

    /**
     * Channels [oc, oc + L) of one pixel (multiplier 1) over its tap list, clamped by blends
     * as {@link Conv2d#store(float[], int, float[], int, float, float)} does.
     */
    private void vector(float[] a, int[] taps, int anchor, int oc, int yo) {
        FloatVector acc = FloatVector.fromArray(F, b, oc);
        for (int k = 0; k < taps.length; k += 2) {
            acc = FloatVector.fromArray(F, a, anchor + taps[k] + oc).fma(FloatVector.fromArray(F, wp, taps[k + 1] + oc), acc);
        }
        acc = acc.blend(min, acc.compare(VectorOperators.LE, min));
        acc.blend(max, acc.compare(VectorOperators.GE, max)).intoArray(a, yo + oc);
    }
}
