package dev.tern.runtime;

import dev.tern.runtime.internal.KernelRegistry;

/** The kernel-vs-reference checks of {@link KernelPropertyTest}, for the vector module's tests. */
public final class KernelChecks {
    private KernelChecks() {
    }

    /** Float kernel against the reference on the random cases of its op at one size. */
    public static void check(KernelRegistry.Entry entry, int size, long seed) {
        KernelPropertyTest.check(entry, size, seed);
    }

    /** Int8 kernel against the int8 reference, bit for bit, on the random cases of its op at one size. */
    public static void checkInt8(KernelRegistry.Entry entry, int size, long seed) {
        KernelPropertyTest.checkInt8(entry, size, seed);
    }
}
