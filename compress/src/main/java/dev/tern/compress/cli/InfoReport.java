package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.compress.job.Provenance;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.TaskKind;
import dev.tern.runtime.model.TaskSpec;
import dev.tern.runtime.model.Tensor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code tern info} prints: a model's summary as JSON or as a two-column text table,
 * ending with the chain of steps the model went through (its typed provenance).
 */
final class InfoReport {
    private InfoReport() {
    }

    static ObjectNode json(ModelSummary s) {
        TernModel m = s.model;
        ModelDef def = m.def();
        ObjectNode o = Json.object();
        o.put("format_version", s.formatVersion);
        o.put("name", def.name());
        o.put("size_bytes", m.sizeBytes());
        o.put("params", def.parameterCount());
        ArrayNode inputs = o.putArray("inputs");
        for (InputSpec in : def.inputs()) {
            ObjectNode i = inputs.addObject();
            i.put("name", in.name());
            i.set("shape", Json.ints(in.shape()));
            i.put("dtype", "float32");
            i.put("layout", in.layout());
            ObjectNode norm = i.putObject("normalization");
            norm.set("mean", Json.floats(in.mean()));
            norm.set("std", Json.floats(in.std()));
            if (!in.resize().isEmpty()) {
                i.put("resize", in.resize());
            }
        }
        ArrayNode tasks = o.putArray("tasks");
        for (TaskSpec t : def.tasks()) {
            ObjectNode j = tasks.addObject();
            j.put("name", t.name());
            j.put("kind", t.kind().id());
            j.set("labels", Json.strings(t.labels()));
            if (t.kind() == TaskKind.MULTILABEL) {
                j.set("thresholds", Json.floats(t.thresholds()));
            }
            j.put("output", t.output());
            j.put("logits", t.logits());
        }
        o.set("outputs", Json.strings(def.outputs()));
        ObjectNode ops = o.putObject("ops");
        s.ops.forEach((op, n) -> ops.put(op.id(), n));
        o.put("nodes", def.nodes().size());
        ObjectNode weights = o.putObject("weights_by_dtype");
        s.weights.forEach((dtype, w) -> {
            ObjectNode d = weights.putObject(dtype.id());
            d.put("tensors", w.tensors());
            d.put("params", w.params());
            d.put("bytes", w.bytes());
        });
        ObjectNode sparsity = o.putObject("sparsity");
        sparsity.put("zeros", s.zeros.zeros());
        sparsity.put("elements", s.zeros.elements());
        sparsity.put("fraction", s.zeros.fraction());
        ObjectNode perTensor = sparsity.putObject("per_tensor");
        s.zerosPerTensor.forEach((name, z) -> perTensor.put(name, z.fraction()));
        ObjectNode storage = o.putObject("storage");
        for (Tensor t : def.tensors().values()) {
            storage.put(t.name(), t.storage().id());
        }
        ObjectNode kernels = o.putObject("kernels");
        kernels.put("backend", m.backend().id());
        kernels.put("vector_status", TernModel.vectorBackendStatus());
        kernels.set("per_node", Json.strings(m.kernels()));
        ObjectNode fallbacks = kernels.putObject("fallbacks");
        s.fallbacks.forEach((node, b) -> fallbacks.put(node, b.id()));
        Map<String, String> other = new LinkedHashMap<>(def.provenance());
        other.remove(Provenance.KEY);
        o.set("provenance", Json.strings(other));
        // the typed chain of steps, oldest first (each job's record: settings, inputs, data, seed)
        o.set("steps", new ObjectMapper().valueToTree(Provenance.chain(def)));
        return o;
    }

