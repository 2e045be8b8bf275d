package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.runtime.MulticlassResult;
import dev.tern.runtime.MultilabelResult;
import dev.tern.runtime.RegressionResult;
import dev.tern.runtime.Results;
import dev.tern.runtime.TaskResult;
import dev.tern.runtime.TaskSet;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.format.AtomicFiles;
import dev.tern.runtime.model.ModelDef;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** How {@code tern run} prints the results of its samples, as text or JSON, and names the files of {@code --raw}. */
final class RunReport {
    private RunReport() {
    }

    /**
     * Runs the tasks on the samples of {@code x} and describes them as
     * {@code {"model", "input", "backend", "tasks": {name: {...}}}} for one sample, or for N > 1
     * {@code {"model", "input", "backend", "batch": N, "samples": [{"sample": i, "tasks": {...}}, ...]}}.
     * In {@code tasks}, multiclass tasks give {@code top} (the {@code top} most probable: label,
     * index, probability) and all {@code probabilities} in class order; multilabel tasks the
     * {@code present} labels and {@code probabilities} and {@code thresholds} by label;
     * regression tasks {@code values} by target.
     */
    static ObjectNode json(TernModel m, TaskSet tasks, float[] x, Path model, Path input, int top) throws IOException {
        int n = x.length / m.def().inputs().get(0).sampleSize();
        ObjectNode o = Json.object();
        o.put("model", model.toString());
        o.put("input", input.toString());
        o.put("backend", m.backend().id());
        ArrayNode samples = n > 1 ? o.put("batch", n).putArray("samples") : null;
        RunBatch.run(m, tasks, x, (session, results, k, sample) -> {
            ObjectNode at = samples == null ? o : samples.addObject().put("sample", sample);
            tasks(at.putObject("tasks"), results, k, top);
        });
        return o;
    }

    /** Fills {@code tasks} with the results of sample {@code s}. */
    static void tasks(ObjectNode tasks, Results results, int s, int top) {
        for (String name : results.tasks()) {
            TaskResult r = results.get(name);
            ObjectNode t = tasks.putObject(name);
            t.put("kind", r.kind().id());
            if (r instanceof MulticlassResult) {
                MulticlassResult mc = (MulticlassResult) r;
                ArrayNode best = t.putArray("top");
                for (int c : mc.topK(s, Math.min(top, mc.size()))) {
                    ObjectNode e = best.addObject();
                    e.put("label", mc.labels().get(c));
                    e.put("index", c);
                    e.put("probability", mc.probability(s, c));
                }
                t.set("probabilities", Json.floats(mc.values(s)));
            } else if (r instanceof MultilabelResult) {
                MultilabelResult ml = (MultilabelResult) r;
                t.set("present", Json.strings(ml.presentLabels(s)));
                ObjectNode p = t.putObject("probabilities");
                ObjectNode th = t.putObject("thresholds");
                for (int l = 0; l < ml.size(); l++) {
                    p.put(ml.labels().get(l), ml.probability(s, l));
                    th.put(ml.labels().get(l), ml.threshold(l));
                }
            } else {
                RegressionResult rg = (RegressionResult) r;
                ObjectNode v = t.putObject("values");
                for (int i = 0; i < rg.size(); i++) {
                    v.put(rg.labels().get(i), rg.value(s, i));
                }
            }
        }
    }

    /**
     * Runs the tasks on the samples of {@code x} and describes them as text: for one sample its
     * results, for N > 1 a {@code sample i:} line before each sample's results and a blank line
     * between samples.
     */
    static String text(TernModel m, TaskSet tasks, float[] x, int top) throws IOException {
        if (m.def().tasks().isEmpty()) {
            // an imported graph whose outputs no --tasks described: say so instead of printing nothing
            return "the model has no task heads (outputs " + String.join(", ", m.def().outputs())
                    + " are raw); write them with --raw --out DIR, or import it again with --tasks\n";
        }
        int n = x.length / m.def().inputs().get(0).sampleSize();
        StringBuilder sb = new StringBuilder();
        RunBatch.run(m, tasks, x, (session, results, k, sample) -> {
            if (n > 1) {
                sb.append(sample > 0 ? "\n" : "").append("sample ").append(sample).append(":\n");
            }
            sb.append(text(results, k, top));
        });
        return sb.toString();
    }

