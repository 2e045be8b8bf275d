package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-abs-reference}: y = |x| ({@link Unary}). */
public final class Abs extends Unary {
    public Abs(OpContext c) {
        super(c, ABS, 0, 0);
    }
}
