package dev.tern.runtime.internal;

import java.util.List;

/**
 * A jar's list of kernels, made once: {@code CoreKernels} for tern-runtime, and the class
 * {@link Platform} loads by name from tern-runtime-vector (off Android only).
 */
public interface KernelProvider {
    /** The kernels, an op's variants in the order the plan tries them. */
    List<KernelSpec> kernels();
}
