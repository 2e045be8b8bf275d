package dev.tern.compress.eval;

import dev.tern.runtime.model.TaskSpec;

import java.util.List;

/**
 * Something that maps one normalized input sample to per-task scores: a Tern session, or a
 * SavedModel run in TensorFlow Java (the float reference). Scores are probabilities for
 * multiclass and multilabel tasks (the head's softmax/sigmoid applied), values for regression.
 */
public interface Predictor extends AutoCloseable {
    /** The tasks, in the order {@link #predict} fills them. */
    List<TaskSpec> tasks();

    /** The input {@link #predict} feeds: its sample shape, layout and recorded preprocessing. */
    dev.tern.runtime.model.InputSpec input();

    /** Runs one sample; {@code out[t]} receives task t's scores. */
    void predict(float[] sample, float[][] out);

    /** What runs the model (e.g. "tern scalar", "tensorflow 2.18.0"). */
    String engine();

    @Override
    void close();
}
