package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-pad-scalar}: constant (attr value), reflect or edge padding, over the reference's index map as block copies ({@link Gather}). */
public final class Pad extends Gather {
    public Pad(OpContext c) {
        super(c, dev.tern.runtime.internal.kernels.reference.Pad.map(c), dev.tern.runtime.internal.kernels.reference.Pad.value(c));
    }
}
