package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-tanh-scalar}: y = tanh(x) in float32 ({@link FloatMath#tanh}, within 2.5 ulp of tanh x) ({@link Unary}). */
public final class Tanh extends Unary {
    public Tanh(OpContext c) {
        super(c, TANH, 0, 0);
    }
}