    static String text(ModelSummary s, Path file) {
        TernModel m = s.model;
        ModelDef def = m.def();
        Table t = new Table();
        t.row("model", (def.name().isEmpty() ? "(unnamed)" : def.name()) + "  " + file);
        t.row("format", s.formatVersion);
        t.row("size", bytes(m.sizeBytes()));
        List<String> byType = new ArrayList<>();
        for (Map.Entry<DType, ModelSummary.DTypeStats> e : s.weights.entrySet()) {
            ModelSummary.DTypeStats w = e.getValue();
            byType.add(e.getKey().id() + ": " + w.tensors() + " tensors, " + count(w.params()) + " params, " + bytes(w.bytes()));
        }
        t.row("params", count(def.parameterCount()) + (byType.isEmpty() ? "" : "  (" + String.join("; ", byType) + ")"));
        t.row("sparsity", String.format(Locale.ROOT, "%.2f%% of weights are zero (%s of %s)", 100 * s.zeros.fraction(),
                count(s.zeros.zeros()), count(s.zeros.elements())));
        List<String> sparse = new ArrayList<>();
        for (Tensor w : def.tensors().values()) {
            if (w.storage() == Tensor.Storage.SPARSE) {
                sparse.add(w.name() + String.format(Locale.ROOT, " (%.1f%% zeros)", 100 * s.zerosPerTensor.get(w.name()).fraction()));
            }
        }
        t.row("storage", sparse.isEmpty() ? "dense (every tensor)"
                : sparse.size() + " of " + def.tensors().size() + " tensors sparse (bitmask + non-zeros, format 1.2): "
                        + String.join(", ", sparse));
        for (InputSpec in : def.inputs()) {
            t.row("input", in.name() + " " + Arrays.toString(in.shape()) + " float32 " + in.layout()
                    + ", x = (raw - " + Arrays.toString(in.mean()) + ") / " + Arrays.toString(in.std())
                    + (in.resize().isEmpty() ? "" : ", images resized (" + in.resize() + ")"));
        }
        List<String> taskNames = new ArrayList<>();
        def.tasks().forEach(task -> taskNames.add(task.name()));
        for (TaskSpec task : def.tasks()) {
            String thresholds = task.kind() == TaskKind.MULTILABEL ? "  thresholds " + Arrays.toString(task.thresholds()) : "";
            t.row("task", pad(task.name(), taskNames) + String.format(Locale.ROOT, "%-12s", task.kind().id()) + task.size()
                    + " " + noun(task.kind()) + ": " + String.join(", ", task.labels()) + thresholds);
        }
        t.row("outputs", String.join(", ", def.outputs()));
        List<String> ops = new ArrayList<>();
        for (Map.Entry<OpType, Integer> e : s.ops.entrySet()) {
            ops.add(e.getKey().id() + " " + e.getValue());
        }
        t.row("ops", def.nodes().size() + " nodes: " + String.join(", ", ops));
        t.row("kernels", m.backend().id() + " (vector API: " + TernModel.vectorBackendStatus() + ")");
        List<String> nodes = new ArrayList<>(m.kernels().keySet());
        m.kernels().forEach((node, kernel) -> t.row("", pad(node, nodes) + kernel
                + (s.fallbacks.containsKey(node) ? "  (fallback to " + s.fallbacks.get(node).id() + ")" : "")));
        List<Provenance.Step> steps = Provenance.chain(def);
        for (int i = 0; i < steps.size(); i++) {
            t.row(i == 0 ? "steps" : "", (i + 1) + ". " + steps.get(i).describe());
        }
        def.provenance().forEach((k, v) -> {
            if (!k.equals(Provenance.KEY)) {
                t.row("provenance", k + ": " + v);
            }
        });
        return t.toString();
    }

    private static String noun(TaskKind kind) {
        switch (kind) {
            case MULTICLASS: return "classes";
            case MULTILABEL: return "labels";
            default: return "targets";
        }
    }

    /** The name and two spaces, padded to the longest of the names. */
    private static String pad(String name, List<String> names) {
        int w = 0;
        for (String n : names) {
            w = Math.max(w, n.length());
        }
        return name + " ".repeat(w - name.length() + 2);
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String bytes(long n) {
        if (n < 1024) {
            return n + " bytes";
        }
        double kib = n / 1024.0;
        return String.format(Locale.ROOT, kib < 1024 ? "%,d bytes (%.1f KiB)" : "%,d bytes (%.1f MiB)", n,
                kib < 1024 ? kib : kib / 1024);
    }

    /** Two columns, the first padded; repeated first-column labels print once. */
    private static final class Table {
        private final StringBuilder sb = new StringBuilder();
        private String last = "";

        void row(String key, String value) {
            String shown = key.equals(last) ? "" : key;
            if (!key.isEmpty()) {
                last = key;
            }
            sb.append(String.format(Locale.ROOT, "%-12s%s\n", shown, value));
        }

        @Override
        public String toString() {
            return sb.toString();
        }
    }
}
