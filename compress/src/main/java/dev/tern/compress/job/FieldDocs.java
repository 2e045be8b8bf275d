package dev.tern.compress.job;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The docs' tables of job settings, made from the configs' field lists: docs/PIPELINE.md
 * holds them between {@code <!-- fields:STAGE -->} and {@code <!-- /fields -->} markers, and a
 * test fails when they drift from the code. Regenerate with
 * {@code java -cp compress/target/classes:... dev.tern.compress.job.FieldDocs} (or copy the
 * expected text from the test's message).
 */
public final class FieldDocs {
    private FieldDocs() {
    }

    /** Each job's fields, by recipe stage name (train and export are commands only). */
    public static Map<String, List<Field>> byStage() {
        Map<String, List<Field>> m = new LinkedHashMap<>();
        m.put("distill", DistillConfig.FIELDS);
        m.put("prune", PruneConfig.FIELDS);
        m.put("finetune", FinetuneConfig.FIELDS);
        m.put("quantize", QuantizeConfig.FIELDS);
        m.put("evaluate", EvaluateConfig.FIELDS);
        return m;
    }

    /** One markdown table: recipe field, command-line option, accepted values, default, meaning. */
    public static String table(List<Field> fields) {
        StringBuilder sb = new StringBuilder("| recipe field | option | values | default | meaning |\n| --- | --- | --- | --- | --- |\n");
        for (Field f : fields) {
            String def = f.kind() == Field.Kind.BOOL ? "false" : f.defaultValue() == null ? "none" : f.defaultText();
            sb.append("| `").append(f.name()).append("` | `").append(f.option()).append("` | ").append(f.expected())
                    .append(" | ").append(def).append(" | ").append(f.description().replace("|", "\\|")).append(" |\n");
        }
        return sb.toString();
    }

    /** The marked block of a stage as docs/PIPELINE.md holds it. */
    public static String block(String stage) {
        return "<!-- fields:" + stage + " -->\n" + table(byStage().get(stage)) + "<!-- /fields -->";
    }

    /** Prints every stage's block, for pasting into docs/PIPELINE.md. */
    public static void main(String[] args) {
        for (String stage : byStage().keySet()) {
            System.out.println("`" + stage + "`:\n\n" + block(stage) + "\n");
        }
    }
}
