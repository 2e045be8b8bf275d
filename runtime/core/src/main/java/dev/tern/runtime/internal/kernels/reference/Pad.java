package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-pad-reference}: constant (attr value), reflect or edge padding ({@link Gather}). */
public final class Pad extends Gather {
    public Pad(OpContext c) {
        super(c, map(c), value(c));
    }

    /** The index map of this node ({@link Gather}): also the scalar kernel's. */
    public static int[] map(OpContext c) {
        return Broadcast.pad(c.inShape(0), c.attrs().getInts("pads", null), c.attrs().getString("mode", "constant"));
    }

    /** The constant padding value. */
    public static float value(OpContext c) {
        return c.attrs().getFloat("value", 0f);
    }
}
