package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-slice-scalar}: element starts + i * steps per axis, over the reference's index map as block copies ({@link Gather}). */
public final class Slice extends Gather {
    public Slice(OpContext c) {
        super(c, dev.tern.runtime.internal.kernels.reference.Slice.map(c), 0f);
    }
}
