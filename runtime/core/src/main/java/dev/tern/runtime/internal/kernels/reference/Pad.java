package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-pad-reference}: constant (attr value), reflect or edge padding ({@link Gather}). */
public final class Pad extends Gather {
    public Pad(OpContext c) {
        super(c, Broadcast.pad(c.inShape(0), c.attrs().getInts("pads", null), c.attrs().getString("mode", "constant")),
                c.attrs().getFloat("value", 0f));
    }
}
