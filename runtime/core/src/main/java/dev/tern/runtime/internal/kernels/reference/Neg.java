package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-neg-reference}: y = -x ({@link Unary}). */
public final class Neg extends Unary {
    public Neg(OpContext c) {
        super(c, NEG, 0, 0);
    }
}
