package dev.tern.compress.io;

import dev.tern.runtime.model.InputSpec;

import java.util.Arrays;
import java.util.Locale;

/**
 * How a model input lays out one sample: where its channel axis is and, when it is an
 * image, its height, width and channel count. Sample shapes {@code [H, W, C]} (NHWC, the
 * default), {@code [C, H, W]} (layout NCHW) and {@code [H, W]} are images when C is 1 or 3.
 */
public final class InputLayout {
    private final InputSpec spec;
    private final int[] sample;
    private final boolean channelsFirst;
    private final int height;
    private final int width;
    private final int channels;

    private InputLayout(InputSpec spec) {
        this.spec = spec;
        this.sample = spec.sampleShape();
        this.channelsFirst = sample.length == 3 && spec.layout().toUpperCase(Locale.ROOT).equals("NCHW");
        if (sample.length == 2) {
            height = sample[0];
            width = sample[1];
            channels = 1;
        } else if (sample.length == 3) {
            height = channelsFirst ? sample[1] : sample[0];
            width = channelsFirst ? sample[2] : sample[1];
            channels = channelsFirst ? sample[0] : sample[2];
        } else {
            height = width = channels = 0;
        }
    }

    public static InputLayout of(InputSpec spec) {
        return new InputLayout(spec);
    }

    /** Whether an image (1 or 3 channels) can feed this input. */
    public boolean isImage() {
        return channels == 1 || channels == 3;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int channels() {
        return channels;
    }

    /** The channel of element {@code i} of a flattened sample (axis 0 for NCHW, else the last axis). */
    public int channelOf(int i) {
        if (channelsFirst) {
            return i / (height * width);
        }
        return i % sample[sample.length - 1];
    }

    /**
     * Applies the input's normalization, {@code (raw - mean[c]) / std[c]}, to raw values in
     * layout order: one sample, or several whole samples one after the other.
     */
    public float[] normalize(float[] raw) {
        int size = spec.sampleSize();
        float[] out = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
            out[i] = spec.normalize(raw[i], channelOf(i % size));
        }
        return out;
    }

    /**
     * The raw samples of an image in this input's layout, converting gray to RGB or RGB
     * to gray as the input needs.
     *
     * @throws IllegalStateException when this input is not an image ({@link #isImage()})
     * @throws IllegalArgumentException when the image size differs from the input's
     */
    public float[] arrange(Pixels image) {
        if (!isImage()) {
            throw new IllegalStateException("input '" + spec.name() + "' " + Arrays.toString(sample) + " is not an image");
        }
        if (image.width() != width || image.height() != height) {
            throw new IllegalArgumentException("size " + image.width() + "x" + image.height() + " differs from "
                    + width + "x" + height);
        }
        Pixels p = image.withChannels(channels);
        if (!channelsFirst) {
            return p.samples().clone();
        }
        float[] out = new float[channels * height * width];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    out[(c * height + y) * width + x] = p.sample(y, x, c);
                }
            }
        }
        return out;
    }
}
