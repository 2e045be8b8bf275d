package dev.tern.runtime.model;

/** Element types a tensor can hold; {@link #code()} is the value stored in the file. */
public enum DType {
    FLOAT32(1, 4), INT8(2, 1), INT32(3, 4);

    private final int code;
    private final int size;

    DType(int code, int size) {
        this.code = code;
        this.size = size;
    }

    public int code() {
        return code;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    /** The type with this file code, or null when the code is unknown. */
    public static DType fromCode(int code) {
        for (DType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
