package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-reciprocal-scalar}: y = 1 / x, the correctly rounded float quotient (bit for bit the reference) ({@link Unary}). */
public final class Reciprocal extends Unary {
    public Reciprocal(OpContext c) {
        super(c, RECIPROCAL, 0, 0);
    }
}
