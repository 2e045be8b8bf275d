package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.kernels.reference.OutputStage;
import dev.tern.runtime.internal.quant.FixedPoint;

/** The last step of the scalar Dense and convolutions: a row of accumulators into the arena. */
final class Store {
    private Store() {
    }

    /** Clamps acc[0, n) into y[yo, yo + n). */
    static void clamped(float[] acc, float[] y, int yo, int n, float min, float max) {
        for (int o = 0; o < n; o++) {
            y[yo + o] = Math.min(Math.max(acc[o], min), max);
        }
    }

    /** Requantizes acc[0, n) into q[yo, yo + n). */
    static void requantized(int[] acc, byte[] q, int yo, int n, OutputStage st) {
        for (int o = 0; o < n; o++) {
            q[yo + o] = (byte) FixedPoint.requantize(acc[o], st.mult[o], st.shift[o], st.outZero, st.min, st.max);
        }
    }
}
