package dev.tern.runtime.internal;

/** Makes the kernel of one node; may throw IllegalArgumentException for an unsupported configuration. */
public interface KernelFactory {
    Kernel create(OpContext ctx);
}
