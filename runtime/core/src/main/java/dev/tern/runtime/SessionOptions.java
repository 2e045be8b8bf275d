package dev.tern.runtime;

/**
 * Options of a {@link Session}. Input checking is on by default: inputs holding NaN or
 * infinite values are rejected with {@link InvalidInputException} (a model's output on
 * them is meaningless, and NaN would flow silently into every head). It costs one pass
 * over the input; turn it off only where the input is known to be finite.
 */
public final class SessionOptions {
    private final int maxBatch;
    private final boolean checkFinite;

    private SessionOptions(int maxBatch, boolean checkFinite) {
        this.maxBatch = maxBatch;
        this.checkFinite = checkFinite;
    }

    public static SessionOptions defaults() {
        return new SessionOptions(1, true);
    }

    /** Largest batch a run may hold (buffers are sized for it once). */
    public SessionOptions withMaxBatch(int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        return new SessionOptions(maxBatch, checkFinite);
    }

    /** Whether to reject NaN and infinite inputs (default true). */
    public SessionOptions withFiniteCheck(boolean check) {
        return new SessionOptions(maxBatch, check);
    }

    public int maxBatch() {
        return maxBatch;
    }

    public boolean checkFinite() {
        return checkFinite;
    }
}
