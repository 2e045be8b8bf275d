package dev.tern.runtime;

/**
 * Options of a {@link Session}. Input checking is on by default: inputs holding NaN or
 * infinite values are rejected with {@link InvalidInputException} (a model's output on
 * them is meaningless, and NaN would flow silently into every head). It costs one pass
 * over the input; turn it off only where the input is known to be finite.
 */
public final class SessionOptions {
    /** Most threads a session may use. */
    public static final int MAX_THREADS = 64;

    private final int maxBatch;
    private final boolean checkFinite;
    private final int threads;

    private SessionOptions(int maxBatch, boolean checkFinite, int threads) {
        this.maxBatch = maxBatch;
        this.checkFinite = checkFinite;
        this.threads = threads;
    }

    public static SessionOptions defaults() {
        return new SessionOptions(1, true, 1);
    }

    /** Largest batch a run may hold (buffers are sized for it once). */
    public SessionOptions withMaxBatch(int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        return new SessionOptions(maxBatch, checkFinite, threads);
    }

    /**
     * Whether to reject NaN and infinite inputs, and outputs that came out non-finite from finite
     * inputs (an overflow inside the network), with an {@link InvalidInputException} (default true).
     */
    public SessionOptions withFiniteCheck(boolean check) {
        return new SessionOptions(maxBatch, check, threads);
    }

    /**
     * Threads a run of more than one sample may use (default 1: the calling thread only).
     * A batch is split into contiguous sample ranges, one per thread, each running the whole
     * graph on its own samples with its own scratch; results are the same bits as with one
     * thread. The session starts {@code threads - 1} daemon worker threads and stops them on
     * close. Runs with more than one thread allocate a little (task hand-off); runs with one
     * allocate nothing.
     */
    public SessionOptions withThreads(int threads) {
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("threads must lie in [1, " + MAX_THREADS + "], got " + threads);
        }
        return new SessionOptions(maxBatch, checkFinite, threads);
    }

    public int threads() {
        return threads;
    }

    public int maxBatch() {
        return maxBatch;
    }

    public boolean checkFinite() {
        return checkFinite;
    }
}
