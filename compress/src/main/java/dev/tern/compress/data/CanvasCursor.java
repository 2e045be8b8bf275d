package dev.tern.compress.data;

/**
 * Walks a {@link CanvasSet} in order, one batch at a time, so a trainer can stream an epoch
 * without holding all of it: {@code while (c.hasNext()) { CanvasBatch b = c.next(256); ... }}.
 * The last batch is shorter when the size does not divide the set. Not thread-safe.
 */
public final class CanvasCursor {
    private final CanvasSet set;
    private int position;

    CanvasCursor(CanvasSet set) {
        this.set = set;
    }

    /** Whether canvases remain. */
    public boolean hasNext() {
        return position < set.size();
    }

    /** Canvases not handed out yet. */
    public int remaining() {
        return set.size() - position;
    }

    /** Index of the next canvas. */
    public int position() {
        return position;
    }

    /**
     * The next {@code min(maxSize, remaining())} canvases.
     *
     * @throws IllegalArgumentException when maxSize &lt; 1
     * @throws java.util.NoSuchElementException when no canvases remain
     */
    public CanvasBatch next(int maxSize) {
        if (maxSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + maxSize);
        }
        if (!hasNext()) {
            throw new java.util.NoSuchElementException("all " + set.size() + " canvases of " + set.name() + " were handed out");
        }
        int n = Math.min(maxSize, remaining());
        CanvasBatch b = set.batch(position, n);
        position += n;
        return b;
    }
}
