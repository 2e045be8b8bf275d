package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-div-scalar}: y = x0 / x1, with numpy broadcasting ({@link Binary}). */
public final class Div extends Binary {
    public Div(OpContext c) {
        super(c, DIV, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    }
}
