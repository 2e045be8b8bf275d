package dev.tern.compress.data;

/**
 * Consecutive Multi-Fashion canvases [start, start + size) with their labels. The arrays are
 * fresh for each batch and belong to the caller:
 * <ul>
 * <li>{@link #images()}: float32 NHWC [size, 36, 36, 1], pixel v as {@code v / 255f};</li>
 * <li>{@link #left()}, {@link #right()}: class indices, [size];</li>
 * <li>{@link #present()}: multi-hot 0/1 floats, [size, 10] row-major.</li>
 * </ul>
 */
public final class CanvasBatch {
    private final int start;
    private final int size;
    private final float[] images;
    private final int[] left;
    private final int[] right;
    private final float[] present;

    CanvasBatch(int start, int size, float[] images, int[] left, int[] right, float[] present) {
        this.start = start;
        this.size = size;
        this.images = images;
        this.left = left;
        this.right = right;
        this.present = present;
    }

    /** Index of the first canvas in its {@link CanvasSet}. */
    public int start() {
        return start;
    }

    /** Number of canvases. */
    public int size() {
        return size;
    }

    /** Shape of {@link #images()}: [size, 36, 36, 1]. */
    public long[] imageShape() {
        return new long[] {size, MultiFashion.SIZE, MultiFashion.SIZE, 1};
    }

    /** float32 NHWC [size, 36, 36, 1], v / 255f. */
    public float[] images() {
        return images;
    }

    /** Class of the top-left item, [size]. */
    public int[] left() {
        return left;
    }

    /** Class of the bottom-right item, [size]. */
    public int[] right() {
        return right;
    }

    /** Multi-hot of {left, right}, [size, 10] row-major 0/1 floats. */
    public float[] present() {
        return present;
    }
}
