package dev.tern.runtime;

import dev.tern.runtime.model.TaskKind;
import dev.tern.runtime.model.TaskSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * The task results of a session's last run. Only the tasks that run asked for are
 * available; asking for another throws. Owned by the session: the next run overwrites it.
 */
public final class Results {
    private final TaskResult[] results;
    private final boolean[] computed;
    private int batch;

    Results(List<TaskSpec> tasks, int maxBatch) {
        results = new TaskResult[tasks.size()];
        computed = new boolean[tasks.size()];
        for (int t = 0; t < results.length; t++) {
            TaskSpec spec = tasks.get(t);
            switch (spec.kind()) {
                case MULTICLASS: results[t] = new MulticlassResult(spec, maxBatch); break;
                case MULTILABEL: results[t] = new MultilabelResult(spec, maxBatch); break;
                default: results[t] = new RegressionResult(spec, maxBatch); break;
            }
        }
    }

    void clear(int batch) {
        this.batch = batch;
        for (int t = 0; t < computed.length; t++) {
            computed[t] = false;
        }
    }

    void fill(int task, float[] arena, int offset, int stride, int batch) {
        results[task].fill(arena, offset, stride, batch);
        computed[task] = true;
    }

    /** Samples in the last run. */
    public int batch() {
        return batch;
    }

    /** Whether the last run computed this task. */
    public boolean has(String task) {
        for (int t = 0; t < results.length; t++) {
            if (results[t].name().equals(task)) {
                return computed[t];
            }
        }
        return false;
    }

    /** Names of the tasks the last run computed, in model order. */
    public List<String> tasks() {
        List<String> out = new ArrayList<>();
        for (int t = 0; t < results.length; t++) {
            if (computed[t]) {
                out.add(results[t].name());
            }
        }
        return out;
    }

    public TaskResult get(String task) {
        for (int t = 0; t < results.length; t++) {
            if (results[t].name().equals(task)) {
                if (!computed[t]) {
                    throw new InvalidInputException("task '" + task + "' was not computed by the last run");
                }
                return results[t];
            }
        }
        throw new InvalidInputException("unknown task '" + task + "'");
    }

    public MulticlassResult multiclass(String task) {
        return (MulticlassResult) typed(task, TaskKind.MULTICLASS);
    }

    public MultilabelResult multilabel(String task) {
        return (MultilabelResult) typed(task, TaskKind.MULTILABEL);
    }

    public RegressionResult regression(String task) {
        return (RegressionResult) typed(task, TaskKind.REGRESSION);
    }

    private TaskResult typed(String task, TaskKind kind) {
        TaskResult r = get(task);
        if (r.kind() != kind) {
            throw new InvalidInputException("task '" + task + "' is " + r.kind().id() + ", not " + kind.id());
        }
        return r;
    }
}
