package dev.tern.runtime.model;

/** Activations fused into Dense, Conv2D, DepthwiseConv2D and Add: a clamp of the output. */
public enum Activation {
    NONE(Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY),
    RELU(0f, Float.POSITIVE_INFINITY),
    RELU6(0f, 6f);

    private final float min;
    private final float max;

    Activation(float min, float max) {
        this.min = min;
        this.max = max;
    }

    public float min() {
        return min;
    }

    public float max() {
        return max;
    }

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Activation parse(String s) {
        for (Activation a : values()) {
            if (a.id().equals(s)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown activation '" + s + "', expected none, relu or relu6");
    }
}
