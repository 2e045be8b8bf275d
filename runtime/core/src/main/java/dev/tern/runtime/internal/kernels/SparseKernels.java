package dev.tern.runtime.internal.kernels;

import dev.tern.runtime.Backend;
import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.KernelRegistry;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.quant.FixedPoint;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.OpType;

/**
 * Sparse Dense kernels: the weights packed at load in compressed sparse rows (per output,
 * the non-zero weights and their input indices), so the work is proportional to the
 * non-zeros. The plan picks them for a Dense whose weights are sparse enough to pay
 * ({@link KernelRegistry#SPARSE_DENSITY}, docs/KERNELS.md). A pruned weight is absent, not a
 * multiplied zero: an infinite activation meets no pruned weight, as in every sparse library.
 * Int8 results are bit-exact with the dense kernels (integer sums do not depend on order);
 * fp32 results agree within rounding (a different summation order).
 */
public final class SparseKernels {
    private SparseKernels() {
    }

    public static void register() {
        KernelRegistry.registerSparse(OpType.DENSE, DType.FLOAT32, Backend.REFERENCE, "f32-sparse_dense-reference", Reference::new);
        KernelRegistry.registerSparse(OpType.DENSE, DType.FLOAT32, Backend.SCALAR, "f32-sparse_dense-scalar", Scalar::new);
        KernelRegistry.registerSparse(OpType.DENSE, DType.INT8, Backend.REFERENCE, "int8-sparse_dense-reference", Int8Reference::new);
        KernelRegistry.registerSparse(OpType.DENSE, DType.INT8, Backend.SCALAR, "int8-sparse_dense-scalar", Int8Scalar::new);
    }

    /** Compressed sparse rows of a [rows, cols] row-major matrix: row r's entries are [start[r], start[r + 1]). */
    public static final class Csr {
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
    }

    /** What the fp32 sparse Dense kernels share: packed weights, bias, offsets, activation bounds. */
    public abstract static class F32 extends Kernel {
        protected final Csr w;
        protected final float[] b;
        protected final int xOff, yOff, stride;
        protected final float min, max;

        protected F32(OpContext c) {
            w = new Csr(c.weightFloats(1), c.outSize(), c.inSize(0));
            b = c.floatsOrZeros(2, c.outSize());
            xOff = c.inOffset(0);
            yOff = c.outOffset();
            stride = c.sampleStride();
            min = c.activation().min();
            max = c.activation().max();
        }
    }

    /** The oracle: y[o] = act(b[o] + sum over the non-zeros of row o), in double, in index order. */
    static final class Reference extends F32 {
        Reference(OpContext c) {
            super(c);
        }

        @Override
        public void run(Arena m, int from, int to) {
            float[] a = m.f;
            for (int s = from; s < to; s++) {
                int xo = xOff + s * stride;
                for (int o = 0; o < w.rows; o++) {
                    double acc = b[o];
                    for (int k = w.start[o]; k < w.start[o + 1]; k++) {
                        acc += (double) w.values[k] * a[xo + w.index[k]];
                    }
                    a[yOff + s * stride + o] = ReferenceKernels.clamp(acc, min, max);
                }
            }
        }
    }

    /** Float sums over each row's non-zeros, four independent chains (index loads, gathers of x). */
    static final class Scalar extends F32 {
        Scalar(OpContext c) {
            super(c);
        }

        @Override
        public void run(Arena m, int from, int to) {
            float[] a = m.f;
            int[] start = w.start;
            int[] idx = w.index;
            float[] v = w.values;
            for (int s = from; s < to; s++) {
                int xo = xOff + s * stride;
                int yo = yOff + s * stride;
                for (int o = 0; o < w.rows; o++) {
                    int k = start[o];
                    int end = start[o + 1];
                    float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
                    for (; k + 3 < end; k += 4) {
                        s0 += v[k] * a[xo + idx[k]];
                        s1 += v[k + 1] * a[xo + idx[k + 1]];
                        s2 += v[k + 2] * a[xo + idx[k + 2]];
                        s3 += v[k + 3] * a[xo + idx[k + 3]];
                    }
                    for (; k < end; k++) {
                        s0 += v[k] * a[xo + idx[k]];
                    }
                    float y = b[o] + ((s0 + s1) + (s2 + s3));
                    a[yo + o] = y < min ? min : (y > max ? max : y);
                }
            }
        }
    }

    /** acc = bias + sum over row o's non-zeros of (x - zx) w, then the dense kernels' requantization. */
    static final class Int8Reference extends Kernel {
        final Csr w;
        final int xOff, yOff, stride;
        final Int8ReferenceKernels.OutputStage st;

        Int8Reference(OpContext c) {
            w = new Csr(c.int8s(1), c.outSize(), c.inSize(0));
            xOff = c.inOffset(0);
            yOff = c.outOffset();
            stride = c.int8Stride();
            st = new Int8ReferenceKernels.OutputStage(c, 0);
        }

        @Override
        public void run(Arena m, int from, int to) {
            byte[] q = m.q;
            for (int s = from; s < to; s++) {
                int xo = xOff + s * stride;
                for (int o = 0; o < w.rows; o++) {
                    int acc = st.bias[o];
                    for (int k = w.start[o]; k < w.start[o + 1]; k++) {
                        acc += (q[xo + w.index[k]] - st.inZero) * w.bytes[k];
                    }
                    q[yOff + s * stride + o] = st.out(acc, o);
                }
            }
        }
    }

    /**
     * The zero point folded into the bias at load (bias - zx * sum of the row's weights), so
     * the loop is a plain dot product over the non-zeros in four chains.
     */
    static final class Int8Scalar extends Kernel {
        final Csr w;
        final int[] folded;
        final int xOff, yOff, stride;
        final Int8ReferenceKernels.OutputStage st;

        Int8Scalar(OpContext c) {
            w = new Csr(c.int8s(1), c.outSize(), c.inSize(0));
            xOff = c.inOffset(0);
            yOff = c.outOffset();
            stride = c.int8Stride();
            st = new Int8ReferenceKernels.OutputStage(c, 0);
            folded = new int[w.rows];
            for (int o = 0; o < w.rows; o++) {
                int sum = 0;
                for (int k = w.start[o]; k < w.start[o + 1]; k++) {
                    sum += w.bytes[k];
                }
                folded[o] = st.bias[o] - st.inZero * sum;
            }
        }

        @Override
        public void run(Arena m, int from, int to) {
            byte[] q = m.q;
            int[] start = w.start;
            int[] idx = w.index;
            byte[] v = w.bytes;
            for (int s = from; s < to; s++) {
                int xo = xOff + s * stride;
                int yo = yOff + s * stride;
                for (int o = 0; o < w.rows; o++) {
                    int k = start[o];
                    int end = start[o + 1];
                    int s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                    for (; k + 3 < end; k += 4) {
                        s0 += v[k] * q[xo + idx[k]];
                        s1 += v[k + 1] * q[xo + idx[k + 1]];
                        s2 += v[k + 2] * q[xo + idx[k + 2]];
                        s3 += v[k + 3] * q[xo + idx[k + 3]];
                    }
                    for (; k < end; k++) {
                        s0 += v[k] * q[xo + idx[k]];
                    }
                    int acc = folded[o] + s0 + s1 + s2 + s3;
                    q[yo + o] = (byte) FixedPoint.requantize(acc, st.mult[o], st.shift[o], st.outZero, st.min, st.max);
                }
            }
        }
    }
}
