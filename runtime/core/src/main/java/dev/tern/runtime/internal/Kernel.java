package dev.tern.runtime.internal;

/**
 * A prepared op: operands checked, weights packed, arena offsets bound. Immutable and
 * shared by every session of a model; {@link #run} validates nothing and allocates nothing.
 * Sample {@code s} of a value lives at {@code offset + s * stride} in the arena of its type
 * ({@link OpContext#sampleStride()} for float32 values, {@link OpContext#int8Stride()} for int8).
 * Samples are independent, so disjoint sample ranges of one arena may run on different
 * threads, each with its own scratch.
 */
public abstract class Kernel {
    /** Computes samples [from, to) of the output from the inputs in the arena. */
    public abstract void run(Arena m, int from, int to);

    /** Computes samples [0, batch). */
    public final void run(Arena m, int batch) {
        run(m, 0, batch);
    }

    /** Floats of per-session scratch this kernel needs (shared by all kernels of a session). */
    public int scratchFloats() {
        return 0;
    }

    /** Ints of per-session scratch this kernel needs (int32 accumulators). */
    public int scratchInts() {
        return 0;
    }

    /** Longs of per-session scratch this kernel needs. */
    public int scratchLongs() {
        return 0;
    }
}
