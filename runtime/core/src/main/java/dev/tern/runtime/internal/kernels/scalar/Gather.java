package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/**
 * The data-movement ops (transpose, slice, pad), f32, scalar: the reference's index map
 * ({@link dev.tern.runtime.internal.kernels.reference.Broadcast}) cut at plan time into runs,
 * each a block copy ({@code System.arraycopy}) of consecutive inputs or a fill with the
 * constant. A channel slice or split of an NHWC tensor is one run per pixel, a pad one run per
 * row plus fills. Where the runs average fewer than {@link #MIN_RUN} elements (a transpose
 * that moves the innermost axis) the element loop over the map runs instead, as the
 * reference's. Copies: the reference's values bit for bit.
 */
public abstract class Gather extends Kernel {
    /** Average run length below which the element loop runs. */
    static final int MIN_RUN = 4;

    final int n, stride, xOff, yOff;
    final int[] idx;
    final float value;
    /** Runs as (output start, input start or -1 for the constant, length); null for the element loop. */
    final int[] runs;

    Gather(OpContext c, int[] idx, float value) {
        this.idx = idx;
        this.value = value;
        n = c.outSize();
        stride = c.sampleStride();
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        runs = runs(idx);
    }

    /** The runs of the map, or null where they average fewer than {@link #MIN_RUN} elements. */
    static int[] runs(int[] idx) {
        int count = 0;
        for (int i = 0; i < idx.length; i++) {
            if (i == 0 || !continues(idx, i)) {
                count++;
            }
        }
        if (count == 0 || idx.length < MIN_RUN * count) {
            return null;
        }
        int[] r = new int[3 * count];
        int k = -3;
        for (int i = 0; i < idx.length; i++) {
            if (i == 0 || !continues(idx, i)) {
                k += 3;
                r[k] = i;
                r[k + 1] = idx[i];
            }
            r[k + 2]++;
        }
        return r;
    }

    private static boolean continues(int[] idx, int i) {
        return idx[i] < 0 ? idx[i - 1] < 0 : idx[i - 1] >= 0 && idx[i] == idx[i - 1] + 1;
    }

    @Override
    public final void run(Arena m, int from, int to) {
        float[] a = m.f;
        for (int s = from; s < to; s++) {
            int o = s * stride;
            if (runs == null) {
                for (int i = 0; i < n; i++) {
                    int j = idx[i];
                    a[yOff + o + i] = j < 0 ? value : a[xOff + o + j];
                }
                continue;
            }
            for (int k = 0; k < runs.length; k += 3) {
                int y = yOff + o + runs[k];
                int len = runs[k + 2];
                if (runs[k + 1] < 0) {
                    java.util.Arrays.fill(a, y, y + len, value);
                } else {
                    System.arraycopy(a, xOff + o + runs[k + 1], a, y, len);
                }
            }
        }
    }
}
