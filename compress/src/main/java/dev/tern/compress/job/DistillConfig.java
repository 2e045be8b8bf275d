package dev.tern.compress.job;

import java.util.List;

/**
 * Settings of {@link DistillJob} (knowledge distillation, docs/DISTILLATION.md): the
 * {@code tern distill} options and the recipe's {@code distill} stage fields.
 */
public final class DistillConfig {
    public static final List<Field> FIELDS = List.of(
            Field.number("width", null, 0, true, 2, false, "The default edge student at this width (e.g. 0.5, 0.25)."),
            Field.text("student", null, "RECIPE", "A student training recipe (JSON, as for tern train) instead of width."),
            Field.number("temperature", 4.0, 0, true, 1000, false, "Softmax/sigmoid temperature."),
            Field.number("alpha", 0.3, 0, false, 1, false, "Weight of the hard-label loss."),
            Field.integer("epochs", null, 1, 1000, "Epochs (default: the student recipe's; 8 for width)."),
            Field.integer("train_samples", null, 1, 60_000, "Canvases per epoch (default: the student recipe's; 60000 for width)."),
            Field.flag("control", "Train the same student on hard labels only (no teacher): the control run."));

    /** Null when {@link #student} is given. */
    public final Double width;
    /** Null when {@link #width} is given; relative paths resolve against the caller's folder. */
    public final String student;
    public final double temperature;
    public final double alpha;
    public final Integer epochs;
    public final Integer trainSamples;
    public final boolean control;
    private final Settings settings;

    private DistillConfig(Settings s) {
        this.settings = s;
        this.width = s.number("width");
        this.student = s.text("student");
        this.temperature = s.number("temperature");
        this.alpha = s.number("alpha");
        this.epochs = s.integer("epochs");
        this.trainSamples = s.integer("train_samples");
        this.control = s.flag("control");
    }

    /** The config of checked settings; the checks across fields happen here. */
    public static DistillConfig of(Settings s) {
        if ((s.number("width") == null) == (s.text("student") == null)) {
            throw s.bad("width", "give exactly one of width (e.g. 0.5) and student (a training recipe)");
        }
        return new DistillConfig(s);
    }

    public Settings settings() {
        return settings;
    }

    /** One line for progress and the report. */
    public String describe() {
        int e = epochs != null ? epochs : 8;
        return (control ? "train from scratch (control) " : "distill into ") + (width != null ? "edge student width " + width : student)
                + (epochs != null || width != null ? ", " + e + " epochs" : "") + (control ? "" : ", T " + temperature + ", alpha " + alpha);
    }
}
