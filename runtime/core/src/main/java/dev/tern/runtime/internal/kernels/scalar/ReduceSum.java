package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-reduce_sum-scalar}: the sum over attr axes ({@link Reduce}). */
public final class ReduceSum extends Reduce {
    public ReduceSum(OpContext c) {
        super(c, SUM);
    }
}
