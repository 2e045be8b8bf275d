package dev.tern.runtime.model;

/**
 * Spatial padding: TensorFlow's VALID and SAME, or EXPLICIT (1.4, from ONNX): the node's
 * attribute pads [top, left, bottom, right] gives the cells added on each side, and with it
 * come the attributes only an explicit window may have (dilations; ceil_mode and
 * count_include_pad on pooling), so that a reader older than 1.4 rejects such a node (it does
 * not know "explicit") instead of ignoring what it does not know.
 */
public enum Padding {
    /** No padding: out = floor((in - k) / s) + 1. */
    VALID,
    /** out = ceil(in / s); the total padding max((out - 1) * s + k - in, 0) is split with the smaller half before. */
    SAME,
    /** out = floor((in + top + bottom - dilation (k - 1) - 1) / s) + 1 (ceil with ceil_mode). */
    EXPLICIT;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Padding parse(String s) {
        for (Padding p : values()) {
            if (p.id().equals(s)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown padding '" + s + "', expected valid, same or explicit");
    }
}
