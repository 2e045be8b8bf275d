package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-transpose-scalar}: output axis d is input axis perm[d], over the reference's index map as block copies ({@link Gather}). */
public final class Transpose extends Gather {
    public Transpose(OpContext c) {
        super(c, dev.tern.runtime.internal.kernels.reference.Transpose.map(c), 0f);
    }
}
