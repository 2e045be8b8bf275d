package dev.tern.compress.io;

import java.util.Arrays;

/**
 * An n-dimensional array read from a {@code .npy} file: its shape (C order), the element
 * type the file stored, and the values converted to float.
 */
public final class NpyArray {
    private final int[] shape;
    private final NpyDType storedAs;
    private final float[] values;

    /**
     * @param shape    dimensions, outermost first; {@code values.length} must be their product
     * @param storedAs the element type of the file the values came from
     * @param values   the elements in C order (not copied)
     */
    public NpyArray(int[] shape, NpyDType storedAs, float[] values) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " elements, got "
                    + values.length + " values");
        }
        this.shape = shape.clone();
        this.storedAs = storedAs;
        this.values = values;
    }

    public int[] shape() {
        return shape.clone();
    }

    /** The element type in the file (the values are floats either way). */
    public NpyDType storedAs() {
        return storedAs;
    }

    /** The elements in C order; the array itself, not a copy. */
    public float[] values() {
        return values;
    }

    @Override
    public String toString() {
        return storedAs.id() + Arrays.toString(shape);
    }
}
