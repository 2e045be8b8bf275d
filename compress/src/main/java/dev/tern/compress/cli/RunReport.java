package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.runtime.Backend;
import dev.tern.runtime.MulticlassResult;
import dev.tern.runtime.MultilabelResult;
import dev.tern.runtime.RegressionResult;
import dev.tern.runtime.Results;
import dev.tern.runtime.TaskResult;
import dev.tern.runtime.model.ModelDef;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** How {@code tern run} prints the results of one sample, as text or JSON. */
final class RunReport {
    private RunReport() {
    }

    /**
     * {@code {"model", "input", "backend", "tasks": {name: {...}}}}: multiclass tasks give
     * {@code top} (the {@code top} most probable: label, index, probability) and all
     * {@code probabilities} in class order; multilabel tasks the {@code present} labels and
     * {@code probabilities} and {@code thresholds} by label; regression tasks {@code values}
     * by target.
     */
    static ObjectNode json(Results results, Path model, Path input, Backend backend, int top) {
        ObjectNode o = Json.object();
        o.put("model", model.toString());
        o.put("input", input.toString());
        o.put("backend", backend.id());
        ObjectNode tasks = o.putObject("tasks");
        for (String name : results.tasks()) {
            TaskResult r = results.get(name);
            ObjectNode t = tasks.putObject(name);
            t.put("kind", r.kind().id());
            if (r instanceof MulticlassResult) {
                MulticlassResult mc = (MulticlassResult) r;
                ArrayNode best = t.putArray("top");
                for (int c : mc.topK(0, Math.min(top, mc.size()))) {
                    ObjectNode e = best.addObject();
                    e.put("label", mc.labels().get(c));
                    e.put("index", c);
                    e.put("probability", mc.probability(0, c));
                }
                t.set("probabilities", Json.floats(mc.values(0)));
            } else if (r instanceof MultilabelResult) {
                MultilabelResult ml = (MultilabelResult) r;
                t.set("present", Json.strings(ml.presentLabels(0)));
                ObjectNode p = t.putObject("probabilities");
                ObjectNode th = t.putObject("thresholds");
                for (int l = 0; l < ml.size(); l++) {
                    p.put(ml.labels().get(l), ml.probability(0, l));
                    th.put(ml.labels().get(l), ml.threshold(l));
                }
            } else {
                RegressionResult rg = (RegressionResult) r;
                ObjectNode v = t.putObject("values");
                for (int i = 0; i < rg.size(); i++) {
                    v.put(rg.labels().get(i), rg.value(0, i));
                }
            }
        }
        return o;
    }

    /** Readable results: the top classes, each label with its probability, the regression values. */
    static String text(Results results, int top) {
        StringBuilder sb = new StringBuilder();
        for (String name : results.tasks()) {
            TaskResult r = results.get(name);
            if (r instanceof MulticlassResult) {
                MulticlassResult mc = (MulticlassResult) r;
                sb.append(name).append(" (multiclass): ").append(mc.label(0)).append('\n');
                int rank = 1;
                for (int c : mc.topK(0, top)) {
                    sb.append(String.format(Locale.ROOT, "  %d. %s %.4f\n", rank++, pad(mc.labels().get(c), mc.labels()),
                            mc.probability(0, c)));
                }
            } else if (r instanceof MultilabelResult) {
                MultilabelResult ml = (MultilabelResult) r;
                List<String> present = ml.presentLabels(0);
                sb.append(name).append(" (multilabel): ")
                        .append(present.isEmpty() ? "(none present)" : String.join(", ", present)).append('\n');
                for (int l = 0; l < ml.size(); l++) {
                    sb.append(String.format(Locale.ROOT, "  %s %.4f %s (threshold %.2f)\n",
                            pad(ml.labels().get(l), ml.labels()), ml.probability(0, l), ml.isPresent(0, l) ? "present" : "absent ",
                            ml.threshold(l)));
                }
            } else {
                sb.append(name).append(" (regression)\n");
                for (int i = 0; i < r.size(); i++) {
                    sb.append("  ").append(pad(r.labels().get(i), r.labels())).append(' ').append(r.value(0, i)).append('\n');
                }
            }
        }
        return sb.toString();
    }

    /** {@code {"model", "input", "outputs": {value: {"file", "shape"}}}} for {@code --raw}. */
    static ObjectNode filesJson(Path model, Path input, ModelDef def, Map<String, Path> files) {
        ObjectNode o = Json.object();
        o.put("model", model.toString());
        o.put("input", input.toString());
        ObjectNode outputs = o.putObject("outputs");
        files.forEach((value, file) -> {
            ObjectNode f = outputs.putObject(value);
            f.put("file", file.toString());
            f.put("dtype", "float32");
            f.set("shape", Json.ints(batchShape(def, value)));
        });
        return o;
    }

    /** {@code [1] + } the per-sample shape of a graph value. */
    static int[] batchShape(ModelDef def, String value) {
        int[] s = def.shapeOf(value);
        int[] out = new int[s.length + 1];
        out[0] = 1;
        System.arraycopy(s, 0, out, 1, s.length);
        return out;
    }

    /** The label padded with spaces to the longest of the labels. */
    private static String pad(String label, List<String> labels) {
        int w = 0;
        for (String l : labels) {
            w = Math.max(w, l.length());
        }
        return label + " ".repeat(w - label.length());
    }
}
