package dev.tern.compress.data;

import java.util.Map;
import java.util.Set;

/** What the user data sets share: which part of the source they are, and their labels per task. */
abstract class LabeledDataset implements Dataset {
    private final String split;
    private final Map<String, TaskLabels> labels;

    LabeledDataset(String split, Map<String, TaskLabels> labels) {
        this.split = split;
        this.labels = labels;
    }

    @Override
    public final String split() {
        return split;
    }

    @Override
    public final Set<String> tasks() {
        return labels.keySet();
    }

    @Override
    public final TaskLabels labels(String task) {
        return labels.get(task);
    }

    /** Every task's labels of samples [from, from + n) ({@link TaskLabels#slice(Map, int, int, int)}). */
    final Map<String, TaskLabels> labelSlice(int from, int n) {
        return TaskLabels.slice(labels, size(), from, n);
    }

    /** The split of a slice: "SPLIT, first N" or "SPLIT, samples A to B". */
    final String sliceSplit(int from, int n) {
        return split + ", " + TaskLabels.part(from, n);
    }
}
