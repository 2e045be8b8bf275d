package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-mul-reference}: y = x0 x1, with numpy broadcasting ({@link Binary}). */
public final class Mul extends Binary {
    public Mul(OpContext c) {
        super(c, MUL, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    }
}
