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
        ModelDef def = SavedModelImporter.importModel(savedModel);
        TernModel.of(def);
        return def;
    }
}
