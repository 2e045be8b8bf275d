package dev.tern.compress.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.compress.BadInputException;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.TaskKind;
import dev.tern.runtime.model.TaskSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What each output of an imported model predicts: from {@code --tasks TASKS.json}, or the model's
 * {@code metadata_props} entry {@value #METADATA_KEY} (the same JSON), else the defaults a user
 * would guess: an output computed by Softmax is a multiclass task, by Sigmoid a multilabel one
 * (thresholds 0.5), anything else a raw output. Labels default to "0", "1", ...
 *
 * <pre>{"tasks": [{"output": "class_prob", "name": "cls", "kind": "multiclass", "labels": ["cat", "dog"]},
 *            {"output": "tags", "kind": "multilabel", "thresholds": [0.5, 0.3]},
 *            {"output": "features", "kind": "raw"}]}</pre>
 */
public final class OnnxTasks {
    public static final String METADATA_KEY = "tern.tasks";

    static final class Entry {
        String output;
        String name;
        String kind;
        List<String> labels;
        float[] thresholds;
        Boolean logits;
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final String where;
    /** Preprocessing of 8-bit images in the raw pixel domain (x = (raw - mean[c]) / std[c]), or null. */
    float[] mean;
    /** The preprocessing's resize mode (bilinear, nearest), or null. */
    String resize;
    float[] std;

    private OnnxTasks(String where) {
        this.where = where;
    }

    public static OnnxTasks read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file + ": no such file (--tasks)");
        }
        return parse(Files.readString(file), file.toString());
    }

    static OnnxTasks parse(String json, String where) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new BadInputException(where + ": not valid JSON (" + e.getMessage().split("\n")[0] + ")");
        }
        if (root != null && root.isArray()) {
            // the form tern export writes (metadata_props tern.tasks): the list of tasks alone
            root = new ObjectMapper().createObjectNode().set("tasks", root);
        }
        if (root != null && root.isObject() && !root.has("tasks") && root.has("preprocessing")) {
            // preprocessing alone: every output's task from the defaults
            ((com.fasterxml.jackson.databind.node.ObjectNode) root).putArray("tasks");
        }
        if (root == null || !root.isObject() || !root.has("tasks") || !root.get("tasks").isArray()) {
            throw new BadInputException(where + ": expected an object {\"tasks\": [...], \"preprocessing\": {...}} (either may be left out)");
        }
        OnnxTasks t = new OnnxTasks(where);
        Iterator<String> top = root.fieldNames();
        while (top.hasNext()) {
            String k = top.next();
            if (!k.equals("tasks") && !k.equals("preprocessing")) {
                throw new BadInputException(where + ": unknown field '" + k + "' (expected tasks, preprocessing)");
            }
        }
        if (root.has("preprocessing")) {
            preprocessing(t, root.get("preprocessing"), where + ": preprocessing");
        }
        int i = 0;
        for (JsonNode e : root.get("tasks")) {
            String at = where + ": tasks[" + i++ + "]";
            if (!e.isObject()) {
                throw new BadInputException(at + ": expected an object");
            }
            Iterator<String> keys = e.fieldNames();
            Set<String> allowed = Set.of("output", "name", "kind", "labels", "thresholds", "logits");
            while (keys.hasNext()) {
                String k = keys.next();
                if (!allowed.contains(k)) {
                    throw new BadInputException(at + ": unknown field '" + k + "' (expected " + allowed + ")");
                }
            }
            Entry en = new Entry();
            en.output = text(e, "output", at, true);
            en.name = text(e, "name", at, false);
            en.kind = text(e, "kind", at, false);
            if (en.kind != null && !Set.of("multiclass", "multilabel", "regression", "raw").contains(en.kind)) {
                throw new BadInputException(at + ".kind: expected multiclass, multilabel, regression or raw, found '" + en.kind + "'");
            }
            if (e.has("labels")) {
                if (!e.get("labels").isArray()) {
                    throw new BadInputException(at + ".labels: expected a list of names");
                }
                en.labels = new ArrayList<>();
                for (JsonNode l : e.get("labels")) {
                    if (!l.isTextual()) {
                        throw new BadInputException(at + ".labels: expected names (strings), found " + l);
                    }
                    en.labels.add(l.asText());
                }
            }
            if (e.has("thresholds")) {
                JsonNode th = e.get("thresholds");
                if (!th.isArray()) {
                    throw new BadInputException(at + ".thresholds: expected a list of numbers in (0, 1)");
                }
                en.thresholds = new float[th.size()];
                for (int k = 0; k < th.size(); k++) {
                    double v = th.get(k).asDouble(Double.NaN);
                    if (!th.get(k).isNumber() || !(v > 0 && v < 1)) {
                        throw new BadInputException(at + ".thresholds[" + k + "]: expected a number in (0, 1), found " + th.get(k));
                    }
                    en.thresholds[k] = (float) v;
                }
            }
            if (e.has("logits")) {
                if (!e.get("logits").isBoolean()) {
                    throw new BadInputException(at + ".logits: expected true or false, found " + e.get("logits"));
                }
                en.logits = e.get("logits").asBoolean();
            }
            if (t.entries.put(en.output, en) != null) {
                throw new BadInputException(at + ": output '" + en.output + "' is described twice");
            }
        }
        return t;
    }

    /**
     * {"scale": 0.00392157, "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}: an 8-bit
     * pixel p becomes (p * scale - mean[c]) / std[c] (torchvision's normalization), stored as the
     * input's raw-domain mean (mean / scale) and std (std / scale), which tern run applies to an image.
     * {"resize": "bilinear"} (or "nearest"): an image of another size is resized to the input's
     * first (format 1.5's PREP section).
     */
    private static void preprocessing(OnnxTasks t, JsonNode p, String at) {
        if (!p.isObject()) {
            throw new BadInputException(at + ": expected an object {scale, mean, std, resize}");
        }
        Iterator<String> keys = p.fieldNames();
        while (keys.hasNext()) {
            String k = keys.next();
            if (!Set.of("scale", "mean", "std", "resize").contains(k)) {
                throw new BadInputException(at + ": unknown field '" + k + "' (expected scale, mean, std, resize)");
            }
        }
        if (p.has("resize")) {
            JsonNode r = p.get("resize");
            if (!r.isTextual() || !Set.of("bilinear", "nearest").contains(r.asText())) {
                throw new BadInputException(at + ".resize: expected \"bilinear\" or \"nearest\", found " + r);
            }
            t.resize = r.asText();
        }
        if (!p.has("scale") && !p.has("mean") && !p.has("std")) {
            return;
        }
        double scale = 1;
        if (p.has("scale")) {
            scale = p.get("scale").asDouble(Double.NaN);
            if (!p.get("scale").isNumber() || !(scale > 0) || Double.isInfinite(scale)) {
                throw new BadInputException(at + ".scale: expected a number > 0, found " + p.get("scale"));
            }
        }
        float[] mean = numbers(p, "mean", at, new float[] {0f}, false);
        float[] std = numbers(p, "std", at, new float[] {1f}, true);
        if (mean.length != std.length && mean.length != 1 && std.length != 1) {
            throw new BadInputException(at + ": mean has " + mean.length + " values and std " + std.length + "; give one per channel");
        }
        int n = Math.max(mean.length, std.length);
        t.mean = new float[n];
        t.std = new float[n];
        for (int c = 0; c < n; c++) {
            t.mean[c] = (float) (mean[mean.length == 1 ? 0 : c] / scale);
            t.std[c] = (float) (std[std.length == 1 ? 0 : c] / scale);
        }
    }

    private static float[] numbers(JsonNode p, String key, String at, float[] dflt, boolean positive) {
        JsonNode v = p.get(key);
        if (v == null) {
            return dflt;
        }
        if (!v.isArray() || v.size() == 0) {
            throw new BadInputException(at + "." + key + ": expected a list of numbers (one per channel), found " + v);
        }
        float[] r = new float[v.size()];
        for (int i = 0; i < r.length; i++) {
            double d = v.get(i).asDouble(Double.NaN);
            if (!v.get(i).isNumber() || Double.isNaN(d) || Double.isInfinite(d) || positive && !(d > 0)) {
                throw new BadInputException(at + "." + key + "[" + i + "]: expected a " + (positive ? "number > 0" : "number")
                        + ", found " + v.get(i));
            }
            r[i] = (float) d;
        }
        return r;
    }

    /** The input with the recorded preprocessing (or as it is). */
    static dev.tern.runtime.model.InputSpec preprocess(OnnxTasks t, dev.tern.runtime.model.InputSpec in, String source) {
        if (t == null) {
            return in;
        }
        if (t.resize != null) {
            in = in.withResize(t.resize);
        }
        if (t.mean == null) {
            return in;
        }
        int[] s = in.sampleShape();
        int channels = in.layout().equals("NCHW") ? s[0] : s[s.length - 1];
        if (t.mean.length != 1 && t.mean.length != channels) {
            throw new BadInputException(t.where + ": preprocessing has " + t.mean.length + " values per channel; input '"
                    + in.name() + "' of " + source + " has " + channels + " channels");
        }
        return in.withNormalization(t.mean, t.std);
    }

    private static String text(JsonNode e, String key, String at, boolean required) {
        JsonNode v = e.get(key);
        if (v == null) {
            if (required) {
                throw new BadInputException(at + ": field '" + key + "' is missing");
            }
            return null;
        }
        if (!v.isTextual() || v.asText().isEmpty()) {
            throw new BadInputException(at + "." + key + ": expected a non-empty string, found " + v);
        }
        return v.asText();
    }

    /** Adds a task per output (or leaves it raw) to {@code b}. */
    static void apply(OnnxTasks t, ModelBuilder b, List<String> outputs, Map<String, int[]> shapes, Map<String, String> producedBy,
                      String source) {
        if (t != null) {
            for (String o : t.entries.keySet()) {
                if (!outputs.contains(o)) {
                    throw new BadInputException(t.where + ": output '" + o + "' is not an output of " + source + " (its outputs: "
                            + outputs + ")");
                }
            }
        }
        Set<String> names = new HashSet<>();
        // the described outputs in the file's order (a model's task order), then the others in the graph's
        List<String> order = new ArrayList<>();
        if (t != null) {
            order.addAll(t.entries.keySet());
        }
        for (String o : outputs) {
            if (!order.contains(o)) {
                order.add(o);
            }
        }
        for (String o : order) {
            Entry e = t == null ? null : t.entries.get(o);
            int[] s = shapes.get(o);
            String op = producedBy.getOrDefault(o, "");
            String kind = e != null && e.kind != null ? e.kind
                    : op.equals("Softmax") ? "multiclass" : op.equals("Sigmoid") ? "multilabel" : "raw";
            if (kind.equals("raw")) {
                continue;
            }
            String where = t != null && e != null ? t.where + ": output '" + o + "'" : source + ": output '" + o + "'";
            if (s == null || s.length != 1) {
                if (e != null) {
                    throw new BadInputException(where + " has shape " + Arrays.toString(s) + " per sample; a " + kind
                            + " task reads a vector [n] (describe it as raw)");
                }
                continue;
            }
            int n = s[0];
            List<String> labels = e != null && e.labels != null ? e.labels : null;
            if (labels == null) {
                labels = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    labels.add(Integer.toString(i));
                }
            } else if (labels.size() != n) {
                throw new BadInputException(where + ": " + labels.size() + " labels for " + n + " values");
            }
            String name = e != null && e.name != null ? e.name : o;
            if (!names.add(name)) {
                throw new BadInputException(where + ": task name '" + name + "' is used twice");
            }
            boolean logits = e != null && e.logits != null ? e.logits : !(op.equals("Softmax") || op.equals("Sigmoid"));
            if (e != null && e.thresholds != null && !kind.equals("multilabel")) {
                throw new BadInputException(where + ": thresholds apply to multilabel tasks only");
            }
            float[] th = null;
            if (kind.equals("multilabel")) {
                th = e != null && e.thresholds != null ? e.thresholds : null;
                if (th != null && th.length != n) {
                    throw new BadInputException(where + ": " + th.length + " thresholds for " + n + " labels");
                }
            }
            TaskKind k = kind.equals("multiclass") ? TaskKind.MULTICLASS : kind.equals("multilabel") ? TaskKind.MULTILABEL
                    : TaskKind.REGRESSION;
            b.task(new TaskSpec(name, k, o, logits, labels, th));
        }
    }
}
