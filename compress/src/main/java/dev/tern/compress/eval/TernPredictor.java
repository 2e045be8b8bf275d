package dev.tern.compress.eval;

import dev.tern.runtime.Results;
import dev.tern.runtime.Session;
import dev.tern.runtime.TaskResult;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.TaskSpec;

import java.util.List;

/** A {@link Predictor} over a Tern model: one session, all tasks, batch 1. */
public final class TernPredictor implements Predictor {
    private final TernModel model;
    private final Session session;

    public TernPredictor(TernModel model) {
        this.model = model;
        this.session = model.newSession();
    }

    @Override
    public List<TaskSpec> tasks() {
        return model.tasks();
    }

    @Override
    public void predict(float[] sample, float[][] out) {
        Results r = session.run(sample, model.allTasks());
        List<TaskSpec> tasks = model.tasks();
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
