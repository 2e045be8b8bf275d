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
    /**
     * This image at width x height: {@code bilinear} with half-pixel centers (PyTorch's
     * interpolate with align_corners=False, ONNX Resize linear half_pixel; no antialiasing),
     * or {@code nearest} (source index floor(dst * in / out), PyTorch's nearest). The mode
     * an input records in its preprocessing ({@code InputSpec.resize}).
     */
    public Pixels resized(int w, int h, String mode) {
        if (w == width && h == height) {
            return this;
        }
        boolean linear = mode.equals("bilinear");
        if (!linear && !mode.equals("nearest")) {
            throw new IllegalArgumentException("resize mode must be bilinear or nearest, got '" + mode + "'");
        }
        float[] out = new float[w * h * channels];
        for (int y = 0; y < h; y++) {
            float sy = linear ? Math.max(0f, (y + 0.5f) * height / h - 0.5f) : (float) Math.min(height - 1, y * height / h);
            int y0 = Math.min((int) sy, height - 1);
            int y1 = Math.min(y0 + 1, height - 1);
            float fy = linear ? sy - y0 : 0f;
            for (int x = 0; x < w; x++) {
                float sx = linear ? Math.max(0f, (x + 0.5f) * width / w - 0.5f) : (float) Math.min(width - 1, x * width / w);
                int x0 = Math.min((int) sx, width - 1);
                int x1 = Math.min(x0 + 1, width - 1);
                float fx = linear ? sx - x0 : 0f;
                for (int c = 0; c < channels; c++) {
                    float top = sample(y0, x0, c) * (1 - fx) + sample(y0, x1, c) * fx;
                    float bottom = sample(y1, x0, c) * (1 - fx) + sample(y1, x1, c) * fx;
                    out[(y * w + x) * channels + c] = top * (1 - fy) + bottom * fy;
                }
            }
        }
        return new Pixels(w, h, channels, out);
    }

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
