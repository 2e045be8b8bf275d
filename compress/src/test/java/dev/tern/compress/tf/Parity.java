package dev.tern.compress.tf;

import dev.tern.runtime.Backend;
import dev.tern.runtime.Results;
import dev.tern.runtime.Session;
import dev.tern.runtime.SessionOptions;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.format.TernWriter;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.TaskKind;
import dev.tern.runtime.model.TaskSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Runs a SavedModel in TensorFlow and its import in Tern on the same random batch and compares every task. */
final class Parity {
    static final float TOLERANCE = 1e-4f;

    private Parity() {
    }

    /** Writes {@code def} to a .tern file, loads it with the reference and scalar kernels, compares; returns the max difference. */
    static float check(Path savedModel, ModelDef def, Path ternFile, int batch, long seed) throws IOException {
        TernWriter.write(def, ternFile);
        float[] x = new float[batch * def.inputs().get(0).sampleSize()];
        Random rnd = new Random(seed);
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextFloat() * 2f - 1f;
        }
        Map<String, float[][]> expected;
        try (SavedModelRunner tf = SavedModelRunner.open(savedModel)) {
            expected = tf.run(x);
        }
        float worst = 0f;
        for (Backend backend : new Backend[] {Backend.REFERENCE, Backend.SCALAR}) {
            TernModel model = TernModel.load(ternFile, backend);
            try (Session s = model.newSession(SessionOptions.defaults().withMaxBatch(batch))) {
                Results r = s.run(x);
                for (TaskSpec task : def.tasks()) {
                    String key = outputKey(def, task);
                    float[][] want = expected.get(key);
                    for (int b = 0; b < batch; b++) {
                        float[] ref = head(task, want[b]);
                        float[] got = r.get(task.name()).values(b);
                        assertEquals(ref.length, got.length, "task " + task.name() + " values per sample");
                        for (int i = 0; i < ref.length; i++) {
                            float d = Math.abs(ref[i] - got[i]);
                            worst = Math.max(worst, d);
                            if (!(d <= TOLERANCE)) {
                                fail("backend " + backend.id() + ", task " + task.name() + ", sample " + b + ", index " + i
                                        + ": TensorFlow " + ref[i] + ", Tern " + got[i] + " (seed " + seed + ")");
                            }
                        }
                    }
                }
            }
        }
        assertTrue(worst <= TOLERANCE);
        return worst;
    }

    /** The signature key a task reads: tasks of these tests are named after it or record it. */
    private static String outputKey(ModelDef def, TaskSpec task) {
        return task.output();
    }

    /** What the Tern head reports for a raw TensorFlow output: softmax / sigmoid of logits, else the values. */
    static float[] head(TaskSpec task, float[] raw) {
        if (!task.logits() || task.kind() == TaskKind.REGRESSION) {
            return raw.clone();
        }
        float[] p = new float[raw.length];
        if (task.kind() == TaskKind.MULTILABEL) {
            for (int i = 0; i < raw.length; i++) {
                p[i] = (float) (1.0 / (1.0 + Math.exp(-raw[i])));
            }
            return p;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float v : raw) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int i = 0; i < raw.length; i++) {
            sum += Math.exp(raw[i] - max);
        }
        for (int i = 0; i < raw.length; i++) {
            p[i] = (float) (Math.exp(raw[i] - max) / sum);
        }
        return p;
    }
}
