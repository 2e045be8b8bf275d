package dev.tern.runtime;

import dev.tern.runtime.model.TaskKind;
import dev.tern.runtime.model.TaskSpec;

import java.util.Arrays;
import java.util.List;

/**
 * The output of one task head for every sample of the last run. Owned by the session and
 * overwritten by its next run; copy what you keep.
 */
public abstract class TaskResult {
    final TaskSpec spec;
    final int n;
    final float[] values;
    int batch;

    TaskResult(TaskSpec spec, int maxBatch) {
        this.spec = spec;
        this.n = spec.size();
        this.values = new float[n * maxBatch];
    }

    /** Reads this head's output value for samples [0, batch) from the arena. */
    abstract void fill(float[] arena, int offset, int stride, int batch);

    public String name() {
        return spec.name();
    }

    public TaskKind kind() {
        return spec.kind();
    }

    /** Class, label or target names. */
    public List<String> labels() {
        return spec.labels();
    }

    /** Number of outputs per sample. */
    public int size() {
        return n;
    }

    /** Samples in the last run. */
    public int batch() {
        return batch;
    }

    /** The head's values of one sample (probabilities, or regression values), copied. */
    public float[] values(int sample) {
        check(sample);
        return Arrays.copyOfRange(values, sample * n, sample * n + n);
    }

    /** One value of one sample. */
    public float value(int sample, int index) {
        check(sample);
        if (index < 0 || index >= n) {
            throw new IndexOutOfBoundsException("index " + index + " outside [0, " + n + ") of task '" + name() + "'");
        }
        return values[sample * n + index];
    }

    void check(int sample) {
        if (sample < 0 || sample >= batch) {
            throw new IndexOutOfBoundsException("sample " + sample + " outside the last batch of " + batch);
        }
    }
}
