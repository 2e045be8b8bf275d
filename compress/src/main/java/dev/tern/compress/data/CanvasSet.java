package dev.tern.compress.data;

/**
 * A list of Multi-Fashion canvases: for each, which images are A and B and the four shifts.
 * Canvases are drawn on demand from the source images, so a 60,000-canvas epoch costs about
 * 0.5 MB instead of the 311 MB its float pixels would take; stream it with {@link #cursor()}
 * or {@link #batch(int, int)}, or draw single canvases with {@link #fill(int, float[], int)}.
 * Immutable and safe to read from several threads.
 *
 * <p>Per canvas i: {@link #left(int)} = label of A, {@link #right(int)} = label of B,
 * {@link #present(int, int)} = whether a class is left or right. Float pixels are
 * {@code v / 255f}, NHWC [n, 36, 36, 1]; see {@link MultiFashion} for the construction.
 */
public final class CanvasSet {
    private static final int ITEM_PIXELS = MultiFashion.ITEM * MultiFashion.ITEM;
    private final String name;
    private final LabeledImages source;
    private final int size;
    private final int[] a;
    private final int[] b;
    private final byte[] shifts;

    CanvasSet(String name, LabeledImages source, int[] a, int[] b, byte[] shifts) {
        this(name, source, a.length, a, b, shifts);
    }

    private CanvasSet(String name, LabeledImages source, int size, int[] a, int[] b, byte[] shifts) {
        this.name = name;
        this.source = source;
        this.size = size;
        this.a = a;
        this.b = b;
        this.shifts = shifts;
    }

    /** What these canvases are, e.g. "Multi-Fashion test (seed 20190712)". */
    public String name() {
        return name;
    }

    /** Number of canvases. */
    public int size() {
        return size;
    }

    /** The first {@code n} canvases (the same samples, not a resample), for quick runs and tests. */
    public CanvasSet subset(int n) {
        if (n < 0 || n > size) {
            throw new IllegalArgumentException("subset of " + n + " canvases: expected 0.." + size);
        }
        return new CanvasSet(name + ", first " + n, source, n, a, b, shifts);
    }

    /** Canvases [from, from + n) (the same samples), e.g. calibration and validation slices of one split. */
    public CanvasSet slice(int from, int n) {
        if (from < 0 || n < 0 || (long) from + n > size) {
            throw new IllegalArgumentException("slice [" + from + ", " + ((long) from + n) + ") of " + size + " canvases");
        }
        byte[] sh = java.util.Arrays.copyOfRange(shifts, from * 4, (from + n) * 4);
        return new CanvasSet(name + ", canvases " + from + " to " + (from + n - 1), source, n,
                java.util.Arrays.copyOfRange(a, from, from + n), java.util.Arrays.copyOfRange(b, from, from + n), sh);
    }

    /** Index in the source split of item A (top-left) of canvas {@code i}. */
    public int imageA(int i) {
        return a[check(i)];
    }

    /** Index in the source split of item B (bottom-right) of canvas {@code i}. */
    public int imageB(int i) {
        return b[check(i)];
    }

    /** The shifts {dyA, dxA, dyB, dxB} of canvas {@code i}, each in [0, 4]. */
    public int[] shifts(int i) {
        int o = 4 * check(i);
        return new int[] {shifts[o], shifts[o + 1], shifts[o + 2], shifts[o + 3]};
    }

    /** Class of item A of canvas {@code i}. */
    public int left(int i) {
        return source.label(a[check(i)]);
    }

    /** Class of item B of canvas {@code i}. */
    public int right(int i) {
        return source.label(b[check(i)]);
    }

    /** Whether class {@code c} appears on canvas {@code i}: c is left(i) or right(i). */
    public boolean present(int i, int c) {
        if (c < 0 || c >= MultiFashion.CLASSES) {
            throw new IllegalArgumentException("class " + c + " is not in [0, " + (MultiFashion.CLASSES - 1) + "]");
        }
        return left(i) == c || right(i) == c;
    }

