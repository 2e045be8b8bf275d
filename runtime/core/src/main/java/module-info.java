/**
 * Tern's runtime: load a {@code .tern} model ({@link dev.tern.runtime.TernModel}), run it
 * ({@link dev.tern.runtime.Session}), read its results; build or inspect models
 * ({@code dev.tern.runtime.model}); read and write the file format
 * ({@code dev.tern.runtime.format}). Everything under {@code dev.tern.runtime.internal} (the
 * planner, the kernels and their registry, the int8 arithmetic) is open only to the vector
 * backend's jar, which adds its kernels to the registry; it may change in any release.
 *
 * <p>On Android and on the class path this file has no effect (D8 and the class path ignore
 * it); it holds when the jar runs on the module path.
 */
module dev.tern.runtime {
    // java.util.logging: the one log line naming the chosen backend (it exists on Android too).
    requires java.logging;

    exports dev.tern.runtime;
    exports dev.tern.runtime.model;
    exports dev.tern.runtime.format;

    exports dev.tern.runtime.internal to dev.tern.runtime.vector;
    exports dev.tern.runtime.internal.kernels to dev.tern.runtime.vector;
    exports dev.tern.runtime.internal.kernels.reference to dev.tern.runtime.vector;
    exports dev.tern.runtime.internal.kernels.scalar to dev.tern.runtime.vector;
    exports dev.tern.runtime.internal.quant to dev.tern.runtime.vector;
}
