package dev.tern.runtime.internal;

/**
 * A prepared op: operands checked, weights packed, arena offsets bound. Immutable and
 * shared by every session of a model; {@link #run} validates nothing and allocates nothing.
 * Sample {@code s} of a value lives at {@code offset + s * sampleSize} in the arena.
 */
public abstract class Kernel {
    /** Computes samples [0, batch) of the output from the inputs in {@code arena}. */
    public abstract void run(float[] arena, float[] scratch, int batch);

    /** Floats of per-session scratch this kernel needs (shared by all kernels of a session). */
    public int scratchFloats() {
        return 0;
    }
}
