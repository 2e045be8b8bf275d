package dev.tern.compress.job;

import java.util.List;

/**
 * Settings of {@link DistillJob} (knowledge distillation, docs/DISTILLATION.md): the
 * {@code tern distill} options and the recipe's {@code distill} stage fields.
 */
public final class DistillConfig {
    public static final List<Field> FIELDS = List.of(
            Field.number("width", null, 0, true, 2, false, "The student's width (e.g. 0.5, 0.25): of the edge student, or of the teacher's own architecture."),
            Field.choice("architecture", "auto", List.of("auto", "edge", "teacher"), "With width: edge builds Tern's "
                    + "Multi-Fashion edge student; teacher derives the student from the teacher's own graph, every layer "
                    + "but the heads scaled by width (any model, any data set); auto: edge for a Multi-Fashion teacher "
                    + "on the built-in data, teacher otherwise."),
            Field.text("student", null, "RECIPE", "A student training recipe (JSON, as for tern train) instead of width."),
            Field.number("temperature", 4.0, 0, true, 1000, false, "Softmax/sigmoid temperature."),
            Field.number("alpha", 0.3, 0, false, 1, false, "Weight of the hard-label loss."),
            Field.integer("epochs", null, 1, 1000, "Epochs (default: the student recipe's; 8 for width)."),
            Field.integer("train_samples", null, 1, 100_000_000, "Samples per epoch (default: the student recipe's; for width "
                    + "60000 canvases, or the whole train split of a data set)."),
            Field.number("learning_rate", null, 0, true, 1, false, "Adam's learning rate, decaying to 1% of it by a cosine "
                    + "(default: the student recipe's; 0.002 for a student derived from the teacher)."),
            Field.integer("batch_size", null, 1, 4096, "Samples per step (default: the student recipe's; 128 for a derived student)."),
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
    /** auto, edge or teacher (see {@link #derives}). */
    public final String architecture;
    public final Double learningRate;
    public final Integer batchSize;
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
        this.architecture = s.text("architecture");
        this.learningRate = s.number("learning_rate");
        this.batchSize = s.integer("batch_size");
    }

    /**
     * Whether the student is derived from the teacher's graph ({@code architecture} teacher,
     * or auto when the edge student cannot serve: a teacher without the Multi-Fashion tasks
     * or with another input, or a data set other than the built-in one).
     */
    public boolean derives(boolean edgeFits) {
        return width != null && (architecture.equals("teacher") || architecture.equals("auto") && !edgeFits);
    }

    /** The config of checked settings; the checks across fields happen here. */
    public static DistillConfig of(Settings s) {
        if ((s.number("width") == null) == (s.text("student") == null)) {
            throw s.bad("width", "give exactly one of width (e.g. 0.5) and student (a training recipe)");
        }
        if (s.text("student") != null && !"auto".equals(s.text("architecture"))) {
            throw s.bad("architecture", "architecture goes with width; a student recipe is its own architecture");
        }
        return new DistillConfig(s);
    }

    public Settings settings() {
        return settings;
    }

    /** One line for progress and the report. */
    public String describe() {
        int e = epochs != null ? epochs : 8;
        String into = width == null ? student : (architecture.equals("teacher") ? "the teacher's architecture at width "
                : architecture.equals("edge") ? "edge student width " : "student width ") + width;
        return (control ? "train from scratch (control) " : "distill into ") + into
                + (epochs != null || width != null ? ", " + e + " epochs" : "") + (control ? "" : ", T " + temperature + ", alpha " + alpha);
    }
}
