package dev.tern.compress.eval;

import dev.tern.compress.tf.SavedModelImporter;
import dev.tern.compress.tf.SavedModelRunner;
import dev.tern.compress.tf.TaskMetadata;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.TaskKind;
import dev.tern.runtime.model.TaskSpec;
import org.tensorflow.TensorFlow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A {@link Predictor} that runs a SavedModel in TensorFlow Java, batch 1: the float
 * reference. Tasks come from the importer (its reading of assets.extra/tern.json), so the
 * SavedModel and its imported {@code .tern} are scored by the same heads; softmax or
 * sigmoid is applied here when a task's output holds logits.
 */
public final class SavedModelPredictor implements Predictor {
    private final SavedModelRunner runner;
    private final List<TaskSpec> tasks;
    private final String[] outputKeys;
    private final dev.tern.runtime.model.InputSpec input;

    public SavedModelPredictor(Path dir) throws IOException {
        ModelDef def = SavedModelImporter.importModel(dir);
        this.tasks = def.tasks();
        this.input = def.inputs().get(0);
        this.outputKeys = new String[tasks.size()];
        Path meta = TaskMetadata.location(dir);
        TaskMetadata m = Files.exists(meta) ? TaskMetadata.read(meta) : null;
        for (int t = 0; t < tasks.size(); t++) {
            outputKeys[t] = tasks.get(t).name();
            if (m != null) {
                for (TaskMetadata.Task mt : m.tasks()) {
                    if (mt.name().equals(tasks.get(t).name())) {
                        outputKeys[t] = mt.output();
                    }
                }
            }
        }
        this.runner = SavedModelRunner.open(dir);
    }

    @Override
    public List<TaskSpec> tasks() {
        return tasks;
    }

    @Override
    public dev.tern.runtime.model.InputSpec input() {
        return input;
    }

    @Override
    public void predict(float[] sample, float[][] out) {
        Map<String, float[][]> r = runner.run(sample, outputKeys);
        for (int t = 0; t < tasks.size(); t++) {
            TaskSpec spec = tasks.get(t);
            float[] z = r.get(outputKeys[t])[0];
            if (!spec.logits() || spec.kind() == TaskKind.REGRESSION) {
                System.arraycopy(z, 0, out[t], 0, z.length);
            } else if (spec.kind() == TaskKind.MULTICLASS) {
                softmax(z, out[t]);
            } else {
                for (int i = 0; i < z.length; i++) {
                    out[t][i] = (float) (1.0 / (1.0 + Math.exp(-z[i])));
                }
            }
        }
    }

    @Override
    public String engine() {
        return "tensorflow " + TensorFlow.version();
    }

    @Override
    public void close() {
        runner.close();
    }

    /**
     * Softmax with the maximum subtracted and a double sum, as the runtime's reference kernel
     * computes it (kept here: compress uses only the runtime's public API).
     */
    static void softmax(float[] x, float[] y) {
        float m = Float.NEGATIVE_INFINITY;
        for (float v : x) {
            m = Math.max(m, v);
        }
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            double e = Math.exp(x[i] - m);
            y[i] = (float) e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < x.length; i++) {
            y[i] *= inv;
        }
    }
}
