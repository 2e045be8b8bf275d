package dev.tern.runtime.model;

/**
 * The element type of an activation value: float32, or int8 with a per-tensor affine
 * quantization (real = scale * (q - zeroPoint)). Inputs are float32; each op's rule for its
 * output type is in docs/FORMAT.md ("Value types").
 */
public final class ValueType {
    public static final ValueType FLOAT32 = new ValueType(DType.FLOAT32, 0f, 0);

    private final DType dtype;
    private final float scale;
    private final int zeroPoint;

    private ValueType(DType dtype, float scale, int zeroPoint) {
        this.dtype = dtype;
        this.scale = scale;
        this.zeroPoint = zeroPoint;
    }

    /**
     * An int8 type; {@code scale} must be finite and positive (at least 1e-30, so that its
     * inverse and the requantization multipliers stay finite), the zero point in [-128, 127].
     */
    public static ValueType int8(float scale, int zeroPoint) {
        if (!(scale >= 1e-30f) || Float.isInfinite(scale)) {
            throw new IllegalArgumentException("int8 scale must be finite and >= 1e-30, got " + scale);
        }
        if (zeroPoint < -128 || zeroPoint > 127) {
            throw new IllegalArgumentException("int8 zero point must be in [-128, 127], got " + zeroPoint);
        }
        return new ValueType(DType.INT8, scale, zeroPoint);
    }

    public DType dtype() {
        return dtype;
    }

    public boolean isInt8() {
        return dtype == DType.INT8;
    }

    /** Scale of an int8 value (0 for float32). */
    public float scale() {
        return scale;
    }

    /** Zero point of an int8 value (0 for float32). */
    public int zeroPoint() {
        return zeroPoint;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ValueType)) {
            return false;
        }
        ValueType v = (ValueType) o;
        return dtype == v.dtype && Float.floatToIntBits(scale) == Float.floatToIntBits(v.scale) && zeroPoint == v.zeroPoint;
    }

    @Override
    public int hashCode() {
        return (dtype.hashCode() * 31 + Float.floatToIntBits(scale)) * 31 + zeroPoint;
    }

    @Override
    public String toString() {
        return dtype == DType.FLOAT32 ? "float32" : "int8(scale=" + scale + ", zero_point=" + zeroPoint + ")";
    }
}
