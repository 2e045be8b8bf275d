package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-log-reference}: y = log(x) ({@link Unary}). */
public final class Log extends Unary {
    public Log(OpContext c) {
        super(c, LOG, 0, 0);
    }
}
