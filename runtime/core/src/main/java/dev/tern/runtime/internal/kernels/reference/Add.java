package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-add-reference}: y = act(x0 + x1), summed in double, with numpy broadcasting ({@link Binary}). */
public final class Add extends Binary {
    public Add(OpContext c) {
        super(c, ADD, c.activation().min(), c.activation().max());
    }
}
