package dev.tern.compress.job;

import java.util.List;

/**
 * Settings of {@link PruneJob} (magnitude pruning with fine-tuning, docs/PRUNING.md): the
 * {@code tern prune} options and the recipe's {@code prune} stage fields.
 */
public final class PruneConfig {
    public static final List<String> KINDS = List.of("unstructured", "global", "channel", "2:4");

    public static final List<Field> FIELDS = List.of(
            Field.choice("kind", "unstructured", KINDS, "unstructured, global, channel or 2:4."),
            Field.number("sparsity", null, 0, false, 1, true,
                    "Fraction of weights (channels for kind channel) to remove; 2:4 is 0.5 by construction. Required otherwise."),
            Field.choice("schedule", "gradual", List.of("gradual", "oneshot"), "gradual (Zhu & Gupta's cubic schedule) or oneshot."),
            Field.integer("epochs", 2, 0, 1000, "Fine-tuning epochs (0: no fine-tuning)."),
            Field.integer("samples", 60_000, 1, 100_000_000, "Training samples per epoch (at most the training data holds; at least one batch)."),
            Field.integer("batch", 64, 1, 60_000, "Batch size."),
            Field.number("lr", 1e-3, 0, true, 1, false, "Adam learning rate."),
            Field.choice("lr_decay", "cosine", List.of("cosine", "none"), "cosine: once the sparsity is final, the learning "
                    + "rate falls along a cosine to 1% of lr by the last step; none: constant."),
            Field.integer("threads", 2, 1, 256, "TensorFlow intra-op threads."),
            Field.list("layers", "NAMES", "Only these dense/conv layers (node names; default: every one that can be pruned)."),
            Field.list("task_weights", "TASK=W", "Fine-tuning loss weight per task, e.g. left=1,present=2 (default: 1 each)."));

    public final String kind;
    /** The sparsity to reach (0.5 for 2:4). */
    public final double sparsity;
    public final boolean gradual;
    public final int epochs;
    public final int samples;
    public final int batch;
    public final double lr;
    public final boolean cosine;
    public final int threads;
    /** Loss weight per task name (empty: 1 each). */
    public final java.util.Map<String, Double> taskWeights;
    /** Null: every prunable layer. */
    public final List<String> layers;
    private final Settings settings;

    private PruneConfig(Settings s, double sparsity) {
        this.settings = s;
        this.kind = s.text("kind");
        this.sparsity = sparsity;
        this.gradual = s.text("schedule").equals("gradual");
        this.epochs = s.integer("epochs");
        this.samples = s.integer("samples");
        this.batch = s.integer("batch");
        this.lr = s.number("lr");
        this.cosine = s.text("lr_decay").equals("cosine");
        this.threads = s.integer("threads");
        this.layers = s.list("layers");
        this.taskWeights = taskWeights(s);
    }

    /**
     * The {@code task_weights} field as task -> weight: each entry TASK=W with W a finite number
     * > 0, each task once (the tasks themselves are checked against the model by the job).
     */
    static java.util.Map<String, Double> taskWeights(Settings s) {
        java.util.Map<String, Double> out = new java.util.LinkedHashMap<>();
        List<String> given = s.list("task_weights");
        if (given == null) {
            return out;
        }
        for (String e : given) {
            int eq = e.indexOf('=');
            double w = Double.NaN;
            if (eq > 0) {
                try {
                    w = Double.parseDouble(e.substring(eq + 1).strip());
                } catch (NumberFormatException x) {
                    w = Double.NaN;
                }
            }
            if (eq <= 0 || !(w > 0) || Double.isInfinite(w)) {
                throw s.bad("task_weights", "expected TASK=W with W a number > 0, found '" + e + "'");
            }
            if (out.put(e.substring(0, eq).strip(), w) != null) {
                throw s.bad("task_weights", "task '" + e.substring(0, eq).strip() + "' is given twice");
            }
        }
        return out;
    }

    /** The config of checked settings; the checks across fields happen here. */
    public static PruneConfig of(Settings s) {
        Double given = s.number("sparsity");
        double sparsity;
        if (s.text("kind").equals("2:4")) {
            if (given != null && given != 0.5) {
                throw s.bad("sparsity", "2:4 keeps 2 of every 4 weights: its sparsity is 0.5, found " + given);
            }
            sparsity = 0.5;
        } else {
            if (given == null) {
                throw s.bad("sparsity", "required for kind " + s.text("kind") + " (e.g. 0.8 removes 80% of the weights)");
            }
            sparsity = given;
        }
        checkBatches(s, "samples", "batch", s.integer("epochs"));
        return new PruneConfig(s, sparsity);
    }

    /** Fine-tuning draws whole batches: samples must hold at least one (checked before any work). */
    static void checkBatches(Settings s, String samples, String batch, int epochs) {
        if (epochs > 0 && s.integer(samples) < s.integer(batch)) {
            throw s.bad(samples, "expected at least " + batch + " (" + s.integer(batch) + ": fine-tuning needs at least one batch), found "
                    + s.integer(samples));
        }
    }

    public Settings settings() {
        return settings;
    }

    /** One line for progress and the report. */
    public String describe() {
        return "prune " + kind + " to " + (settings.number("sparsity") == null ? sparsity : settings.number("sparsity"))
                + " (" + (gradual ? "gradual" : "oneshot") + ", " + epochs + " epochs fine-tuning)";
    }
}
