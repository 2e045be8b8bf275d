package dev.tern.compress.job;

import dev.tern.compress.data.CanvasSet;
import dev.tern.compress.data.Dataset;
import dev.tern.compress.data.MultiFashionData;
import dev.tern.compress.eval.Evaluator;
import dev.tern.compress.eval.Predictor;
import dev.tern.compress.eval.SavedModelPredictor;
import dev.tern.compress.eval.TernPredictor;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.TaskSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Scores a model on test canvases: per-task metrics, batch-1 latency, and agreement with a reference. */
public final class EvaluateJob {
    private EvaluateJob() {
    }

    /** The scores; {@code agreement}: null without a reference. */
    public record Outcome(String engine, List<TaskSpec> tasks, Evaluator.Report report, Map<String, Double> agreement) {
    }

    /** The samples the config scores: the first {@code limit} of {@code test}, else all of them. */
    public static Dataset samples(EvaluateConfig c, Dataset test) {
        if (c.limit == null) {
            return test;
        }
        if (c.limit > test.size()) {
            throw c.settings().bad("limit", "expected at most " + test.size() + " (the samples of " + test.name() + ", "
                    + test.split() + "), found " + c.limit);
        }
        return test.head(c.limit);
    }

    /** The canvases the config scores: the first {@code limit} of {@code test}, else {@code fallback} of them. */
    public static CanvasSet canvases(EvaluateConfig c, CanvasSet test, int fallback) {
        int n = c.limit != null ? c.limit : fallback;
        if (n > test.size()) {
            throw c.settings().bad("limit", "expected at most " + test.size() + " (the test canvases of the data), found " + n);
        }
        return test.subset(n);
    }

    /**
     * A .tern file runs in Tern; a SavedModel folder in TensorFlow Java and an .onnx file in ONNX
     * Runtime Java (the float references of imported models).
     */
    public static Predictor open(Path model) throws IOException {
        if (Files.isDirectory(model)) {
            return new SavedModelPredictor(model);
        }
        if (model.getFileName() != null && model.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".onnx")) {
            return new dev.tern.compress.eval.OnnxPredictor(model);
        }
        return new TernPredictor(TernModel.of(ModelInput.read(model).def()));
    }

    /** Scores {@code model} (and {@code reference}, when not null) on {@code test}. */
    public static Outcome run(Predictor model, Predictor reference, CanvasSet test) {
        return run(model, reference, new MultiFashionData(test));
    }

    /** Scores {@code model} (and {@code reference}, when not null) on {@code test}. */
    public static Outcome run(Predictor model, Predictor reference, Dataset test) {
        Evaluator.Report r = Evaluator.evaluate(model, test);
        Map<String, Double> agreement = reference == null ? null
                : Evaluator.agreement(model.tasks(), r, Evaluator.evaluate(reference, test));
        return new Outcome(model.engine(), model.tasks(), r, agreement);
    }

    /** Scores a compiled Tern model. */
    public static Evaluator.Report score(TernModel model, CanvasSet test) {
        return Evaluator.evaluate(new TernPredictor(model), test);
    }

    /** Scores a compiled Tern model. */
    public static Evaluator.Report score(TernModel model, Dataset test) {
        return Evaluator.evaluate(new TernPredictor(model), test);
    }
}
