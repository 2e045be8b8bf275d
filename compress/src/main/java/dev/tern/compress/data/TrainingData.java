package dev.tern.compress.data;

import java.util.Map;
import java.util.function.IntFunction;

/**
 * The samples a training job (fine-tuning, pruning with fine-tuning) draws, epoch by epoch:
 * fresh Multi-Fashion canvases per epoch, or a user data set's train split shuffled per epoch
 * (docs/DATA.md). {@link #describe} and {@link #checksums} go into the provenance.
 */
public final class TrainingData {
    /** Mixes the epoch into a user data set's shuffle seed (the 64-bit golden ratio, odd, as Multi-Fashion). */
    static final long EPOCH_MIX = 0x9E3779B97F4A7C15L;

    private final IntFunction<Dataset> epochs;
    private final String name;
    private final Map<String, String> checksums;
    private final long seed;
    private final Dataset first;

    private TrainingData(IntFunction<Dataset> epochs, String name, Map<String, String> checksums, long seed) {
        this.epochs = epochs;
        this.name = name;
        this.checksums = checksums;
        this.seed = seed;
        this.first = epochs.apply(0);
    }

    /** Multi-Fashion training canvases, epoch e = {@code trainEpoch(seed, e)}. */
    public static TrainingData multiFashion(MultiFashion mf, long seed) {
        return new TrainingData(e -> new MultiFashionData(mf.trainEpoch(seed, e)), "multi-fashion train", Map.of(), seed);
    }

    /** {@code train} shuffled per epoch: epoch e in the order of seed {@code seed ^ (e * golden ratio)}. */
    public static TrainingData of(Dataset train, long seed) {
        return new TrainingData(e -> Shuffled.of(train, seed ^ (e * EPOCH_MIX)), train.name() + " (" + train.split() + ")",
                Map.of(train.name(), train.checksum()), seed);
    }

    /** The first epoch's samples (for the checks before training). */
    public Dataset first() {
        return first;
    }

    /** The samples of epoch {@code e}. */
    public Dataset epoch(int e) {
        return e == 0 ? first : epochs.apply(e);
    }

    /** Samples per epoch. */
    public int size() {
        return first.size();
    }

    /** Provenance text, e.g. "data/train.npz (train.npz), epochs 0-2, 1024 samples each". */
    public String describe(int epochs, int samples) {
        return name + ", epochs 0-" + (epochs - 1) + ", " + Math.min(samples, size()) + " samples each";
    }

    /** The data set files and their checksums (none for the built-in canvases). */
    public Map<String, String> checksums() {
        return checksums;
    }

    public long seed() {
        return seed;
    }
}
