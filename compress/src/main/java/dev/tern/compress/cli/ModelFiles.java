package dev.tern.compress.cli;

import dev.tern.runtime.Backend;
import dev.tern.runtime.InvalidModelException;
import dev.tern.runtime.ModelFormatException;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.format.AtomicFiles;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads the model a command names, with the file name in every error. */
final class ModelFiles {
    private ModelFiles() {
    }

    /** Loads {@code file} with the default backend (honoring {@code -Dtern.kernels}). */
    static TernModel load(Path file) throws IOException {
        Backend backend = backend();
        if (Files.isDirectory(file)) {
            throw new FileSystemException(file.toString(), null, "is a directory, not a model file");
        }
        try {
            return TernModel.load(file, backend);
        } catch (ModelFormatException e) {
            throw new ModelFormatException(prefixed(file, e.getMessage()), e);
        } catch (InvalidModelException e) {
            throw new InvalidModelException(prefixed(file, e.getMessage()));
        }
    }

    /**
     * Checks before any work that {@code out} can be written (not a folder, its folder writable)
     * and is not the input {@code in}, which is never overwritten.
     */
    static void checkOutput(Path out, Path in) throws IOException {
        AtomicFiles.checkWritable(out);
        if (in != null && Files.exists(out) && Files.exists(in) && Files.isSameFile(in, out)) {
            throw new UsageException("--out is the input model " + in + "; the input is never overwritten, write elsewhere");
        }
    }

    /** The backend models will run on: {@code -Dtern.kernels}, else the best available. */
    static Backend backend() {
        try {
            return TernModel.defaultBackend();
        } catch (IllegalArgumentException e) {
            throw new UsageException("-Dtern.kernels: " + e.getMessage());
        }
    }

    private static String prefixed(Path file, String message) {
        String name = file.toString();
        return message != null && message.startsWith(name) ? message : name + ": " + message;
    }
}
