package dev.tern.compress.tf;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.tern.runtime.format.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * What a SavedModel's graph does not say about its heads: the model name, the input's name,
 * layout and normalization, and per signature output the task it feeds (kind, label names,
 * thresholds). Stored beside the graph as {@code <savedmodel>/assets.extra/tern.json}, written
 * by the training code at export time ({@link #write(Path)}) and read by
 * {@link SavedModelImporter}. The schema is in {@code docs/IMPORT.md}:
 *
 * <pre>{@code
 * {"version": 1, "name": "mtl-lenet",
 *  "input": {"name": "image", "layout": "NHWC", "mean": [0], "std": [255]},
 *  "tasks": [{"name": "left", "kind": "multiclass", "output": "left_logits", "logits": true,
 *             "labels": ["t-shirt", "trouser", ...]},
 *            {"name": "present", "kind": "multilabel", "output": "present_logits", "logits": true,
 *             "labels": [...], "thresholds": [0.5, ...]}]}
 * }</pre>
 *
 * Every field is optional except each task's {@code name} and {@code output} (a signature
 * output key). Unknown fields are rejected, so a typo does not pass silently.
 *
 * @param version schema version; 1 (absent means 1)
 * @param name    model name (absent: the SavedModel folder's name)
 * @param input   the input's description (absent: the signature's input key, no normalization)
 * @param tasks   the heads (absent: one regression task per signature output)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"version", "name", "input", "tasks"})
public record TaskMetadata(Integer version, String name, Input input, List<Task> tasks) {
    /** The schema version this class reads and writes. */
    public static final int VERSION = 1;
    /** Where the file sits inside a SavedModel folder. */
    public static final String RELATIVE_PATH = "assets.extra/tern.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    public TaskMetadata {
        tasks = tasks == null ? null : Collections.unmodifiableList(new ArrayList<>(tasks));
    }

    public TaskMetadata(String name, Input input, List<Task> tasks) {
        this(VERSION, name, input, tasks);
    }

    /**
     * The model input.
     *
     * @param name   value name in the Tern model (absent: the signature's input key)
     * @param layout "NHWC" for images, "NC" for vectors (absent: from the rank)
     * @param mean   per-channel mean, or one value for all channels: x = (raw - mean) / std
     * @param std    per-channel std, as many as mean
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"name", "layout", "mean", "std"})
    public record Input(String name, String layout, float[] mean, float[] std) {
        public Input {
            mean = mean == null ? null : mean.clone();
            std = std == null ? null : std.clone();
        }

        @Override
        public float[] mean() {
            return mean == null ? null : mean.clone();
        }

        @Override
        public float[] std() {
            return std == null ? null : std.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Input i && java.util.Objects.equals(name, i.name) && java.util.Objects.equals(layout, i.layout)
                    && Arrays.equals(mean, i.mean) && Arrays.equals(std, i.std);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(name, layout, Arrays.hashCode(mean), Arrays.hashCode(std));
        }

        @Override
        public String toString() {
            return "Input[name=" + name + ", layout=" + layout + ", mean=" + Arrays.toString(mean) + ", std="
                    + Arrays.toString(std) + "]";
        }
    }

    /**
     * One head.
     *
     * @param name       task name
     * @param kind       multiclass, multilabel or regression (absent: regression)
     * @param output     the signature output key the head reads
     * @param logits     whether that output holds logits (absent: true unless the output is
     *                   computed by Softmax or Sigmoid)
     * @param labels     class, label or target names (absent: "0" .. "n-1")
     * @param thresholds multilabel only: one decision threshold per label (absent: 0.5 each)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"name", "kind", "output", "logits", "labels", "thresholds"})
    public record Task(String name, String kind, String output, Boolean logits, List<String> labels, float[] thresholds) {
        public Task {
            labels = labels == null ? null : Collections.unmodifiableList(new ArrayList<>(labels));
            thresholds = thresholds == null ? null : thresholds.clone();
        }

        public static Task multiclass(String name, String output, List<String> classes) {
            return new Task(name, "multiclass", output, true, classes, null);
        }

        /** A multilabel head on logits; thresholds null means 0.5 each. */
        public static Task multilabel(String name, String output, List<String> labels, float[] thresholds) {
            return new Task(name, "multilabel", output, true, labels, thresholds);
        }

        public static Task regression(String name, String output, List<String> targets) {
            return new Task(name, "regression", output, null, targets, null);
        }

        @Override
        public float[] thresholds() {
            return thresholds == null ? null : thresholds.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Task t && java.util.Objects.equals(name, t.name) && java.util.Objects.equals(kind, t.kind)
                    && java.util.Objects.equals(output, t.output) && java.util.Objects.equals(logits, t.logits)
                    && java.util.Objects.equals(labels, t.labels) && Arrays.equals(thresholds, t.thresholds);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(name, kind, output, logits, labels, Arrays.hashCode(thresholds));
        }

        @Override
        public String toString() {
            return "Task[name=" + name + ", kind=" + kind + ", output=" + output + ", logits=" + logits + ", labels="
                    + labels + ", thresholds=" + Arrays.toString(thresholds) + "]";
        }
    }

    /** {@code <savedModelDir>/assets.extra/tern.json}. */
    public static Path location(Path savedModelDir) {
        return savedModelDir.resolve(RELATIVE_PATH);
    }

    /**
     * Reads a tern.json file.
     *
     * @throws ImportException when the file is not valid JSON, has unknown fields or a version
     *                         other than 1
     * @throws IOException     when it cannot be read
     */
    public static TaskMetadata read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ImportException("task metadata " + file + " not found");
        }
        TaskMetadata m;
        try {
            m = JSON.readValue(bytes, TaskMetadata.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ImportException(file + ": unknown field '" + e.getPropertyName() + "' at " + path(e)
                    + ", expected one of " + new java.util.TreeSet<>(e.getKnownPropertyIds().stream().map(String::valueOf)
                    .collect(java.util.stream.Collectors.toList())));
        } catch (JsonProcessingException e) {
            throw new ImportException(file + ": not valid task metadata: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")"));
        }
        if (m == null) {
            throw new ImportException(file + ": expected a JSON object, found null");
        }
        if (m.version() != null && m.version() != VERSION) {
            throw new ImportException(file + ": task metadata version " + m.version() + " is not supported, expected "
                    + VERSION);
        }
        return m;
    }

    private static String path(JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException jm && !jm.getPath().isEmpty()) {
            StringBuilder sb = new StringBuilder("$");
            for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : jm.getPath()) {
                sb.append(r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]");
            }
            return sb.toString();
        }
        return "the top level";
    }

    /** Writes this metadata to {@code file} atomically (temporary file, then rename), creating parent folders. */
    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        AtomicFiles.write(file, toJson().getBytes(StandardCharsets.UTF_8));
    }

    /** Writes this metadata into a SavedModel folder as {@code assets.extra/tern.json}. */
    public Path writeTo(Path savedModelDir) throws IOException {
        Path file = location(savedModelDir);
        write(file);
        return file;
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String normalizeKind(String kind) {
        return kind == null ? "regression" : kind.trim().toLowerCase(Locale.ROOT);
    }
}
