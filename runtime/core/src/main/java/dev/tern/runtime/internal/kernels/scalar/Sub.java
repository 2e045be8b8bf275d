package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-sub-scalar}: y = x0 - x1, with numpy broadcasting ({@link Binary}). */
public final class Sub extends Binary {
    public Sub(OpContext c) {
        super(c, SUB, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    }
}
