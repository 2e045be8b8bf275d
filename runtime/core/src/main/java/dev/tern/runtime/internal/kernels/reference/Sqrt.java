package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-sqrt-reference}: y = sqrt(x) ({@link Unary}). */
public final class Sqrt extends Unary {
    public Sqrt(OpContext c) {
        super(c, SQRT, 0, 0);
    }
}
