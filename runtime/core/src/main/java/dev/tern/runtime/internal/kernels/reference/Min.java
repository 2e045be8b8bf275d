package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-min-reference}: y = min(x0, x1), NaN when either is NaN, with numpy broadcasting ({@link Binary}). */
public final class Min extends Binary {
    public Min(OpContext c) {
        super(c, MIN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    }
}
