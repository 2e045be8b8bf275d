package dev.tern.compress.data;

import dev.tern.runtime.model.TaskKind;

import java.util.Arrays;

/**
 * The ground truth of one task over a data set's samples: class ids (multiclass), multi-hot
 * rows (multilabel) or target values (regression). Checked when built: every id in range,
 * every row as wide as the task.
 */
public final class TaskLabels {
    private final TaskKind kind;
    private final int width;
    private final int[] classes;
    private final boolean[][] multiHot;
    private final float[][] values;

    private TaskLabels(TaskKind kind, int width, int[] classes, boolean[][] multiHot, float[][] values) {
        this.kind = kind;
        this.width = width;
        this.classes = classes;
        this.multiHot = multiHot;
        this.values = values;
    }

    /** Class ids in [0, classes). */
    public static TaskLabels multiclass(int classes, int[] ids) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= classes) {
                throw new IllegalArgumentException("row " + i + ": class " + ids[i] + " is outside [0, " + (classes - 1) + "]");
            }
        }
        return new TaskLabels(TaskKind.MULTICLASS, classes, ids, null, null);
    }

    /** Multi-hot rows of {@code labels} entries each. */
    public static TaskLabels multilabel(int labels, boolean[][] rows) {
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != labels) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " labels, expected " + labels);
            }
        }
        return new TaskLabels(TaskKind.MULTILABEL, labels, null, rows, null);
    }

    /** Target rows of {@code targets} values each. */
    public static TaskLabels regression(int targets, float[][] rows) {
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != targets) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values, expected " + targets);
            }
        }
        return new TaskLabels(TaskKind.REGRESSION, targets, null, null, rows);
    }

    public TaskKind kind() {
        return kind;
    }

    /** Classes, labels or targets per sample. */
    public int width() {
        return width;
    }

    /** Number of samples. */
    public int size() {
        return classes != null ? classes.length : multiHot != null ? multiHot.length : values.length;
    }

    /** Class ids (multiclass), [size]; the caller must not change them. */
    public int[] classes() {
        return require(TaskKind.MULTICLASS, classes);
    }

    /** Multi-hot rows (multilabel), [size][width]. */
    public boolean[][] multiHot() {
        return require(TaskKind.MULTILABEL, multiHot);
    }

    /** Targets (regression), [size][width]. */
    public float[][] values() {
        return require(TaskKind.REGRESSION, values);
    }

    /** The rows {@code index[0]}, {@code index[1]}, ... in that order. */
    public TaskLabels select(int[] index) {
        int[] c = null;
        boolean[][] h = null;
        float[][] v = null;
        if (classes != null) {
            c = new int[index.length];
            for (int i = 0; i < index.length; i++) {
                c[i] = classes[index[i]];
            }
        } else if (multiHot != null) {
            h = new boolean[index.length][];
            for (int i = 0; i < index.length; i++) {
                h[i] = multiHot[index[i]];
            }
        } else {
            v = new float[index.length][];
            for (int i = 0; i < index.length; i++) {
                v[i] = values[index[i]];
            }
        }
        return new TaskLabels(kind, width, c, h, v);
    }

    /** Samples [from, from + n). */
    public TaskLabels slice(int from, int n) {
        return new TaskLabels(kind, width, classes == null ? null : Arrays.copyOfRange(classes, from, from + n),
                multiHot == null ? null : Arrays.copyOfRange(multiHot, from, from + n),
                values == null ? null : Arrays.copyOfRange(values, from, from + n));
    }

    /**
     * Every task's labels of samples [from, from + n) of a data set of {@code size} samples.
     *
     * @throws IllegalArgumentException when the range is outside [0, size)
     */
    static java.util.Map<String, TaskLabels> slice(java.util.Map<String, TaskLabels> all, int size, int from, int n) {
        if (from < 0 || n < 0 || (long) from + n > size) {
            throw new IllegalArgumentException("samples [" + from + ", " + ((long) from + n) + ") of " + size);
        }
        java.util.Map<String, TaskLabels> out = new java.util.LinkedHashMap<>();
        all.forEach((k, v) -> out.put(k, v.slice(from, n)));
        return out;
    }

    /** How a data set's split names a slice: "first N" or "samples A to B". */
    static String part(int from, int n) {
        return from == 0 ? "first " + n : "samples " + from + " to " + (from + n - 1);
    }

    private <T> T require(TaskKind k, T v) {
        if (kind != k) {
            throw new IllegalStateException("these labels are " + kind.id() + ", not " + k.id());
        }
        return v;
    }
}
