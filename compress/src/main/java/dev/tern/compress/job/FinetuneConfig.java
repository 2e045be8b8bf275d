package dev.tern.compress.job;

import java.util.List;

/**
 * Settings of {@link FinetuneJob} (fine-tuning that keeps every zero weight at zero): the
 * {@code tern finetune} options and the recipe's {@code finetune} stage fields.
 */
public final class FinetuneConfig {
    public static final List<Field> FIELDS = List.of(
            Field.integer("epochs", 1, 1, 1000, "Epochs."),
            Field.integer("samples", 60_000, 1, 100_000_000, "Training samples per epoch (at most the training data holds; at least one batch)."),
            Field.integer("batch", 64, 1, 60_000, "Batch size."),
            Field.number("lr", 5e-5, 0, true, 1, false, "Adam learning rate (falls along a cosine to 1% of it by the last step)."),
            Field.integer("threads", 2, 1, 256, "TensorFlow intra-op threads."),
            Field.list("task_weights", "TASK=W", "Loss weight per task, e.g. left=1,present=2 (default: 1 each)."));

    public final int epochs;
    public final int samples;
    public final int batch;
    public final double lr;
    public final int threads;
    /** Loss weight per task name (empty: 1 each). */
    public final java.util.Map<String, Double> taskWeights;
    private final Settings settings;

    private FinetuneConfig(Settings s) {
        this.settings = s;
        this.epochs = s.integer("epochs");
        this.samples = s.integer("samples");
        this.batch = s.integer("batch");
        this.lr = s.number("lr");
        this.threads = s.integer("threads");
        this.taskWeights = PruneConfig.taskWeights(s);
    }

    /** The config of checked settings; the checks across fields happen here. */
    public static FinetuneConfig of(Settings s) {
        PruneConfig.checkBatches(s, "samples", "batch", s.integer("epochs"));
        return new FinetuneConfig(s);
    }

    public Settings settings() {
        return settings;
    }

    /** One line for progress and the report. */
    public String describe() {
        return "fine-tune " + epochs + " epochs, lr " + lr + " (zeros kept)";
    }
}
