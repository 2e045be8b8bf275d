package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-abs-scalar}: y = |x| (bit for bit the reference) ({@link Unary}). */
public final class Abs extends Unary {
    public Abs(OpContext c) {
        super(c, ABS, 0, 0);
    }
}
