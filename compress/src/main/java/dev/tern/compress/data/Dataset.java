package dev.tern.compress.data;

import java.util.Set;

/**
 * Labeled samples for one model input, read on demand: {@link #fill} writes sample i's values
 * (the input's sample size, normalized as the model's recorded preprocessing says), so a data
 * set larger than memory is never held whole; labels are small and held. Open one with
 * {@link DataSets#open}. Safe to read from several threads.
 */
public interface Dataset extends AutoCloseable {
    /** What the samples are, e.g. {@code data/test.npz} or {@code Multi-Fashion test (seed 20190712)}. */
    String name();

    /** Which part of the source these samples are, e.g. "test.npz", "all 10000 rows", "split column = test". */
    String split();

    /**
     * A digest that changes when the data changes: {@code sha256:HEX} of the files (for the
     * built-in Multi-Fashion splits: of the canvases and their labels, as models/README.md pins).
     */
    String checksum();

    /** Number of samples. */
    int size();

    /** Values per sample. */
    int sampleSize();

    /**
     * Writes sample {@code i} ({@link #sampleSize()} floats, in the model input's layout and
     * normalization) into {@code dst[off..)}.
     *
     * @throws DataException when the sample cannot be read (an unreadable image, a file that changed)
     */
    void fill(int i, float[] dst, int off);

    /** The tasks this data set labels. */
    Set<String> tasks();

    /** Ground truth of {@code task}, or null when the data set does not label it. */
    TaskLabels labels(String task);

    /** Samples [from, from + n) (the same ones, not a resample); it shares this data set's files. */
    Dataset slice(int from, int n);

    /** The first {@code n} samples. */
    default Dataset head(int n) {
        return slice(0, n);
    }

    /** Releases open files (an {@code .npz} archive); the data set is unusable afterwards. */
    @Override
    default void close() {
    }
}
