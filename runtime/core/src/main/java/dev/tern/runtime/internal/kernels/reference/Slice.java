package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-slice-reference}: element starts + i * steps per axis ({@link Gather}). */
public final class Slice extends Gather {
    public Slice(OpContext c) {
        super(c, map(c), 0f);
    }

    /** The index map of this node ({@link Gather}): also the scalar kernel's. */
    public static int[] map(OpContext c) {
        return Broadcast.slice(c.inShape(0), c.outShape(), c.attrs().getInts("starts", null), c.attrs().getInts("steps", null));
    }
}
