package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-reduce_min-reference}: the min over attr axes ({@link Reduce}). */
public final class ReduceMin extends Reduce {
    public ReduceMin(OpContext c) {
        super(c, MIN);
    }
}
