package dev.tern.compress.data;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * An unsigned-byte IDX array: its dimensions and its elements in row-major order. Immutable:
 * {@link #dims()} and {@link #toByteArray()} return copies, {@link #buffer()} is read-only.
 */
public final class IdxArray {
    private final int[] dims;
    private final byte[] data;

    /** Takes ownership of {@code data}; callers in this package never touch it again. */
    IdxArray(int[] dims, byte[] data) {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("dims " + Arrays.toString(dims) + " hold " + n + " elements, data has "
                    + data.length);
        }
        this.dims = dims.clone();
        this.data = data;
    }

    /** Number of dimensions. */
    public int rank() {
        return dims.length;
    }

    /** Size of dimension {@code i}. */
    public int dim(int i) {
        return dims[i];
    }

    /** All dimensions (a copy). */
    public int[] dims() {
        return dims.clone();
    }

    /** Number of elements: the product of the dimensions. */
    public int size() {
        return data.length;
    }

    /** Element {@code i} (row-major), as an unsigned value in [0, 255]. */
    public int get(int i) {
        return data[i] & 0xff;
    }

    /** A copy of the elements (row-major, one unsigned byte each). */
    public byte[] toByteArray() {
        return data.clone();
    }

    /** A read-only view of the elements. */
    public ByteBuffer buffer() {
        return ByteBuffer.wrap(data).asReadOnlyBuffer();
    }

    /** The backing array, for this package's loaders that take it over without a copy. */
    byte[] data() {
        return data;
    }

    @Override
    public String toString() {
        return "IdxArray(ubyte " + Arrays.toString(dims) + ")";
    }
}
