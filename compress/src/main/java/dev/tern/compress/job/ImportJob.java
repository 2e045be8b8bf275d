package dev.tern.compress.job;

import dev.tern.compress.tf.SavedModelImporter;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.ModelDef;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Import of a TensorFlow SavedModel (docs/IMPORT.md). The importer records where the model
 * came from (folder, signature, SHA-256, TensorFlow version) in the model's metadata.
 */
public final class ImportJob {
    private ImportJob() {
    }

    /** The imported model, compiled once: an import that cannot run fails here, not on the user's device. */
    public static ModelDef run(Path savedModel) throws IOException {
        return run(savedModel, null).model;
    }

    /**
     * Imports a SavedModel folder or an ONNX file ({@code .onnx}, docs/ONNX.md "Import"); {@code tasks}
     * (ONNX only, may be null) says what each output predicts. The model is compiled once here.
     */
    public static dev.tern.compress.onnx.OnnxImporter.Result run(Path source, Path tasks) throws IOException {
        boolean onnx = java.nio.file.Files.isRegularFile(source) || source.getFileName() != null
                && source.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".onnx");
        if (!onnx && tasks != null) {
            throw new dev.tern.compress.BadInputException("--tasks applies to ONNX models; a SavedModel keeps its tasks in "
                    + "assets.extra/tern.json");
        }
        dev.tern.compress.onnx.OnnxImporter.Result r;
        if (onnx) {
            dev.tern.compress.onnx.OnnxTasks t = tasks == null ? null : dev.tern.compress.onnx.OnnxTasks.read(tasks);
            r = dev.tern.compress.onnx.OnnxImporter.importFile(source, t);
        } else {
            r = new dev.tern.compress.onnx.OnnxImporter.Result(SavedModelImporter.importModel(source), java.util.List.of(), true);
        }
        try {
            TernModel.of(r.model);
        } catch (dev.tern.runtime.TernException e) {
            throw new dev.tern.compress.BadInputException(source + ": the imported model does not compile: " + e.getMessage());
        }
        return r;
    }
}
