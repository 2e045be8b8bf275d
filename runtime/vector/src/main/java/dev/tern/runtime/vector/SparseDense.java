package dev.tern.runtime.vector;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.kernels.Csr;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * fp32 sparse Dense in the Vector API: per output row, the packed non-zero weights times a
 * gather of the activations they read ({@code FloatVector.fromArray} with an index map,
 * which C2 compiles to the CPU's gather on x86 with AVX2 or AVX-512), one FMA chain per
 * row and a horizontal sum at the end; the last {@code nnz % lanes} entries in scalar.
 */
final class SparseDense extends Csr.F32Dense {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    SparseDense(OpContext c) {
        super(c);
    }

    @Override
    public void run(Arena m, int from, int to) {
        float[] a = m.f;
        for (int s = from; s < to; s++) {
            int xo = xOff + s * stride;
            int yo = yOff + s * stride;
            for (int o = 0; o < w.rows; o++) {
                float y = b[o] + dot(a, xo, w.values, w.index, w.start[o], w.start[o + 1]);
                a[yo + o] = y < min ? min : (y > max ? max : y);
            }
        }
    }

    static float dot(float[] a, int xo, float[] v, int[] idx, int k, int end) {
        int lanes = F.length();
        float sum = 0f;
        if (end - k >= lanes) {
            FloatVector acc = FloatVector.zero(F);
            for (; k + lanes <= end; k += lanes) {
                acc = FloatVector.fromArray(F, v, k).fma(FloatVector.fromArray(F, a, xo, idx, k), acc);
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; k < end; k++) {
            sum += v[k] * a[xo + idx[k]];
        }
        return sum;
    }
}
