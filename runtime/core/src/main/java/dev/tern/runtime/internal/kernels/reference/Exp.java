package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-exp-reference}: y = exp(x) ({@link Unary}). */
public final class Exp extends Unary {
    public Exp(OpContext c) {
        super(c, EXP, 0, 0);
    }
}
