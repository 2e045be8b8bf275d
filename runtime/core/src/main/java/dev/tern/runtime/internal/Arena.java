package dev.tern.runtime.internal;

/**
 * The memory of one session that kernels read and write: activations in two arenas by
 * element type (float32 values in {@link #f}, int8 values in {@link #q}, each laid out by
 * the {@link Plan}: sample {@code s} of a value at {@code offset + s * stride}) and scratch
 * shared by all kernels of the session. Allocated once per session; kernels allocate nothing.
 */
public final class Arena {
    public final float[] f;
    public final byte[] q;
    public final float[] fs;
    public final int[] is;
    /** 64-bit scratch (vector requantization's products). */
    public final long[] ls;

    public Arena(float[] f, byte[] q, float[] floatScratch, int[] intScratch) {
        this(f, q, floatScratch, intScratch, new long[1]);
    }

    public Arena(float[] f, byte[] q, float[] floatScratch, int[] intScratch, long[] longScratch) {
        this.f = f;
        this.q = q;
        this.fs = floatScratch;
        this.is = intScratch;
        this.ls = longScratch;
    }
}
