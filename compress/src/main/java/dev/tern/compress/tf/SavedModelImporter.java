package dev.tern.compress.tf;

import dev.tern.compress.TernVersion;
import dev.tern.runtime.TernException;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.TaskKind;
import dev.tern.runtime.model.TaskSpec;
import dev.tern.runtime.model.Tensor;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Imports a TensorFlow SavedModel into Tern's model representation.
 *
 * <pre>{@code
 * ModelDef def = SavedModelImporter.importModel(Path.of("models/teacher"), ImportOptions.defaults());
 * TernWriter.write(def, Path.of("teacher.tern"));
 * }</pre>
 *
 * <h2>What is read</h2>
 * The meta graph with tag {@code serve} and its signature {@code serving_default} (both
 * configurable). The signature must have exactly one float input of shape {@code [-1, h, w, c]}
 * (NHWC images) or {@code [-1, n]}; every signature output becomes a graph output. The graph is
 * walked from the outputs back to the input: whatever does not depend on the input (Const
 * nodes, variables, and anything computed from them) is evaluated once in the SavedModel's
 * session, which freezes the variables; every input-dependent op must be one of
 * {@link #supportedOps()}, or the import fails once, naming every unsupported op and node.
 *
 * <h2>How ops map</h2>
 * MatMul (+ BiasAdd or Add of a constant) to dense with weights {@code [out, in]}; Conv2D (NHWC,
 * dilation 1, SAME or VALID) to conv2d with the filter turned from HWIO to {@code [cout, kh, kw, cin]};
 * DepthwiseConv2dNative to depthwise_conv2d ({@code [kh, kw, c, m]} read as {@code [kh, kw, c * m]});
 * FusedBatchNorm (inference mode) folded into the preceding conv, depthwise or dense weights
 * and bias; Relu/Relu6 fused into the preceding dense, conv, depthwise or add when nothing else
 * reads that op's output; MaxPool, MaxPoolV2, AvgPool; Mean/Max over axes [1, 2] to global
 * pooling; Reshape to flatten or reshape; ConcatV2; AddV2 of two values to add; Sigmoid;
 * Softmax; Identity-like ops disappear. Details in {@code docs/IMPORT.md}.
 *
 * <h2>Task metadata</h2>
 * From {@code <savedmodel>/assets.extra/tern.json} ({@link TaskMetadata}), written at export time
 * with {@link #writeTaskMetadata}; without it every signature output becomes a regression task
 * named after its key with labels "0".."n-1". {@link ImportOptions} can override the name,
 * input and tasks.
 *
 * <h2>Provenance</h2>
 * The model records {@code source} (the folder's name, not its absolute path),
 * {@code source.format}, {@code source.signature}, {@code source.tags}, {@code source.sha256}
 * (of saved_model.pb and the variables), {@code importer}, {@code tern.version} and
 * {@code tensorflow.version}.
 */
public final class SavedModelImporter {
    /** Version of the conversion rules; bump when the same SavedModel would import differently. */
    public static final String IMPORTER_VERSION = "1";
    public static final String SOURCE_FORMAT = "tensorflow-savedmodel";

    private SavedModelImporter() {
    }

    /** TensorFlow op types the importer converts, sorted. */
    public static Set<String> supportedOps() {
        return GraphConverter.SUPPORTED_OPS;
    }

    /** Imports with default options. */
    public static ModelDef importModel(Path savedModelDir) {
        return importModel(savedModelDir, ImportOptions.defaults());
    }

    /**
     * Imports the SavedModel in {@code savedModelDir}.
     *
     * @throws ImportException when the folder is missing or not a SavedModel, the signature is
     *                         missing or does not have one float input, ops are unsupported,
     *                         or task metadata does not fit the graph
     */
    public static ModelDef importModel(Path savedModelDir, ImportOptions opts) {
        SavedModels.checkFolder(savedModelDir);
        TaskMetadata meta = opts.metadata();
        Path metaFile = TaskMetadata.location(savedModelDir);
        if (meta == null && Files.isRegularFile(metaFile)) {
            try {
                meta = TaskMetadata.read(metaFile);
            } catch (IOException e) {
                throw new ImportException("cannot read " + metaFile + ": " + e.getMessage(), e);
            }
        }
        try (SavedModelBundle bundle = SavedModels.open(savedModelDir, opts.tags())) {
            return convert(savedModelDir, bundle, opts, meta);
        }
    }

    /** Writes {@code meta} as {@code <savedModelDir>/assets.extra/tern.json} (atomically); returns the file. */
    public static Path writeTaskMetadata(Path savedModelDir, TaskMetadata meta) throws IOException {
        if (!Files.isDirectory(savedModelDir)) {
            throw new ImportException("expected a SavedModel folder at " + savedModelDir + ", found "
                    + (Files.exists(savedModelDir) ? "a file" : "nothing there"));
        }
        return meta.writeTo(savedModelDir);
    }

    private static ModelDef convert(Path dir, SavedModelBundle bundle, ImportOptions opts, TaskMetadata meta) {
        String sigName = opts.signature();
        SignatureDef sd = SavedModels.signature(bundle, sigName, dir);
        String inputKey = SavedModels.singleInput(sd, sigName);
        TensorInfo inInfo = sd.getInputsOrThrow(inputKey);
        SavedModels.checkFloat(inInfo, "input");
        int[] inShape = SavedModels.inputShape(inInfo, inputKey);
        Map<String, String> outTensors = new LinkedHashMap<>();
        for (String k : SavedModels.outputKeys(sd, sigName)) {
            TensorInfo info = sd.getOutputsOrThrow(k);
            SavedModels.checkFloat(info, "output");
            outTensors.put(k, info.getName());
        }

        TaskMetadata.Input inMeta = opts.input() != null ? opts.input() : meta == null ? null : meta.input();
        String inputName = inMeta != null && inMeta.name() != null ? inMeta.name() : inputKey;
        GraphConverter converter = new GraphConverter(bundle.graph().toGraphDef(), bundle.graph(),
                new TfConstants(bundle.session()), inInfo.getName(), inputName, inShape[0], outTensors);
        GraphConverter.Result graph;
        try {
            graph = converter.convert();
        } catch (ImportException e) {
            throw new ImportException("cannot import SavedModel " + dir + ": " + e.getMessage(), e.problems());
        }

        String folder = folderName(dir);
        String name = opts.modelName() != null ? opts.modelName() : meta != null && meta.name() != null ? meta.name() : folder;
        InputSpec input = inputSpec(inputName, inShape, inMeta);
        List<String> outputs = new ArrayList<>(new java.util.LinkedHashSet<>(graph.outputs.values()));
        ModelDef untasked = model(name, input, graph, Collections.emptyList(), outputs, Collections.emptyMap());
        List<TaskMetadata.Task> taskMeta = opts.tasks() != null ? opts.tasks() : meta == null ? null : meta.tasks();
        List<TaskSpec> tasks = tasks(taskMeta, graph, untasked);

        Map<String, String> prov = new LinkedHashMap<>();
        prov.put("source", folder);
        prov.put("source.format", SOURCE_FORMAT);
        prov.put("source.signature", sigName);
        prov.put("source.tags", String.join(",", opts.tags()));
        prov.put("source.sha256", digest(dir));
        String tfWriter = bundle.metaGraphDef().getMetaInfoDef().getTensorflowVersion();
        if (!tfWriter.isEmpty()) {
            prov.put("source.tensorflow.version", tfWriter);
        }
        prov.put("importer", "dev.tern.compress.tf.SavedModelImporter " + IMPORTER_VERSION);
        prov.put("tern.version", TernVersion.version());
        prov.put("tensorflow.version", TensorFlow.version());
        prov.put("import.folded_ops", Integer.toString(graph.foldedOps));
        return model(name, input, graph, tasks, outputs, prov);
    }

    private static ModelDef model(String name, InputSpec input, GraphConverter.Result g, List<TaskSpec> tasks,
                                  List<String> outputs, Map<String, String> prov) {
        try {
            return new ModelDef(name, Collections.singletonList(input), g.tensors, g.nodes, tasks, outputs, prov);
        } catch (TernException | IllegalArgumentException e) {
            throw new ImportException("the converted graph is not a valid Tern model: " + e.getMessage(), e);
        }
    }

    private static InputSpec inputSpec(String name, int[] shape, TaskMetadata.Input meta) {
        String natural = shape.length == 4 ? "NHWC" : shape.length == 2 ? "NC" : "";
        String layout = meta != null && meta.layout() != null ? meta.layout() : natural;
        if (!natural.isEmpty() && !layout.equals(natural)) {
            throw new ImportException("task metadata gives input '" + name + "' layout '" + layout + "', but its shape "
                    + Arrays.toString(shape) + " is " + natural + " (TensorFlow Java graphs are NHWC; there is no layout "
                    + "conversion)");
        }
        int channels = shape[shape.length - 1];
        for (float[] v : meta == null ? new float[0][] : new float[][] {meta.mean(), meta.std()}) {
            if (v != null && v.length != 1 && v.length != channels) {
                throw new ImportException("task metadata gives input '" + name + "' " + v.length
                        + " normalization values, expected 1 or one per channel (" + channels + ")");
            }
        }
        try {
            return new InputSpec(name, shape, layout, meta == null ? null : meta.mean(), meta == null ? null : meta.std());
        } catch (IllegalArgumentException e) {
            throw new ImportException("task metadata: " + e.getMessage(), e);
        }
    }

    private static List<TaskSpec> tasks(List<TaskMetadata.Task> meta, GraphConverter.Result g, ModelDef untasked) {
        List<TaskSpec> tasks = new ArrayList<>();
        if (meta == null) {
            for (Map.Entry<String, String> e : g.outputs.entrySet()) {
                int n = size(untasked, e.getValue());
                tasks.add(TaskSpec.regression(e.getKey(), e.getValue(), numbered(n)));
            }
            return tasks;
        }
        if (meta.isEmpty()) {
            throw new ImportException("task metadata lists no tasks, expected at least one (or no \"tasks\" field)");
        }
        for (TaskMetadata.Task t : meta) {
            if (t == null || t.name() == null || t.name().isEmpty()) {
                throw new ImportException("task metadata: every task needs a \"name\", found " + t);
            }
            if (t.output() == null) {
                throw new ImportException("task '" + t.name() + "' names no \"output\", expected one of the signature "
                        + "outputs " + g.outputs.keySet());
            }
            String value = g.outputs.get(t.output());
            if (value == null) {
                throw new ImportException("task '" + t.name() + "' reads output '" + t.output()
                        + "', but the signature has outputs " + g.outputs.keySet());
            }
            String k = TaskMetadata.normalizeKind(t.kind());
            TaskKind kind = null;
            for (TaskKind c : TaskKind.values()) {
                if (c.id().equals(k)) {
                    kind = c;
                }
            }
            if (kind == null) {
                throw new ImportException("task '" + t.name() + "' has kind '" + t.kind()
                        + "', expected multiclass, multilabel or regression");
            }
            int n = size(untasked, value);
            List<String> labels = t.labels() == null ? numbered(n) : t.labels();
            if (labels.size() != n) {
                throw new ImportException("task '" + t.name() + "' has " + labels.size() + " labels but output '"
                        + t.output() + "' has " + n + " values per sample");
            }
            OpType producer = g.producers.get(value);
            boolean logits = t.logits() != null ? t.logits()
                    : !(kind == TaskKind.MULTICLASS && producer == OpType.SOFTMAX
                    || kind == TaskKind.MULTILABEL && producer == OpType.SIGMOID);
            try {
                tasks.add(new TaskSpec(t.name(), kind, value, kind != TaskKind.REGRESSION && logits, labels,
                        kind == TaskKind.MULTILABEL ? t.thresholds() : nonMultilabel(t)));
            } catch (IllegalArgumentException e) {
                throw new ImportException("task metadata: " + e.getMessage(), e);
            }
        }
        return tasks;
    }

    private static float[] nonMultilabel(TaskMetadata.Task t) {
        if (t.thresholds() != null) {
            throw new ImportException("task '" + t.name() + "' is " + TaskMetadata.normalizeKind(t.kind())
                    + " but has thresholds, expected thresholds only for multilabel tasks");
        }
        return null;
    }

    private static int size(ModelDef def, String value) {
        return (int) Tensor.elementCount(def.shapeOf(value));
    }

    private static List<String> numbered(int n) {
        List<String> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            l.add(Integer.toString(i));
        }
        return l;
    }

    static String folderName(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        Path f = abs.getFileName();
        return f == null ? abs.toString() : f.toString();
    }

    /** SHA-256 over saved_model.pb and the variables, in a fixed order (relative path, then bytes). */
    static String digest(Path dir) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            List<Path> files = new ArrayList<>();
            for (String top : Arrays.asList(SavedModels.GRAPH_FILE, SavedModels.GRAPH_TEXT_FILE)) {
                if (Files.isRegularFile(dir.resolve(top))) {
                    files.add(dir.resolve(top));
                }
            }
            Path vars = dir.resolve("variables");
            if (Files.isDirectory(vars)) {
                try (Stream<Path> s = Files.walk(vars)) {
                    files.addAll(s.filter(Files::isRegularFile).sorted().collect(Collectors.toList()));
                }
            }
            byte[] buf = new byte[1 << 16];
            for (Path f : files) {
                md.update(dir.relativize(f).toString().replace('\\', '/').getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update((byte) 0);
                try (InputStream in = new DigestInputStream(Files.newInputStream(f), md)) {
                    while (in.read(buf) >= 0) {
                        // the stream updates the digest
                    }
                }
            }
            return HexFormat.of().formatHex(md.digest()).toLowerCase(Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
