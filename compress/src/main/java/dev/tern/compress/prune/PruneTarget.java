package dev.tern.compress.prune;

import java.util.Arrays;

/**
 * A weight tensor to prune: its values row-major, its shape, and which axes hold the output
 * channels (what channel pruning removes) and the input (the axis N:M groups run along).
 * Dense weights are [out, in] (axes 0 and 1), Conv2D filters [cout, kh, kw, cin] (axes 0 and
 * 3): in both the input axis is the last, so an N:M group is M consecutive values.
 */
public record PruneTarget(String name, float[] weights, int[] shape, int outAxis, int inAxis) {
    public PruneTarget {
        long n = 1;
        for (int d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " has a dimension below 1");
            }
            n *= d;
        }
        if (n != weights.length) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " holds " + n
                    + " values, the array " + weights.length);
        }
        if (outAxis < 0 || outAxis >= shape.length || inAxis < 0 || inAxis >= shape.length || outAxis == inAxis) {
            throw new IllegalArgumentException(name + ": axes out " + outAxis + ", in " + inAxis + " do not fit shape "
                    + Arrays.toString(shape));
        }
    }

    /** A Dense layer's weights, [out, in]. */
    public static PruneTarget dense(String name, float[] weights, int out, int in) {
        return new PruneTarget(name, weights, new int[] {out, in}, 0, 1);
    }

    /** A Conv2D filter, [cout, kh, kw, cin]. */
    public static PruneTarget conv2d(String name, float[] weights, int cout, int kh, int kw, int cin) {
        return new PruneTarget(name, weights, new int[] {cout, kh, kw, cin}, 0, 3);
    }

    public int size() {
        return weights.length;
    }

    public int channels() {
        return shape[outAxis];
    }
}
