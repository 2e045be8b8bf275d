package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-reduce_max-scalar}: the maximum over attr axes ({@link Reduce}). */
public final class ReduceMax extends Reduce {
    public ReduceMax(OpContext c) {
        super(c, MAX);
    }
}
