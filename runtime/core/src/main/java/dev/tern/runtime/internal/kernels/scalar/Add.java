package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-add-scalar}: y = x0 + x1, then the fused activation, with numpy broadcasting ({@link Binary}). */
public final class Add extends Binary {
    public Add(OpContext c) {
        super(c, ADD, c.activation().min(), c.activation().max());
    }
}
