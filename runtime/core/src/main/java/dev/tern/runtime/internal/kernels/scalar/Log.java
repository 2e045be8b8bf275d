package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-log-scalar}: y = ln x in float32 ({@link FloatMath#log}, within 0.84 ulp of ln x) ({@link Unary}). */
public final class Log extends Unary {
    public Log(OpContext c) {
        super(c, LOG, 0, 0);
    }
}
