package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-tanh-reference}: y = tanh(x) ({@link Unary}). */
public final class Tanh extends Unary {
    public Tanh(OpContext c) {
        super(c, TANH, 0, 0);
    }
}
