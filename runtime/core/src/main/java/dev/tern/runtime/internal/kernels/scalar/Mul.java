package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-mul-scalar}: y = x0 x1, with numpy broadcasting ({@link Binary}). */
public final class Mul extends Binary {
    public Mul(OpContext c) {
        super(c, MUL, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    }
}
