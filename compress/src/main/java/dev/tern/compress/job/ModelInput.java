package dev.tern.compress.job;

import dev.tern.compress.BadInputException;
import dev.tern.compress.tf.SavedModelImporter;
import dev.tern.runtime.InvalidModelException;
import dev.tern.runtime.ModelFormatException;
import dev.tern.runtime.format.TernReader;
import dev.tern.runtime.format.TernWriter;
import dev.tern.runtime.model.ModelDef;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * A model a job starts from: its graph in memory, the name provenance gives it and the
 * checksum of its bytes. Jobs take models in memory so a pipeline hands one stage's result
 * to the next without writing and re-reading it; reading a file here only decodes it (no
 * plan is compiled: the job that runs the model compiles it once).
 */
public record ModelInput(ModelDef def, String name, String checksum) {
    /** A model held in memory under {@code name}; its checksum is that of the file it would be. */
    public static ModelInput of(ModelDef def, String name) {
        return new ModelInput(def, name, crc32c(TernWriter.toBytes(def)));
    }

    /** A {@code .tern} file, or a SavedModel folder imported on the fly; errors name the path. */
    public static ModelInput read(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            if (!Files.isRegularFile(file.resolve("saved_model.pb"))) {
                throw new BadInputException(file + " is a directory, not a model file or a SavedModel folder");
            }
            return of(SavedModelImporter.importModel(file), file.getFileName().toString());
        }
        byte[] bytes = Files.readAllBytes(file);
        ModelDef def;
        try {
            def = TernReader.read(java.nio.ByteBuffer.wrap(bytes));
        } catch (ModelFormatException e) {
            throw new ModelFormatException(prefixed(file, e.getMessage()), e);
        } catch (InvalidModelException e) {
            throw new InvalidModelException(prefixed(file, e.getMessage()));
        }
        return new ModelInput(def, file.getFileName().toString(), crc32c(bytes));
    }

    /** {@code crc32c:HEX} of some bytes. */
    public static String crc32c(byte[] bytes) {
        CRC32C c = new CRC32C();
        c.update(bytes, 0, bytes.length);
        return "crc32c:" + Long.toHexString(c.getValue());
    }

    private static String prefixed(Path file, String message) {
        String name = file.toString();
        return message != null && message.startsWith(name) ? message : name + ": " + message;
    }
}
