package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.OpContext;

/** {@code f32-reduce_mean-reference}: the mean over attr axes ({@link Reduce}). */
public final class ReduceMean extends Reduce {
    public ReduceMean(OpContext c) {
        super(c, MEAN);
    }
}
