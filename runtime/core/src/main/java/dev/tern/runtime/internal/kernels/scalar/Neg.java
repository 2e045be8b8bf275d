package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-neg-scalar}: y = -x (bit for bit the reference) ({@link Unary}). */
public final class Neg extends Unary {
    public Neg(OpContext c) {
        super(c, NEG, 0, 0);
    }
}
