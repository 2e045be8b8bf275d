package dev.tern.runtime.internal.kernels;

import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/**
 * Compressed sparse rows of a [rows, cols] row-major matrix, the weights of the sparse Dense
 * kernels of every backend ({@code <dtype>-sparse_dense-<backend>}): row r's entries are
 * [start[r], start[r + 1]), packed at load so the work is proportional to the non-zeros. A
 * pruned weight is absent, not a multiplied zero: an infinite activation meets no pruned
 * weight, as in every sparse library. Int8 results are bit-exact with the dense kernels
 * (integer sums do not depend on order); fp32 results agree within rounding.
 */
public final class Csr {
    public final int rows, cols;
    public final int[] start;
    public final int[] index;
    public final float[] values;
    public final byte[] bytes;

    /** Packs the non-zero floats (+0 and -0 are both dropped). */
    public Csr(float[] w, int rows, int cols) {
        this(rows, cols, w, null);
    }

    /** Packs the non-zero int8 values. */
    public Csr(byte[] w, int rows, int cols) {
        this(rows, cols, null, w);
    }

    /** Row-major [rows][cols] weights, either floats f or bytes b (the other null). */
    private Csr(int rows, int cols, float[] f, byte[] b) {
        this.rows = rows;
        this.cols = cols;
        start = new int[rows + 1];
        int nnz = 0;
        for (int i = 0; i < rows * cols; i++) {
            nnz += nonZero(f, b, i) ? 1 : 0;
        }
        index = new int[nnz];
        values = f != null ? new float[nnz] : null;
        bytes = f != null ? null : new byte[nnz];
        int k = 0;
        for (int r = 0; r < rows; r++) {
            start[r] = k;
            for (int c = 0; c < cols; c++) {
                int i = r * cols + c;
                if (nonZero(f, b, i)) {
                    index[k] = c;
                    if (f != null) {
                        values[k] = f[i];
                    } else {
                        bytes[k] = b[i];
                    }
                    k++;
                }
            }
        }
        start[rows] = k;
    }

    private static boolean nonZero(float[] f, byte[] b, int i) {
        return f != null ? f[i] != 0f : b[i] != 0;
    }

    public int nonZeros() {
        return index.length;
    }

    /** What the fp32 sparse Dense kernels share: packed weights, bias, offsets, activation bounds. */
    public abstract static class F32Dense extends Kernel {
        protected final Csr w;
        protected final float[] b;
        protected final int xOff, yOff, stride;
        protected final float min, max;

        protected F32Dense(OpContext c) {
            w = new Csr(c.weightFloats(1), c.outSize(), c.inSize(0));
            b = c.floatsOrZeros(2, c.outSize());
            xOff = c.inOffset(0);
            yOff = c.outOffset();
            stride = c.sampleStride();
            min = c.activation().min();
            max = c.activation().max();
        }
    }
}
