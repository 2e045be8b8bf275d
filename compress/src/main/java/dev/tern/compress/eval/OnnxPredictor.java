package dev.tern.compress.eval;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.tern.compress.BadInputException;
import dev.tern.compress.onnx.OnnxImporter;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.TaskKind;
import dev.tern.runtime.model.TaskSpec;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;

/**
 * A {@link Predictor} that runs an ONNX model in ONNX Runtime Java, batch 1, one thread: the
 * original of an imported model, as {@link SavedModelPredictor} is for a SavedModel. The tasks
 * (which output, what kind, logits or probabilities) are the ones {@code tern import} gives the
 * same file, so the ONNX model and its import are scored by the same heads.
 */
public final class OnnxPredictor implements Predictor {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final List<TaskSpec> tasks;
    private final String inputName;
    private final InputSpec input;
    private final long[] shape;

    public OnnxPredictor(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": no such file");
        }
        ModelDef def = OnnxImporter.importBytes(bytes, file.getFileName().toString(), null).model;
        if (def.inputs().size() != 1) {
            throw new BadInputException(file + ": evaluation feeds one input; the model has " + def.inputs().size());
        }
        if (def.tasks().isEmpty()) {
            throw new BadInputException(file + ": no output is a task (give it metadata_props tern.tasks, or import it with --tasks)");
        }
        tasks = def.tasks();
        InputSpec in = def.inputs().get(0);
        inputName = in.name();
        input = in;
        int[] s = in.sampleShape();
        shape = new long[s.length + 1];
        shape[0] = 1;
        for (int i = 0; i < s.length; i++) {
            shape[i + 1] = s[i];
        }
        env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            o.setInterOpNumThreads(1);
            session = env.createSession(bytes, o);
        } catch (OrtException e) {
            throw new BadInputException(file + ": ONNX Runtime does not load it: " + e.getMessage());
        }
    }

    @Override
    public List<TaskSpec> tasks() {
        return tasks;
    }

    @Override
    public InputSpec input() {
        return input;
    }

    @Override
    public void predict(float[] sample, float[][] out) {
        try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(sample), shape);
             OrtSession.Result r = session.run(Collections.singletonMap(inputName, x))) {
            for (int t = 0; t < tasks.size(); t++) {
                TaskSpec spec = tasks.get(t);
                OnnxValue v = r.get(spec.output()).orElseThrow(() -> new IllegalStateException("no output " + spec.output()));
                FloatBuffer fb = ((OnnxTensor) v).getFloatBuffer();
                float[] z = new float[fb.remaining()];
                fb.get(z);
                if (!spec.logits() || spec.kind() == TaskKind.REGRESSION) {
                    System.arraycopy(z, 0, out[t], 0, z.length);
                } else if (spec.kind() == TaskKind.MULTICLASS) {
                    SavedModelPredictor.softmax(z, out[t]);
                } else {
                    for (int i = 0; i < z.length; i++) {
                        out[t][i] = (float) (1.0 / (1.0 + Math.exp(-z[i])));
                    }
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime: " + e.getMessage(), e);
        }
    }

    @Override
    public String engine() {
        return "onnxruntime " + OrtEnvironment.getEnvironment().getVersion();
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
