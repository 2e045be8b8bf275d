package dev.tern.runtime.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** The vector species every kernel of this jar uses, and what they say about the machine; {@code static final}, so C2 folds them. */
final class Lanes {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Longs in the same vector size: half the lanes of {@link #I}. */
    static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    /** Bytes with as many lanes as {@link #I}: the int8 weights widened lane for lane (B2I). */
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class,
            VectorShape.forBitSize(Math.max(64, IntVector.SPECIES_PREFERRED.length() * 8)));
    /**
     * Whether a byte vector of as many lanes as an int vector exists (256-bit vectors and
     * wider: AVX2, AVX-512, SVE-512). The int8 conv, depthwise and dense kernels widen
     * bytes lane for lane (B2I, B2F) and need it; on 128-bit vectors (ARM NEON, SSE) the
     * smallest byte vector has 8 lanes for 4 ints, and JDK 17 on aarch64 does not
     * intrinsify B2I (about 45x slower than scalar code), so there those ops run the
     * scalar int8 kernels (docs/KERNELS.md, docs/DEPLOY.md).
     */
    static final boolean WIDE_BYTES = IntVector.SPECIES_PREFERRED.length() * 8 >= 64;
    /**
     * Whether the machine has 32 vector registers (AVX-512, AArch64), which the six-pixel int8
     * conv blocks ({@link ConvMicroKernels#sixPixels}: twelve accumulators, two weight vectors
     * and the broadcasts) need; with 16 the accumulators would spill. The {@code pad6} variants
     * are picked automatically only here.
     */
    static final boolean REGISTERS_32 = F.vectorBitSize() >= 512 || "aarch64".equals(System.getProperty("os.arch"));
    /** Floats of scratch a block's sums take: 2L channels by up to six pixels. */
    static final int SUMS = 12 * F.length();

    private Lanes() {
    }

    /** Vector lane count of the preferred float species (e.g. 8 for AVX2, 16 for AVX-512, 4 for NEON). */
    static int floatLanes() {
        return F.length();
    }
}
