package dev.tern.runtime.vector;

import dev.tern.runtime.Backend;
import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.KernelRegistry;
import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.OpType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels. Loading this class registers them; the runtime loads it by name
 * (see {@code Platform}) only off Android and when {@code jdk.incubator.vector} is readable.
 * Ops without a vector kernel fall back to the scalar ones.
 */
public final class VectorKernels {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    static {
        KernelRegistry.register(OpType.DENSE, DType.FLOAT32, Backend.VECTOR, "f32-dense-vector", Dense::new);
    }

    private VectorKernels() {
    }

    /** Vector lane count of the preferred float species (e.g. 8 for AVX2, 16 for AVX-512, 4 for NEON). */
    public static int floatLanes() {
        return F.length();
    }

    /**
     * Dense as dot products: y[o] = act(b[o] + dot(W[o], x)), W [out, in] row-major. Two
     * independent vector accumulators over the body, one lane reduction after the loop, a
     * scalar tail. Float accumulation; tolerance against the reference scales with in.
     */
    static final class Dense extends Kernel {
        final int in, out, xOff, yOff, stride;
        final float[] w, b;
        final float min, max;

        Dense(OpContext c) {
            in = c.inSize(0);
            out = c.outSize();
            xOff = c.inOffset(0);
            yOff = c.outOffset();
            stride = c.sampleStride();
            w = c.weightFloats(1);
            b = c.floatsOrZeros(2, out);
            min = c.activation().min();
            max = c.activation().max();
        }

        @Override
        public void run(Arena m, int batch) {
            float[] a = m.f;
            float[] scratch = m.fs;
            final int lanes = F.length();
            final int body2 = in - in % (2 * lanes);
            final int body = in - in % lanes;
            for (int s = 0; s < batch; s++) {
                int xo = xOff + s * stride;
                for (int o = 0; o < out; o++) {
                    int wo = o * in;
                    FloatVector acc0 = FloatVector.zero(F);
                    FloatVector acc1 = FloatVector.zero(F);
                    int i = 0;
                    for (; i < body2; i += 2 * lanes) {
                        acc0 = FloatVector.fromArray(F, w, wo + i).fma(FloatVector.fromArray(F, a, xo + i), acc0);
                        acc1 = FloatVector.fromArray(F, w, wo + i + lanes).fma(FloatVector.fromArray(F, a, xo + i + lanes), acc1);
                    }
                    for (; i < body; i += lanes) {
                        acc0 = FloatVector.fromArray(F, w, wo + i).fma(FloatVector.fromArray(F, a, xo + i), acc0);
                    }
                    float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
                    for (; i < in; i++) {
                        sum += w[wo + i] * a[xo + i];
                    }
                    float v = sum + b[o];
                    a[yOff + s * stride + o] = Math.min(Math.max(v, min), max);
                }
            }
        }
    }
}
