package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-slice-reference}: element starts + i * steps per axis ({@link Gather}). */
public final class Slice extends Gather {
    public Slice(OpContext c) {
        super(c, Broadcast.slice(c.inShape(0), c.outShape(), c.attrs().getInts("starts", null), c.attrs().getInts("steps", null)), 0f);
    }
}
