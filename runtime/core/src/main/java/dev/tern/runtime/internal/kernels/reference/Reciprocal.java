package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-reciprocal-reference}: y = 1 / x ({@link Unary}). */
public final class Reciprocal extends Unary {
    public Reciprocal(OpContext c) {
        super(c, RECIPROCAL, 0, 0);
    }
}
