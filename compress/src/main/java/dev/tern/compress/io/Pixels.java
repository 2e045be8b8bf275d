package dev.tern.compress.io;

/**
 * A decoded image: width x height pixels of 1 (gray) or 3 (RGB) channels, row-major with
 * channels interleaved (HWC), each sample a raw value in [0, 255] (deeper images are
 * scaled to that range).
 */
public final class Pixels {
    private final int width;
    private final int height;
    private final int channels;
    private final float[] samples;

    /**
     * @param samples {@code height * width * channels} values, HWC; not copied
     */
    public Pixels(int width, int height, int channels, float[] samples) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        if ((long) width * height * channels != samples.length) {
            throw new IllegalArgumentException(width + "x" + height + "x" + channels + " pixels need "
                    + (long) width * height * channels + " samples, got " + samples.length);
        }
        this.width = width;
        this.height = height;
        this.channels = channels;
        this.samples = samples;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** 1 for gray, 3 for RGB. */
    public int channels() {
        return channels;
    }

    /** The samples, HWC; the array itself, not a copy. */
    public float[] samples() {
        return samples;
    }

    /** One sample. */
    public float sample(int y, int x, int c) {
        return samples[(y * width + x) * channels + c];
    }

    /**
     * This image with {@code c} channels: gray is repeated into R, G and B; RGB becomes gray
     * by ITU-R 601 luma in fixed point, {@code (19595 R + 38470 G + 7471 B + 32768) >> 16},
     * the formula of Pillow's {@code convert("L")}, so images match what Python pipelines see.
     */
    public Pixels withChannels(int c) {
        if (c == channels) {
            return this;
        }
        int n = width * height;
        if (c == 3) {
            float[] rgb = new float[n * 3];
            for (int i = 0; i < n; i++) {
                rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = samples[i];
            }
            return new Pixels(width, height, 3, rgb);
        }
        if (c != 1) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + c);
        }
        float[] gray = new float[n];
        for (int i = 0; i < n; i++) {
            double luma = 19595.0 * samples[3 * i] + 38470.0 * samples[3 * i + 1] + 7471.0 * samples[3 * i + 2];
            gray[i] = (float) Math.floor((luma + 32768.0) / 65536.0);
        }
        return new Pixels(width, height, 1, gray);
    }

    /** "WIDTHxHEIGHT gray" or "WIDTHxHEIGHT RGB". */
    public String describe() {
        return width + "x" + height + (channels == 1 ? " gray" : " RGB");
    }
}
