/**
 * Reference kernels, f32 and int8: the test oracle. Written to be obviously correct, straight
 * from each op's definition (NHWC indexing, bounds checks in the loop, double accumulators for
 * f32, int32 sums and {@link dev.tern.runtime.internal.quant.FixedPoint}'s requantization for
 * int8), and never optimized. Every other backend is tested against these; int8 kernels must
 * give their bytes. One file per op ({@code Int8} prefix for the int8 kernel), pooling written
 * once for every pool op and both types (docs/KERNELS.md).
 */
package dev.tern.runtime.internal.kernels.reference;
