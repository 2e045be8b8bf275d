package dev.tern.compress.job;

import java.util.List;

/**
 * Settings of {@link EvaluateJob} (per-task metrics and batch-1 latency on the Multi-Fashion
 * test canvases): the {@code tern eval} options and the recipe's {@code evaluate} stage fields.
 */
public final class EvaluateConfig {
    public static final List<Field> FIELDS = List.of(
            Field.integer("limit", null, 1, 1_000_000_000, "Score only the first N test samples (default: all; in a recipe: its eval_samples)."),
            Field.text("reference", null, "MODEL", "Also report top-1 (multiclass) and per-label (multilabel) agreement with this model."));

    /** Null: every test canvas (the recipe's eval_samples in a pipeline). */
    public final Integer limit;
    /** Null: no agreement. */
    public final String reference;
    private final Settings settings;

    private EvaluateConfig(Settings s) {
        this.settings = s;
        this.limit = s.integer("limit");
        this.reference = s.text("reference");
    }

    public static EvaluateConfig of(Settings s) {
        return new EvaluateConfig(s);
    }

    public Settings settings() {
        return settings;
    }

    public String describe() {
        return "evaluate" + (reference == null ? "" : " (agreement with " + reference + ")");
    }
}
