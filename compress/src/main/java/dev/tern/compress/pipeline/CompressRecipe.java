package dev.tern.compress.pipeline;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tern.compress.BadInputException;
import dev.tern.compress.io.JsonRecipes;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A compression recipe for {@code tern compress} (JSON; docs/PIPELINE.md): a teacher, data,
 * and named variants, each a chain of stages applied to the teacher (or to an earlier
 * variant's result, {@code from}). Every field is checked before any work starts; a
 * message names the field ({@code variants[2].stages[0].sparsity}) and what it accepts.
 */
public final class CompressRecipe {
    @JsonProperty(required = true)
    public String name;
    /** The model to compress (.tern); relative paths resolve against the recipe's folder. */
    @JsonProperty(required = true)
    public String teacher;
    /** Fashion-MNIST IDX folder; relative to the recipe's folder. */
    @JsonProperty(required = true)
    public String data;
    /** Test canvases every variant is scored on. */
    @JsonProperty("eval_samples")
    public int evalSamples = 10_000;
    /** Batch-1 runs per variant for the latency p50/p99 (all variants measured together at the end). */
    @JsonProperty("latency_runs")
    public int latencyRuns = 1000;
    /** Untimed runs before each model's timed ones (in each of its fresh JVMs). */
    @JsonProperty("latency_warmup")
    public int latencyWarmup = 2000;
    /** A shortened run (fewer epochs and samples): the report says so. */
    public boolean quick;
    @JsonProperty(required = true)
    public List<Variant> variants = new ArrayList<>();

    /** One compressed model: stages applied in order. */
    public static final class Variant {
        @JsonProperty(required = true)
        public String name;
        /** Start from this earlier variant's final model instead of the teacher. */
        public String from;
        public List<Stage> stages = new ArrayList<>();
    }

    /** One step; the {@code stage} field picks the kind. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "stage")
    @JsonSubTypes({
        @JsonSubTypes.Type(value = Distill.class, name = "distill"),
        @JsonSubTypes.Type(value = Prune.class, name = "prune"),
        @JsonSubTypes.Type(value = Finetune.class, name = "finetune"),
        @JsonSubTypes.Type(value = Quantize.class, name = "quantize"),
        @JsonSubTypes.Type(value = Evaluate.class, name = "evaluate")})
    public abstract static class Stage {
        /** The stage's kind as written in the recipe. */
        public abstract String kind();

        /** Checks the fields; {@code at} is the stage's path in the recipe. */
        abstract void validate(String at);

        /** One line for progress and the report. */
        public abstract String describe();
    }

    /** {@code tern distill}: a student trained from the current model (the teacher). */
    public static final class Distill extends Stage {
        public Double width;
        public String student;
        public double temperature = 4;
        public double alpha = 0.3;
        public int epochs = 8;
        @JsonProperty("train_samples")
        public int trainSamples = 60_000;
        /** Hard labels only, no teacher: the control run. */
        public boolean control;

        public String kind() {
            return "distill";
        }

        void validate(String at) {
            if ((width == null) == (student == null)) {
                throw bad(at + ".width", "give exactly one of width (e.g. 0.5) and student (a training recipe)");
            }
            if (width != null && !(width > 0 && width <= 2)) {
                throw bad(at + ".width", "must lie in (0, 2], got " + width);
            }
            if (!(temperature > 0) || Double.isInfinite(temperature)) {
                throw bad(at + ".temperature", "must be > 0, got " + temperature);
            }
            if (!(alpha >= 0 && alpha <= 1)) {
                throw bad(at + ".alpha", "must lie in [0, 1], got " + alpha);
            }
            positive(at + ".epochs", epochs);
            if (trainSamples < 128 || trainSamples > 60_000) {
                throw bad(at + ".train_samples", "must lie in [128, 60000], got " + trainSamples);
            }
        }

        public String describe() {
            return (control ? "train from scratch (control) " : "distill into ") + (width != null ? "edge student width " + width : student)
                    + ", " + epochs + " epochs" + (control ? "" : ", T " + temperature + ", alpha " + alpha);
        }
    }

    /** {@code tern prune}: magnitude pruning with fine-tuning. */
    public static final class Prune extends Stage {
        public String kind = "unstructured";
        @JsonProperty(required = true)
        public Double sparsity;
        public String schedule = "gradual";
        public int epochs = 2;
        public int samples = 60_000;
        public double lr = 1e-3;

        public String kind() {
            return "prune";
        }

        void validate(String at) {
            if (!List.of("unstructured", "global", "channel", "2:4").contains(kind)) {
                throw bad(at + ".kind", "must be unstructured, global, channel or 2:4, got \"" + kind + "\"");
            }
            if (sparsity == null || !(sparsity >= 0 && sparsity < 1)) {
                throw bad(at + ".sparsity", "must lie in [0, 1), got " + sparsity);
            }
            if (!List.of("gradual", "oneshot").contains(schedule)) {
                throw bad(at + ".schedule", "must be gradual or oneshot, got \"" + schedule + "\"");
            }
            if (epochs < 0) {
                throw bad(at + ".epochs", "must be >= 0, got " + epochs);
            }
            positive(at + ".samples", samples);
            if (!(lr > 0)) {
                throw bad(at + ".lr", "must be > 0, got " + lr);
            }
        }

        public String describe() {
            return "prune " + kind + " to " + sparsity + " (" + schedule + ", " + epochs + " epochs fine-tuning)";
        }
    }

    /** Fine-tuning that keeps every zero weight at zero (after pruning, or before quantizing). */
    public static final class Finetune extends Stage {
        public int epochs = 1;
        public int samples = 60_000;
        public double lr = 5e-5;

        public String kind() {
            return "finetune";
        }

        void validate(String at) {
            positive(at + ".epochs", epochs);
            positive(at + ".samples", samples);
            if (!(lr > 0)) {
                throw bad(at + ".lr", "must be > 0, got " + lr);
            }
        }

        public String describe() {
            return "fine-tune " + epochs + " epochs, lr " + lr + " (zeros kept)";
        }
    }

    /** {@code tern quantize}: post-training int8. */
    public static final class Quantize extends Stage {
        public String method = "minmax";
        @JsonProperty("calib_samples")
        public int calibSamples = 1000;
        /** 8: weights in [-127, 127]; 7: in [-63, 63], exact in ONNX Runtime on x86 CPUs without VNNI (docs/ONNX.md). */
        @JsonProperty("weight_bits")
        public int weightBits = 8;

        public String kind() {
            return "quantize";
        }

        void validate(String at) {
            if (!List.of("minmax", "percentile", "entropy", "mse").contains(method)) {
                throw bad(at + ".method", "must be minmax, percentile, entropy or mse, got \"" + method + "\"");
            }
            positive(at + ".calib_samples", calibSamples);
            if (weightBits != 7 && weightBits != 8) {
                throw bad(at + ".weight_bits", "must be 7 or 8, got " + weightBits);
            }
        }

        public String describe() {
            return "quantize to int8 (" + method + ", " + calibSamples + " calibration canvases"
                    + (weightBits == 8 ? "" : ", " + weightBits + "-bit weights") + ")";
        }
    }

    /** Scores the current model (every variant's final model is scored anyway). */
    public static final class Evaluate extends Stage {
        public String kind() {
            return "evaluate";
        }

        void validate(String at) {
        }

        public String describe() {
            return "evaluate";
        }
    }

    /** Reads and validates a recipe. */
    public static CompressRecipe read(Path path) throws IOException {
        CompressRecipe r = JsonRecipes.read(path, CompressRecipe.class, "stage",
                "stage '%s'; stages are distill, prune, finetune, quantize, evaluate");
        r.validate();
        return r;
    }

    /** Checks every field, naming the first wrong one. */
    public void validate() {
        if (variants == null || variants.isEmpty()) {
            throw bad("variants", "must list at least one variant");
        }
        if (evalSamples < 1 || evalSamples > 10_000) {
            throw bad("eval_samples", "must lie in [1, 10000], got " + evalSamples);
        }
        if (latencyRuns < 10) {
            throw bad("latency_runs", "must be >= 10, got " + latencyRuns);
        }
        if (latencyWarmup < 0) {
            throw bad("latency_warmup", "must be >= 0, got " + latencyWarmup);
        }
        Set<String> seen = new HashSet<>();
        for (int v = 0; v < variants.size(); v++) {
            Variant var = variants.get(v);
            String at = "variants[" + v + "]";
            if (var.name == null || !var.name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                throw bad(at + ".name", "must be letters, digits, '.', '_' or '-' (it names files), got " + var.name);
            }
            if (!seen.add(var.name)) {
                throw bad(at + ".name", "\"" + var.name + "\" names two variants");
            }
            if (var.from != null && (!seen.contains(var.from) || var.from.equals(var.name))) {
                throw bad(at + ".from", "must name an earlier variant, got \"" + var.from + "\"");
            }
            if (var.stages == null) {
                throw bad(at + ".stages", "must be a list (empty: the starting model itself)");
            }
            for (int s = 0; s < var.stages.size(); s++) {
                Stage st = var.stages.get(s);
                if (st == null) {
                    throw bad(at + ".stages[" + s + "]", "is null");
                }
                st.validate(at + ".stages[" + s + "]");
            }
        }
    }

    static void positive(String field, int v) {
        if (v < 1) {
            throw bad(field, "must be >= 1, got " + v);
        }
    }

    static BadInputException bad(String field, String msg) {
        return new BadInputException("recipe: field '" + field + "' " + msg);
    }
}
