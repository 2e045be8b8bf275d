package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-leaky_relu-scalar}: y = x for x >= 0, else alpha x (attr alpha, default 0.01; bit for bit the reference) ({@link Unary}). */
public final class LeakyRelu extends Unary {
    public LeakyRelu(OpContext c) {
        super(c, LEAKY_RELU, c.attrs().getFloat("alpha", dev.tern.runtime.internal.kernels.reference.LeakyRelu.ALPHA), 0);
    }
}
