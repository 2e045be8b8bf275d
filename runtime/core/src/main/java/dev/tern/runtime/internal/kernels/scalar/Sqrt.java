package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-sqrt-scalar}: y = sqrt(x), the correctly rounded float square root (bit for bit the reference) ({@link Unary}). */
public final class Sqrt extends Unary {
    public Sqrt(OpContext c) {
        super(c, SQRT, 0, 0);
    }
}
