package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-elu-reference}: y = x for x > 0, else alpha (exp(x) - 1) (attr alpha, default 1) ({@link Unary}). */
public final class Elu extends Unary {
    /** The default alpha (ONNX's). */
    public static final float ALPHA = 1f;

    public Elu(OpContext c) {
        super(c, ELU, c.attrs().getFloat("alpha", ALPHA), 0);
    }
}
