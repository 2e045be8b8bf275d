package dev.tern.compress.data;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A data set's samples in another order (an epoch's shuffle): sample i is the base's
 * {@code index[i]}. Reads go to the base, so nothing is copied but the labels' row references.
 */
public final class Shuffled extends LabeledDataset {
    private final Dataset base;
    private final int[] index;

    private Shuffled(Dataset base, int[] index, String split) {
        super(split, selected(base, index));
        this.base = base;
        this.index = index;
    }

    private static Map<String, TaskLabels> selected(Dataset base, int[] index) {
        Map<String, TaskLabels> labels = new LinkedHashMap<>();
        for (String t : base.tasks()) {
            labels.put(t, base.labels(t).select(index));
        }
        return labels;
    }

    /**
     * {@code base} shuffled by a Fisher-Yates shuffle driven by {@code java.util.Random(seed)}
     * (the same order on every JVM).
     */
    public static Shuffled of(Dataset base, long seed) {
        int n = base.size();
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        Random r = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return new Shuffled(base, p, base.split() + ", shuffled (seed " + seed + ")");
    }

    @Override
    public String name() {
        return base.name();
    }


    @Override
    public String checksum() {
        return base.checksum();
    }

    @Override
    public int size() {
        return index.length;
    }

    @Override
    public int sampleSize() {
        return base.sampleSize();
    }

    @Override
    public void fill(int i, float[] dst, int off) {
        base.fill(index[i], dst, off);
    }



    @Override
    public Dataset slice(int from, int n) {
        if (from < 0 || n < 0 || (long) from + n > index.length) {
            throw new IllegalArgumentException("samples [" + from + ", " + ((long) from + n) + ") of " + index.length);
        }
        return new Shuffled(base, java.util.Arrays.copyOfRange(index, from, from + n), sliceSplit(from, n));
    }
}