    /** Readable results of sample {@code s}: the top classes, each label with its probability, the regression values. */
    static String text(Results results, int s, int top) {
        StringBuilder sb = new StringBuilder();
        for (String name : results.tasks()) {
            TaskResult r = results.get(name);
            if (r instanceof MulticlassResult) {
                MulticlassResult mc = (MulticlassResult) r;
                sb.append(name).append(" (multiclass): ").append(mc.label(s)).append('\n');
                int rank = 1;
                for (int c : mc.topK(s, top)) {
                    sb.append(String.format(Locale.ROOT, "  %d. %s %.4f\n", rank++, pad(mc.labels().get(c), mc.labels()),
                            mc.probability(s, c)));
                }
            } else if (r instanceof MultilabelResult) {
                MultilabelResult ml = (MultilabelResult) r;
                List<String> present = ml.presentLabels(s);
                sb.append(name).append(" (multilabel): ")
                        .append(present.isEmpty() ? "(none present)" : String.join(", ", present)).append('\n');
                for (int l = 0; l < ml.size(); l++) {
                    sb.append(String.format(Locale.ROOT, "  %s %.4f %s (threshold %.2f)\n",
                            pad(ml.labels().get(l), ml.labels()), ml.probability(s, l), ml.isPresent(s, l) ? "present" : "absent ",
                            ml.threshold(l)));
                }
            } else {
                sb.append(name).append(" (regression)\n");
                for (int i = 0; i < r.size(); i++) {
                    sb.append("  ").append(pad(r.labels().get(i), r.labels())).append(' ').append(r.value(s, i)).append('\n');
                }
            }
        }
        return sb.toString();
    }

    /** {@code {"model", "input", "outputs": {value: {"file", "dtype", "shape"}}}} for {@code --raw}, shapes {@code [n, ...]}. */
    static ObjectNode filesJson(Path model, Path input, ModelDef def, Map<String, Path> files, int n) {
        ObjectNode o = Json.object();
        o.put("model", model.toString());
        o.put("input", input.toString());
        ObjectNode outputs = o.putObject("outputs");
        files.forEach((value, file) -> {
            ObjectNode f = outputs.putObject(value);
            f.put("file", file.toString());
            f.put("dtype", "float32");
            f.set("shape", Json.ints(batchShape(def, value, n)));
        });
        return o;
    }

    /** {@code [n] + } the per-sample shape of a graph value. */
    static int[] batchShape(ModelDef def, String value, int n) {
        int[] s = def.shapeOf(value);
        int[] out = new int[s.length + 1];
        out[0] = n;
        System.arraycopy(s, 0, out, 1, s.length);
        return out;
    }

    /**
     * The file of each graph output, {@code dir/<sanitized name>.npy}, checked writable before
     * any work; creates nothing. {@code dir} may be missing, not a file.
     */
    static Map<String, Path> outputFiles(ModelDef def, Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UsageException("--out " + dir + " is a file; --raw writes its .npy files into a folder");
        }
        Map<String, Path> files = new LinkedHashMap<>();
        Set<String> used = new HashSet<>();
        for (String value : def.outputs()) {
            String base = fileName(value);
            String name = base;
            for (int k = 2; !used.add(name); k++) {
                name = base + "_" + k;
            }
            Path file = dir.resolve(name + ".npy");
            AtomicFiles.checkWritable(file);
            files.put(value, file);
        }
        return files;
    }

    /** A graph value name as a portable file name: characters other than letters, digits, '.', '-' and '_' become '_'. */
    static String fileName(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '_' || (c == '.' && i > 0));
            sb.append(ok ? c : '_');
        }
        return sb.toString();
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
