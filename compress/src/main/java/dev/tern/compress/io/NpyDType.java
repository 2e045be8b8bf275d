package dev.tern.compress.io;

import java.nio.ByteOrder;

/**
 * The NumPy element types {@link NpyReader} reads: float32, float64 and uint8, in either
 * byte order. {@link NpyWriter} writes little-endian float32 only.
 */
public enum NpyDType {
    FLOAT32("f4", 4), FLOAT64("f8", 8), UINT8("u1", 1);

    private final String code;
    private final int size;

    NpyDType(String code, int size) {
        this.code = code;
        this.size = size;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    /** The NumPy name, e.g. {@code float32}. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Parses a {@code descr} such as {@code <f4}, {@code >f8} or {@code |u1}; null when it is
     * not one of the supported types.
     */
    static NpyDType parse(String descr) {
        if (descr.length() != 3) {
            return null;
        }
        char order = descr.charAt(0);
        for (NpyDType t : values()) {
            if (descr.substring(1).equals(t.code)) {
                boolean orderOk = t.size == 1 ? order == '|' || order == '<' || order == '>' || order == '='
                        : order == '<' || order == '>';
                return orderOk ? t : null;
            }
        }
        return null;
    }

    /** The byte order a {@code descr} names (single-byte types do not care). */
    static ByteOrder order(String descr) {
        return descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }
}
