package dev.tern.runtime.vector;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import jdk.incubator.vector.FloatVector;

import static dev.tern.runtime.vector.Lanes.F;
import static dev.tern.runtime.vector.Lanes.L;

/**
 * Depthwise convolution, channels in vectors: for each output pixel and each block of L
 * output channels, one accumulator summed over the in-bounds taps (a flat loop over a
 * per-pixel tap list, so C2 keeps it in a register). Output channel oc reads input
 * channel oc / multiplier: with multiplier 1 the input vector is contiguous; otherwise
 * the pixel takes the scalar path. The channel tail goes through scratch.
 */
final class DepthwiseConv2d extends Kernel {
    final OpContext.Window g;
    final float[] wp;
    final float[] b;
    final int cPad, mult, xOff, yOff, stride;
    final float min, max;

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
