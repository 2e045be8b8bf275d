/**
 * Scalar kernels, f32 and int8, shaped for auto-vectorization by C2 and ART: Android's path and
 * the JVM fallback. Weights packed at load into rows along the output channels, hot loops that
 * are same-index, branch-free and contiguous ({@code acc[o] += x * row[o]}), bounds resolved
 * outside the hot loop, float or int32 accumulators in per-session scratch. f32 tolerance
 * against the reference: float rounding of a dot product of length n (the property tests
 * scale it with n), a few ulps of the result for exp, log, tanh and elu ({@code FloatMath}),
 * bit for bit for copies, selections and single correctly rounded operations; int8 integer
 * arithmetic is exact, so the reference's bytes. Ops without a kernel here fall back to the
 * reference (already simple same-index loops or copies).
 * One file per op ({@code Int8} prefix for int8), pooling written once (docs/KERNELS.md).
 */
package dev.tern.runtime.internal.kernels.scalar;
