package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-leaky_relu-reference}: y = x for x >= 0, else alpha x (attr alpha, default 0.01) ({@link Unary}). */
public final class LeakyRelu extends Unary {
    public LeakyRelu(OpContext c) {
        super(c, LEAKY_RELU, c.attrs().getFloat("alpha", 0.01f), 0);
    }
}
