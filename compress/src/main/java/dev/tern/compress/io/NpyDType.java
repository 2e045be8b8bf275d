package dev.tern.compress.io;

import java.nio.ByteOrder;

/**
 * NumPy element types: {@link NpyReader} reads samples stored as float32, float64 or uint8
 * ({@link #isSample()}), in either byte order; an {@code .npz} data set ({@link NpzFile}) also
 * holds labels as integers or booleans. {@link NpyWriter} writes little-endian float32 only.
 */
public enum NpyDType {
    FLOAT32("f4", 4), FLOAT64("f8", 8), UINT8("u1", 1),
    INT8("i1", 1), INT16("i2", 2), INT32("i4", 4), INT64("i8", 8), UINT16("u2", 2), UINT32("u4", 4), BOOL("b1", 1);

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

    /** Whether {@link NpyReader} takes it as sample values: float32, float64 or uint8 pixels. */
    public boolean isSample() {
        return this == FLOAT32 || this == FLOAT64 || this == UINT8;
    }

    /** Whether it holds integers (bool included). */
    public boolean isInteger() {
        return this != FLOAT32 && this != FLOAT64;
    }

    /** The little-endian {@code descr}, e.g. {@code <f4} or {@code |u1}. */
    public String descr() {
        return (size == 1 ? "|" : "<") + code;
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
