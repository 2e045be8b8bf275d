package dev.tern.compress.pipeline;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tern.compress.BadInputException;
import dev.tern.compress.io.JsonRecipes;
import dev.tern.compress.job.DistillConfig;
import dev.tern.compress.job.EvaluateConfig;
import dev.tern.compress.job.Field;
import dev.tern.compress.job.FieldDocs;
import dev.tern.compress.job.FinetuneConfig;
import dev.tern.compress.job.PruneConfig;
import dev.tern.compress.job.QuantizeConfig;
import dev.tern.compress.job.Settings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A compression recipe for {@code tern compress} (JSON; docs/PIPELINE.md): a teacher, data,
 * and named variants, each a chain of stages applied to the teacher (or to an earlier
 * variant's result, {@code from}). A stage's fields are those of its job's config
 * ({@link QuantizeConfig#FIELDS} and so on): the same names, defaults and ranges as the
 * command's options. The JSON is read strictly (no trailing text, no duplicate key, no
 * {@code "3"} for 3, no number that overflows its field) and every field is checked before
 * any work starts, each error naming the field ({@code variants[2].stages[0].sparsity}).
 */
public final class CompressRecipe {
    /** The recipe's own fields (besides name, teacher, data and variants). */
    public static final List<Field> FIELDS = List.of(
            Field.text("name", null, "NAME", "The recipe's name, shown in the report."),
            Field.text("teacher", null, "T.tern", "The model to compress (.tern); relative to the recipe's folder."),
            Field.text("data", null, "PATH", "Fashion-MNIST IDX folder (Multi-Fashion) or a data set (docs/DATA.md); relative to the recipe's folder."),
            Field.integer("eval_samples", 10_000, 1, 1_000_000_000, "Test samples every stage's model is scored on (at most; the first of the test split)."),
            Field.integer("latency_runs", 1000, 10, 1_000_000, "Batch-1 runs per model for the latency p50/p99."),
            Field.integer("latency_warmup", 2000, 0, 1_000_000, "Untimed runs before each model's timed ones."),
            Field.flag("quick", "A shortened run (fewer epochs and samples): the report says so."));

    /** The stage kinds, in the order docs list them. */
    public static final List<String> STAGES = List.copyOf(FieldDocs.byStage().keySet());

    public final String name;
    /** The model to compress (.tern); relative paths resolve against the recipe's folder. */
    public final String teacher;
    /** Fashion-MNIST IDX folder; relative to the recipe's folder. */
    public final String data;
    public final int evalSamples;
    public final int latencyRuns;
    public final int latencyWarmup;
    public final boolean quick;
    public final List<Variant> variants;

    /** One compressed model: stages applied in order. */
    public static final class Variant {
        public final String name;
        /** Start from this earlier variant's final model instead of the teacher (null: the teacher). */
        public final String from;
        public final List<Stage> stages;

        Variant(String name, String from, List<Stage> stages) {
            this.name = name;
            this.from = from;
            this.stages = List.copyOf(stages);
        }
    }

    /**
     * One step: its kind and its job's config ({@link QuantizeConfig}, {@link PruneConfig},
     * {@link FinetuneConfig}, {@link DistillConfig} or {@link EvaluateConfig}).
     */
    public static final class Stage {
        public final String kind;
        public final Object config;
        private final Settings settings;

        Stage(String kind, Object config, Settings settings) {
            this.kind = kind;
            this.config = config;
            this.settings = settings;
        }

        /** The stage's kind as written in the recipe. */
        public String kind() {
            return kind;
        }

        /** Every setting, defaults included: a finished stage is reused only when these match. */
        public Map<String, Object> settings() {
            return settings.values();
        }

        /** One line for progress and the report. */
        public String describe() {
            if (config instanceof QuantizeConfig) {
                return ((QuantizeConfig) config).describe();
            } else if (config instanceof PruneConfig) {
                return ((PruneConfig) config).describe();
            } else if (config instanceof FinetuneConfig) {
                return ((FinetuneConfig) config).describe();
            } else if (config instanceof DistillConfig) {
                return ((DistillConfig) config).describe();
            }
            return ((EvaluateConfig) config).describe();
        }
    }

    private CompressRecipe(Settings s, List<Variant> variants) {
        this.name = s.text("name");
        this.teacher = s.text("teacher");
        this.data = s.text("data");
        this.evalSamples = s.integer("eval_samples");
        this.latencyRuns = s.integer("latency_runs");
        this.latencyWarmup = s.integer("latency_warmup");
        this.quick = s.flag("quick");
        this.variants = List.copyOf(variants);
    }

    /** Reads and checks a recipe file; errors start with {@code recipe PATH: }. */
    public static CompressRecipe read(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such recipe file");
        }
        try {
            return parse(Files.readString(path));
        } catch (BadInputException e) {
            throw new BadInputException("recipe " + path + ": " + e.getMessage(), e);
        }
    }

    /** Parses and checks recipe JSON text. */
    public static CompressRecipe parse(String json) {
        return of(strictTree(json));
    }

    /**
     * JSON text as a tree, strictly: trailing text after the value and duplicate keys are
     * errors, and decimals stay exact (BigDecimal), so {@code 1e999} is reported as written
     * instead of turning into Infinity. Jackson's wording never reaches the user.
     */
    public static JsonNode strictTree(String json) {
        ObjectMapper m = new ObjectMapper()
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
        try {
            return m.readTree(json);
        } catch (JsonProcessingException e) {
            throw new BadInputException(JsonRecipes.describe(e, null));
        }
    }

    /** The recipe of a JSON tree, every field checked (semantic checks included) before any work. */
    public static CompressRecipe of(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new BadInputException("expected a JSON object {\"name\": ..., \"teacher\": ..., \"variants\": [...]}");
        }
        JsonNode vs = root.get("variants");
        com.fasterxml.jackson.databind.node.ObjectNode top = root.deepCopy();
        top.remove("variants");
        Settings s = Settings.fromJson(FIELDS, top, "");
        for (String required : new String[] {"name", "teacher", "data"}) {
            if (s.text(required) == null) {
                throw s.bad(required, "required (" + fieldOf(required).description() + ")");
            }
        }
        if (vs == null || !vs.isArray() || vs.isEmpty()) {
            throw new BadInputException("variants: expected a list of at least one variant, found "
                    + (vs == null ? "nothing" : vs.isArray() ? "an empty list" : vs.toString()));
        }
        List<Variant> variants = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int v = 0; v < vs.size(); v++) {
            variants.add(variant(vs.get(v), "variants[" + v + "]", seen));
        }
        return new CompressRecipe(s, variants);
    }

    private static Variant variant(JsonNode v, String at, Set<String> seen) {
        if (!v.isObject()) {
            throw new BadInputException(at + ": expected an object {\"name\": ..., \"stages\": [...]}");
        }
        for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!List.of("name", "from", "stages").contains(k)) {
                throw new BadInputException(at + "." + k + ": unknown field; a variant has name, from and stages");
            }
        }
        JsonNode n = v.get("name");
        if (n == null || !n.isTextual() || !n.textValue().matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new BadInputException(at + ".name: expected letters, digits, '.', '_' or '-' (it names files), found " + n);
        }
        String name = n.textValue();
        if (!seen.add(name)) {
            throw new BadInputException(at + ".name: \"" + name + "\" names two variants");
        }
        JsonNode f = v.get("from");
        String from = null;
        if (f != null) {
            if (!f.isTextual() || !seen.contains(f.textValue()) || f.textValue().equals(name)) {
                throw new BadInputException(at + ".from: expected the name of an earlier variant, found " + f);
            }
            from = f.textValue();
        }
        JsonNode st = v.get("stages");
        if (st == null || !st.isArray()) {
            throw new BadInputException(at + ".stages: expected a list (empty: the starting model itself), found "
                    + (st == null ? "nothing" : st.toString()));
        }
        List<Stage> stages = new ArrayList<>();
        for (int i = 0; i < st.size(); i++) {
            stages.add(stage(st.get(i), at + ".stages[" + i + "]"));
        }
        return new Variant(name, from, stages);
    }

    /** One stage: its job's fields, then its config's checks across fields. */
    static Stage stage(JsonNode node, String at) {
        if (node == null || !node.isObject()) {
            throw new BadInputException(at + ": expected an object {\"stage\": \"" + String.join("|", STAGES) + "\", ...}");
        }
        JsonNode k = node.get("stage");
        String kind = k != null && k.isTextual() ? k.textValue() : null;
        if (kind == null || !STAGES.contains(kind)) {
            throw new BadInputException(at + ".stage: expected one of " + String.join(", ", STAGES) + ", found "
                    + (k == null ? "nothing" : k.toString()));
        }
        Settings s = Settings.fromJson(FieldDocs.byStage().get(kind), node, at, "stage");
        Object config = switch (kind) {
            case "quantize" -> QuantizeConfig.of(s);
            case "prune" -> PruneConfig.of(s);
            case "finetune" -> FinetuneConfig.of(s);
            case "distill" -> DistillConfig.of(s);
            default -> EvaluateConfig.of(s);
        };
        return new Stage(kind, config, s);
    }

    private static Field fieldOf(String name) {
        for (Field f : FIELDS) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException(name);
    }
}
