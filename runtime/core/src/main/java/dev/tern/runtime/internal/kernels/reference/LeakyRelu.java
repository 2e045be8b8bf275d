package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-leaky_relu-reference}: y = x for x >= 0, else alpha x (attr alpha, default 0.01) ({@link Unary}). */
public final class LeakyRelu extends Unary {
    /** The default alpha (ONNX's). */
    public static final float ALPHA = 0.01f;

    public LeakyRelu(OpContext c) {
        super(c, LEAKY_RELU, c.attrs().getFloat("alpha", ALPHA), 0);
    }
}
