package dev.tern.compress.data;

/**
 * A set of equally sized 8-bit grayscale images with one class label each: {@code size()}
 * images of {@code rows x cols} pixels, row-major, and labels in [0, classes). Immutable; the
 * accessors copy. Checked on construction: the pixel count is size * rows * cols, there is one
 * label per image, and every label is in range (the message names the first bad index and value).
 */
public final class LabeledImages {
    private final String name;
    private final int size;
    private final int rows;
    private final int cols;
    private final int classes;
    private final byte[] pixels;
    private final byte[] labels;

    private LabeledImages(String name, int rows, int cols, int classes, byte[] pixels, byte[] labels) {
        if (rows <= 0 || cols <= 0 || classes <= 0 || classes > 256) {
            throw new IllegalArgumentException(name + ": rows, cols must be positive and classes in [1, 256], got rows "
                    + rows + ", cols " + cols + ", classes " + classes);
        }
        int pixelsPerImage = rows * cols;
        if (pixels.length % pixelsPerImage != 0) {
            throw new DataException(name + ": " + pixels.length + " pixels is not a whole number of " + rows + "x" + cols
                    + " images");
        }
        int n = pixels.length / pixelsPerImage;
        if (labels.length != n) {
            throw new DataException(name + ": " + n + " images but " + labels.length + " labels; expected one label per image");
        }
        for (int i = 0; i < n; i++) {
            int label = labels[i] & 0xff;
            if (label >= classes) {
                throw new DataException(name + ": label " + i + " is " + label + ", expected a class in [0, " + (classes - 1) + "]");
            }
        }
        this.name = name;
        this.size = n;
        this.rows = rows;
        this.cols = cols;
        this.classes = classes;
        this.pixels = pixels;
        this.labels = labels;
    }

    /**
     * Images from copies of the given arrays: {@code pixels} holds the images one after the
     * other, row-major, one unsigned byte per pixel; {@code labels} one unsigned byte per image.
     *
     * @param name what the images are, for messages (a file or a description)
     * @throws DataException when the counts disagree or a label is not in [0, classes)
     */
    public static LabeledImages of(String name, int rows, int cols, int classes, byte[] pixels, byte[] labels) {
        return new LabeledImages(name, rows, cols, classes, pixels.clone(), labels.clone());
    }

    /** Like {@link #of} but takes ownership of the arrays, for this package's loaders. */
    static LabeledImages wrap(String name, int rows, int cols, int classes, byte[] pixels, byte[] labels) {
        return new LabeledImages(name, rows, cols, classes, pixels, labels);
    }

    /** What the images are (a file or a description), as given on construction. */
    public String name() {
        return name;
    }

    /** Number of images. */
    public int size() {
        return size;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Number of classes: labels are in [0, classes). */
    public int classes() {
        return classes;
    }

    /** The label of image {@code i}. */
    public int label(int i) {
        return labels[checkIndex(i)] & 0xff;
    }

    /** Pixel (y, x) of image {@code i}, in [0, 255]. */
    public int pixel(int i, int y, int x) {
        if (y < 0 || y >= rows || x < 0 || x >= cols) {
            throw new IndexOutOfBoundsException("pixel (" + y + ", " + x + ") is outside a " + rows + "x" + cols + " image");
        }
        return pixels[checkIndex(i) * rows * cols + y * cols + x] & 0xff;
    }

    /** A copy of image {@code i}: rows * cols unsigned bytes, row-major. */
    public byte[] image(int i) {
        int n = rows * cols;
        byte[] out = new byte[n];
        System.arraycopy(pixels, checkIndex(i) * n, out, 0, n);
        return out;
    }

    /** A copy of all labels, one per image. */
    public int[] labels() {
        int[] out = new int[size];
        for (int i = 0; i < size; i++) {
            out[i] = labels[i] & 0xff;
        }
        return out;
    }

    /** The backing pixel array (not a copy), for this package's renderers; never written. */
    byte[] pixelArray() {
        return pixels;
    }

    private int checkIndex(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("image " + i + " of " + size + " in " + name);
        }
        return i;
    }

    @Override
    public String toString() {
        return name + " (" + size + " images " + rows + "x" + cols + ", " + classes + " classes)";
    }
}
