package dev.tern.runtime.model;

import java.util.Arrays;

/**
 * A model input: name, shape (the first dimension is the batch, -1 for any), layout, and
 * the normalization that turns raw data into the values the model expects:
 * {@code x = (raw - mean[c]) / std[c]} per channel (one entry applies to all channels).
 * For 8-bit images, raw is the pixel value in [0, 255].
 */
public final class InputSpec {
    private final String name;
    private final int[] shape;
    private final String layout;
    private final float[] mean;
    private final float[] std;
    private final String resize;

    /** The values of {@link #resize()}: none, or an image resized to the input's height and width first. */
    public static final java.util.List<String> RESIZE_MODES = java.util.Arrays.asList("", "bilinear", "nearest");

    public InputSpec(String name, int[] shape, String layout, float[] mean, float[] std) {
        this(name, shape, layout, mean, std, "");
    }

    /**
     * An input with its preprocessing: normalization (mean, std) and {@code resize}, how an
     * image of another size is brought to the input's ("" none: such an image is refused;
     * "bilinear", "nearest"; format 1.5, docs/FORMAT.md "PREP").
     */
    public InputSpec(String name, int[] shape, String layout, float[] mean, float[] std, String resize) {
        this.name = Names.check(name, "input");
        if (shape.length < 2) {
            throw new IllegalArgumentException("input '" + name + "' needs a batch dimension and at least one more, got "
                    + Arrays.toString(shape));
        }
        if (shape[0] != -1 && shape[0] < 1) {
            throw new IllegalArgumentException("input '" + name + "': batch dimension must be -1 or >= 1, got " + shape[0]);
        }
        for (int i = 1; i < shape.length; i++) {
            if (shape[i] < 1) {
                throw new IllegalArgumentException("input '" + name + "': dimension " + i + " must be >= 1, got "
                        + Arrays.toString(shape));
            }
        }
        Tensor.elementCount(Arrays.copyOfRange(shape, 1, shape.length));
        this.shape = shape.clone();
        this.layout = layout == null ? "" : layout;
        this.mean = mean == null ? new float[] {0f} : mean.clone();
        this.std = std == null ? new float[] {1f} : std.clone();
        if (this.mean.length == 0 || this.mean.length != this.std.length) {
            throw new IllegalArgumentException("input '" + name + "': normalization needs as many means as stds (>= 1)");
        }
        for (float s : this.std) {
            if (!(s > 0f) || Float.isInfinite(s)) {
                throw new IllegalArgumentException("input '" + name + "': normalization std must be finite and > 0, got " + s);
            }
        }
        this.resize = resize == null ? "" : resize;
        if (!RESIZE_MODES.contains(this.resize)) {
            throw new IllegalArgumentException("input '" + name + "': resize must be one of bilinear, nearest (or none), got '"
                    + resize + "'");
        }
    }

    public static InputSpec of(String name, int... shape) {
        return new InputSpec(name, shape, shape.length == 4 ? "NHWC" : "NC", null, null);
    }

    public String name() {
        return name;
    }

    /** The full shape including the batch dimension (-1 when any batch size is accepted). */
    public int[] shape() {
        return shape.clone();
    }

    /** The shape of one sample (without the batch dimension). */
    public int[] sampleShape() {
        return Arrays.copyOfRange(shape, 1, shape.length);
    }

    /** Elements of one sample. */
    public int sampleSize() {
        return (int) Tensor.elementCount(sampleShape());
    }

    public String layout() {
        return layout;
    }

    public float[] mean() {
        return mean.clone();
    }

    public float[] std() {
        return std.clone();
    }

    /** Normalizes a raw value of channel c. */
    public float normalize(float raw, int channel) {
        int i = mean.length == 1 ? 0 : channel;
        return (raw - mean[i]) / std[i];
    }

    public InputSpec withNormalization(float[] mean, float[] std) {
        return new InputSpec(name, shape, layout, mean, std, resize);
    }

    /** How an image of another size is resized to this input: "" (it is not: refused), "bilinear" or "nearest". */
    public String resize() {
        return resize;
    }

    public InputSpec withResize(String mode) {
        return new InputSpec(name, shape, layout, mean, std, mode);
    }
}
