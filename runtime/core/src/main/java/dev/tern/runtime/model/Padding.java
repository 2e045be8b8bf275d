package dev.tern.runtime.model;

/** Spatial padding, with TensorFlow's meaning. */
public enum Padding {
    /** No padding: out = floor((in - k) / s) + 1. */
    VALID,
    /** out = ceil(in / s); the total padding max((out - 1) * s + k - in, 0) is split with the smaller half before. */
    SAME;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Padding parse(String s) {
        for (Padding p : values()) {
            if (p.id().equals(s)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown padding '" + s + "', expected valid or same");
    }
}
