package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-clip-scalar}: y = min(max(x, min), max) (attrs min, max; NaN stays NaN; bit for bit the reference) ({@link Unary}). */
public final class Clip extends Unary {
    public Clip(OpContext c) {
        super(c, CLIP, c.attrs().getFloat("min", Float.NEGATIVE_INFINITY), c.attrs().getFloat("max", Float.POSITIVE_INFINITY));
    }
}
