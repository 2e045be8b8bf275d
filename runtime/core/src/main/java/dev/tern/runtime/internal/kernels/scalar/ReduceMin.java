package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-reduce_min-scalar}: the minimum over attr axes ({@link Reduce}). */
public final class ReduceMin extends Reduce {
    public ReduceMin(OpContext c) {
        super(c, MIN);
    }
}
