package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.model.ShapeInference;

import java.util.Arrays;

/**
 * {@code f32-matmul-reference}: [..., m, k] x [..., k, n] with numpy broadcasting over the
 * leading axes; input 1 may be a constant. Double accumulator.
 */
public final class MatMul extends Kernel {
    /** The geometry, shared with the scalar and vector kernels: [m, k] x [k, n] per batch, per batch the offsets of its x and w matrices. */
    public final int m, k, n, batches, stride, xOff, wOff, yOff;
    public final int[] xBase, wBase;
    /** The constant w, or null when w is an activation at wOff. */
    public final float[] w;

    public MatMul(OpContext c) {
        int[] x = c.inShape(0);
        wOff = c.inOffset(1);
        int[] ws = wOff < 0 ? c.constant(1).shape() : c.inShape(1);
        w = wOff < 0 ? c.constant(1).floats() : null;
        m = x[x.length - 2];
        k = x[x.length - 1];
        n = ws[ws.length - 1];
        int[] xl = Arrays.copyOf(x, x.length - 2);
        int[] wl = Arrays.copyOf(ws, ws.length - 2);
        int[] lead = ShapeInference.broadcast(xl, wl);
        int[] xi = Broadcast.index(lead, xl);
        int[] wi = Broadcast.index(lead, wl);
        batches = Broadcast.size(lead);
        xBase = new int[batches];
        wBase = new int[batches];
        for (int b = 0; b < batches; b++) {
            xBase[b] = (xi == null ? b : xi[b]) * m * k;
            wBase[b] = (wi == null ? b : wi[b]) * k * n;
        }
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.sampleStride();
    }

    @Override
    public void run(Arena mem, int from, int to) {
        float[] a = mem.f;
        for (int s = from; s < to; s++) {
            int o = s * stride;
            for (int b = 0; b < batches; b++) {
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double acc = 0;
                        for (int t = 0; t < k; t++) {
                            int wi = wBase[b] + t * n + j;
                            acc += (double) a[xOff + o + xBase[b] + i * k + t] * (w != null ? w[wi] : a[wOff + o + wi]);
                        }
                        a[yOff + o + (b * m + i) * n + j] = (float) acc;
                    }
                }
            }
        }
    }
}
