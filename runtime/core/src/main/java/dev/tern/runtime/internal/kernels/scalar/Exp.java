package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-exp-scalar}: y = e^x in float32 ({@link FloatMath#exp}, within 1.02 ulp of e^x) ({@link Unary}). */
public final class Exp extends Unary {
    public Exp(OpContext c) {
        super(c, EXP, 0, 0);
    }
}
