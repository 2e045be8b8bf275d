package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-transpose-reference}: output axis d is input axis perm[d] ({@link Gather}). */
public final class Transpose extends Gather {
    public Transpose(OpContext c) {
        super(c, map(c), 0f);
    }

    /** The index map of this node ({@link Gather}): also the scalar kernel's. */
    public static int[] map(OpContext c) {
        return Broadcast.transpose(c.inShape(0), c.attrs().getInts("perm", null));
    }
}
