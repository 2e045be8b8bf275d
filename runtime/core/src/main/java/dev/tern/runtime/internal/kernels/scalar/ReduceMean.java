package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-reduce_mean-scalar}: the mean over attr axes (the float sum divided by the count once) ({@link Reduce}). */
public final class ReduceMean extends Reduce {
    public ReduceMean(OpContext c) {
        super(c, MEAN);
    }
}
