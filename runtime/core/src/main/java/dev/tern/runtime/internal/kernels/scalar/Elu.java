package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.OpContext;

/**
 * {@code f32-elu-scalar}: y = x for x > 0, else alpha expm1(x) in float32 (attr alpha, default 1;
 * {@link FloatMath#expm1}, so no cancellation near 0; within 1.5 ulp) ({@link Unary}).
 */
public final class Elu extends Unary {
    public Elu(OpContext c) {
        super(c, ELU, c.attrs().getFloat("alpha", dev.tern.runtime.internal.kernels.reference.Elu.ALPHA), 0);
    }
}