    /** All left labels, [n]. */
    public int[] left() {
        int[] out = new int[size];
        for (int i = 0; i < size; i++) {
            out[i] = left(i);
        }
        return out;
    }

    /** All right labels, [n]. */
    public int[] right() {
        int[] out = new int[size];
        for (int i = 0; i < size; i++) {
            out[i] = right(i);
        }
        return out;
    }

    /** The present labels as multi-hot rows, [n][10] of 0/1. */
    public int[][] present() {
        int[][] out = new int[size][MultiFashion.CLASSES];
        for (int i = 0; i < size; i++) {
            out[i][left(i)] = 1;
            out[i][right(i)] = 1;
        }
        return out;
    }

    /** Draws canvas {@code i} as 1296 floats (v / 255f, row-major) into {@code dst[off..off+1296)}. */
    public void fill(int i, float[] dst, int off) {
        checkRange(dst.length, off);
        byte[] px = source.pixelArray();
        int o = 4 * check(i);
        Canvas.render(px, a[i] * ITEM_PIXELS, px, b[i] * ITEM_PIXELS, shifts[o], shifts[o + 1], shifts[o + 2], shifts[o + 3], dst, off);
    }

    /** Draws canvas {@code i} as 1296 uint8 pixels (row-major) into {@code dst[off..off+1296)}. */
    public void fill(int i, byte[] dst, int off) {
        checkRange(dst.length, off);
        byte[] px = source.pixelArray();
        int o = 4 * check(i);
        Canvas.render(px, a[i] * ITEM_PIXELS, px, b[i] * ITEM_PIXELS, shifts[o], shifts[o + 1], shifts[o + 2], shifts[o + 3], dst, off);
    }

    /** Canvas {@code i} as 1296 uint8 pixels. */
    public byte[] canvas(int i) {
        byte[] out = new byte[MultiFashion.PIXELS];
        fill(i, out, 0);
        return out;
    }

    /** Canvases [start, start + count) with their labels. */
    public CanvasBatch batch(int start, int count) {
        if (start < 0 || count < 0 || start > size - count) {
            throw new IllegalArgumentException("batch [" + start + ", " + ((long) start + count) + ") is outside 0.." + size);
        }
        if ((long) count * MultiFashion.PIXELS > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a batch of " + count + " canvases needs " + (long) count * MultiFashion.PIXELS
                    + " floats, more than one array holds; use smaller batches");
        }
        float[] images = new float[count * MultiFashion.PIXELS];
        int[] left = new int[count];
        int[] right = new int[count];
        float[] present = new float[count * MultiFashion.CLASSES];
        for (int k = 0; k < count; k++) {
            int i = start + k;
            fill(i, images, k * MultiFashion.PIXELS);
            left[k] = left(i);
            right[k] = right(i);
            present[k * MultiFashion.CLASSES + left[k]] = 1f;
            present[k * MultiFashion.CLASSES + right[k]] = 1f;
        }
        return new CanvasBatch(start, count, images, left, right, present);
    }

    /** All canvases in one batch: n * 1296 floats (52 MB for the 10,000 test canvases). */
    public CanvasBatch all() {
        return batch(0, size);
    }

    /** A cursor that hands out consecutive batches from canvas 0. */
    public CanvasCursor cursor() {
        return new CanvasCursor(this);
    }

    private int check(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("canvas " + i + " of " + size + " in " + name);
        }
        return i;
    }

    private static void checkRange(int length, int off) {
        if (off < 0 || off > length - MultiFashion.PIXELS) {
            throw new IndexOutOfBoundsException("a canvas needs " + MultiFashion.PIXELS + " elements from offset " + off
                    + ", the array holds " + length);
        }
    }

    @Override
    public String toString() {
        return name + ": " + size + " canvases from " + source.name();
    }
}
