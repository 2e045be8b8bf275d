package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-max-scalar}: y = max(x0, x1), with numpy broadcasting ({@link Binary}). */
public final class Max extends Binary {
    public Max(OpContext c) {
        super(c, MAX, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    }
}
