package dev.tern.runtime.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One task head: which graph value it reads, what it predicts, its label names and, for
 * multilabel tasks, one decision threshold per label.
 */
public final class TaskSpec {
    private final String name;
    private final TaskKind kind;
    private final String output;
    private final boolean logits;
    private final List<String> labels;
    private final float[] thresholds;

    /**
     * @param output     the graph value the head reads ([n] per sample)
     * @param logits     true when that value holds logits and the head applies softmax
     *                   (multiclass) or sigmoid (multilabel); false when it already holds
     *                   probabilities. Ignored for regression.
     * @param labels     one name per output (class, label or regression target)
     * @param thresholds per-label thresholds for multilabel tasks (null means 0.5 each);
     *                   must be null for the other kinds
     */
    public TaskSpec(String name, TaskKind kind, String output, boolean logits, List<String> labels, float[] thresholds) {
        this.name = Names.check(name, "task");
        this.kind = kind;
        this.output = Names.check(output, "value");
        this.logits = logits;
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("task '" + name + "' needs at least one label");
        }
        this.labels = Collections.unmodifiableList(new ArrayList<>(labels));
        if (kind == TaskKind.MULTILABEL) {
            if (thresholds == null) {
                thresholds = new float[labels.size()];
                Arrays.fill(thresholds, 0.5f);
            }
            if (thresholds.length != labels.size()) {
                throw new IllegalArgumentException("task '" + name + "' has " + labels.size() + " labels but "
                        + thresholds.length + " thresholds");
            }
            for (float t : thresholds) {
                if (!(t >= 0f && t <= 1f)) {
                    throw new IllegalArgumentException("task '" + name + "': thresholds must lie in [0, 1], got " + t);
                }
            }
            this.thresholds = thresholds.clone();
        } else {
            if (thresholds != null) {
                throw new IllegalArgumentException("task '" + name + "' is " + kind.id() + ": thresholds apply to multilabel tasks only");
            }
            this.thresholds = null;
        }
    }

    public static TaskSpec multiclass(String name, String logitsValue, List<String> classes) {
        return new TaskSpec(name, TaskKind.MULTICLASS, logitsValue, true, classes, null);
    }

    public static TaskSpec multilabel(String name, String logitsValue, List<String> labels, float[] thresholds) {
        return new TaskSpec(name, TaskKind.MULTILABEL, logitsValue, true, labels, thresholds);
    }

    public static TaskSpec regression(String name, String value, List<String> targets) {
        return new TaskSpec(name, TaskKind.REGRESSION, value, false, targets, null);
    }

    public String name() {
        return name;
    }

    public TaskKind kind() {
        return kind;
    }

    public String output() {
        return output;
    }

    public boolean logits() {
        return logits;
    }

    public List<String> labels() {
        return labels;
    }

    public int size() {
        return labels.size();
    }

    /** Per-label thresholds (a copy) for multilabel tasks, else null. */
    public float[] thresholds() {
        return thresholds == null ? null : thresholds.clone();
    }

    public float threshold(int label) {
        return thresholds[label];
    }

    /**
     * {@code left (multiclass, 10 labels, output 'left_logits')}: what a message needs to name the
     * task. (Without it, lists of tasks printed as {@code TaskSpec@46daef40}.)
     */
    @Override
    public String toString() {
        return name + " (" + kind.id() + ", " + size() + (size() == 1 ? " label" : " labels") + ", output '" + output + "')";
    }
}
