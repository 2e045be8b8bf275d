package dev.tern.runtime;

import java.util.Locale;

/**
 * Kernel families. {@code REFERENCE} is plain and obviously correct (the test oracle);
 * {@code SCALAR} is loops shaped so that C2 and ART auto-vectorize them (Android's path and
 * the fallback); {@code VECTOR} uses the Java Vector API and needs the
 * {@code tern-runtime-vector} jar plus {@code --add-modules jdk.incubator.vector}.
 * An op without a kernel in the chosen family falls back VECTOR -> SCALAR -> REFERENCE.
 */
public enum Backend {
    REFERENCE, SCALAR, VECTOR;

    /** The lower-case name used by {@code -Dtern.kernels} and reports. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code reference|scalar|vector} (any case). */
    public static Backend parse(String s) {
        for (Backend b : values()) {
            if (b.id().equalsIgnoreCase(s.trim())) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown kernel backend '" + s + "', expected reference, scalar or vector");
    }

    /** The family to fall back to when this one lacks a kernel, or null for REFERENCE. */
    public Backend fallback() {
        switch (this) {
            case VECTOR: return SCALAR;
            case SCALAR: return REFERENCE;
            default: return null;
        }
    }
}
