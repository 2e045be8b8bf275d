package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-prelu-reference}: y = x0 for x0 >= 0, else x0 x1 (x1 the constant slope), with numpy broadcasting ({@link Binary}). */
public final class PRelu extends Binary {
    public PRelu(OpContext c) {
        super(c, PRELU, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    }
}
