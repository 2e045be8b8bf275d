package dev.tern.compress.eval;

import dev.tern.runtime.Results;
import dev.tern.runtime.Session;
import dev.tern.runtime.TaskResult;
import dev.tern.runtime.TaskSet;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.TaskSpec;

import java.util.ArrayList;
import java.util.List;

/** A {@link Predictor} over a Tern model: one session, all tasks (or the ones named), batch 1. */
public final class TernPredictor implements Predictor {
    private final TernModel model;
    private final Session session;
    private final List<TaskSpec> tasks;
    private final TaskSet set;

    public TernPredictor(TernModel model) {
        this(model, model.tasks());
    }

    /** Predicts only {@code tasks} (a subset of the model's), running only the nodes they need. */
    public TernPredictor(TernModel model, List<TaskSpec> tasks) {
        this.model = model;
        this.session = model.newSession();
        this.tasks = new ArrayList<>(tasks);
        String[] names = new String[tasks.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = tasks.get(i).name();
        }
        this.set = tasks.size() == model.tasks().size() ? model.allTasks() : model.taskSet(names);
    }

    @Override
    public List<TaskSpec> tasks() {
        return tasks;
    }

    @Override
    public dev.tern.runtime.model.InputSpec input() {
        return model.def().inputs().get(0);
    }

    @Override
    public void predict(float[] sample, float[][] out) {
        Results r = session.run(sample, set);
        for (int t = 0; t < tasks.size(); t++) {
            TaskResult tr = r.get(tasks.get(t).name());
            for (int i = 0; i < out[t].length; i++) {
                out[t][i] = tr.value(0, i);
            }
        }
    }

    @Override
    public String engine() {
        return "tern " + model.backend().id();
    }

    @Override
    public void close() {
        session.close();
    }
}
