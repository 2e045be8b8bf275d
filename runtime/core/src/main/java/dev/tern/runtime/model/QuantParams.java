package dev.tern.runtime.model;

import java.util.Arrays;

/**
 * Affine quantization of an integer tensor: real = scale * (q - zeroPoint). Per tensor
 * ({@code axis == -1}, one scale and zero point) or per channel along {@code axis} (one
 * scale and zero point per index of that axis).
 */
public final class QuantParams {
    private final float[] scales;
    private final int[] zeroPoints;
    private final int axis;

    public QuantParams(float[] scales, int[] zeroPoints, int axis) {
        if (scales.length == 0 || scales.length != zeroPoints.length) {
            throw new IllegalArgumentException("quantization needs as many zero points as scales (at least one), got "
                    + scales.length + " scales and " + zeroPoints.length + " zero points");
        }
        if (axis < -1) {
            throw new IllegalArgumentException("quantization axis must be -1 (per tensor) or >= 0, got " + axis);
        }
        if (axis == -1 && scales.length != 1) {
            throw new IllegalArgumentException("per-tensor quantization has one scale, got " + scales.length);
        }
        this.scales = scales.clone();
        this.zeroPoints = zeroPoints.clone();
        this.axis = axis;
    }

    public static QuantParams perTensor(float scale, int zeroPoint) {
        return new QuantParams(new float[] {scale}, new int[] {zeroPoint}, -1);
    }

    public float[] scales() {
        return scales.clone();
    }

    public int[] zeroPoints() {
        return zeroPoints.clone();
    }

    public int count() {
        return scales.length;
    }

    public float scale(int i) {
        return scales[i];
    }

    public int zeroPoint(int i) {
        return zeroPoints[i];
    }

    /** -1 for per tensor, else the channel axis. */
    public int axis() {
        return axis;
    }

    @Override
    public String toString() {
        return "QuantParams{axis=" + axis + ", scales=" + Arrays.toString(scales) + ", zeroPoints="
                + Arrays.toString(zeroPoints) + "}";
    }
}
