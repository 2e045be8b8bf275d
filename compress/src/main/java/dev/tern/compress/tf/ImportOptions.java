package dev.tern.compress.tf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * How {@link SavedModelImporter} reads a SavedModel. Immutable; start from {@link #defaults()}.
 *
 * <p>Task metadata comes from, in order of precedence: the overrides set here
 * ({@link #withModelName}, {@link #withInput}, {@link #withTasks}, each replacing one part),
 * then {@link #withMetadata} (replaces {@code tern.json} entirely), then the SavedModel's
 * {@code assets.extra/tern.json}, then defaults (one regression task per signature output).
 */
public final class ImportOptions {
    public static final String DEFAULT_SIGNATURE = "serving_default";
    public static final String DEFAULT_TAG = "serve";

    private final String signature;
    private final List<String> tags;
    private final String modelName;
    private final TaskMetadata metadata;
    private final TaskMetadata.Input input;
    private final List<TaskMetadata.Task> tasks;

    private ImportOptions(String signature, List<String> tags, String modelName, TaskMetadata metadata,
                          TaskMetadata.Input input, List<TaskMetadata.Task> tasks) {
        this.signature = signature;
        this.tags = tags;
        this.modelName = modelName;
        this.metadata = metadata;
        this.input = input;
        this.tasks = tasks;
    }

    /** Signature {@code serving_default}, tag {@code serve}, metadata from {@code tern.json} when present. */
    public static ImportOptions defaults() {
        return new ImportOptions(DEFAULT_SIGNATURE, Collections.singletonList(DEFAULT_TAG), null, null, null, null);
    }

    public ImportOptions withSignature(String signature) {
        Objects.requireNonNull(signature, "signature");
        return new ImportOptions(signature, tags, modelName, metadata, input, tasks);
    }

    /** The meta graph's tags (default {@code serve}). */
    public ImportOptions withTags(String... tags) {
        if (tags.length == 0) {
            throw new IllegalArgumentException("at least one tag is needed");
        }
        List<String> t = new ArrayList<>();
        Collections.addAll(t, tags);
        return new ImportOptions(signature, Collections.unmodifiableList(t), modelName, metadata, input, tasks);
    }

    public ImportOptions withModelName(String name) {
        return new ImportOptions(signature, tags, name, metadata, input, tasks);
    }

    /** Use this metadata instead of the SavedModel's {@code tern.json} (null: read the file again). */
    public ImportOptions withMetadata(TaskMetadata metadata) {
        return new ImportOptions(signature, tags, modelName, metadata, input, tasks);
    }

    /** Overrides the input's name, layout and normalization. */
    public ImportOptions withInput(TaskMetadata.Input input) {
        return new ImportOptions(signature, tags, modelName, metadata, input, tasks);
    }

    /** Overrides the task list (each task names the signature output it reads). */
    public ImportOptions withTasks(List<TaskMetadata.Task> tasks) {
        List<TaskMetadata.Task> t = tasks == null ? null : Collections.unmodifiableList(new ArrayList<>(tasks));
        return new ImportOptions(signature, this.tags, modelName, metadata, input, t);
    }

    public String signature() {
        return signature;
    }

    public List<String> tags() {
        return tags;
    }

    /** The model name override, or null. */
    public String modelName() {
        return modelName;
    }

    /** Metadata replacing {@code tern.json}, or null. */
    public TaskMetadata metadata() {
        return metadata;
    }

    /** The input override, or null. */
    public TaskMetadata.Input input() {
        return input;
    }

    /** The task list override, or null. */
    public List<TaskMetadata.Task> tasks() {
        return tasks;
    }
}
