package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-min-scalar}: y = min(x0, x1), with numpy broadcasting ({@link Binary}). */
public final class Min extends Binary {
    public Min(OpContext c) {
        super(c, MIN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    }
}
