package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-reduce_sum-reference}: the sum over attr axes ({@link Reduce}). */
public final class ReduceSum extends Reduce {
    public ReduceSum(OpContext c) {
        super(c, SUM);
    }
}
