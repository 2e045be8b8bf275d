package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-reduce_max-reference}: the max over attr axes ({@link Reduce}). */
public final class ReduceMax extends Reduce {
    public ReduceMax(OpContext c) {
        super(c, MAX);
    }
}
