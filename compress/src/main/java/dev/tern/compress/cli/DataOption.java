package dev.tern.compress.cli;

import dev.tern.compress.data.DataSets;
import dev.tern.compress.data.Dataset;
import dev.tern.compress.data.FashionMnist;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.TaskSpec;
import java.util.List;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where {@code --data} points: a folder of Fashion-MNIST IDX files (gz or raw), such as the
 * repo's {@code models/data/fashion-mnist} (the default) or Debian's
 * {@code /usr/share/datasets/fashion-mnist}.
 */
final class DataOption {
    private DataOption() {
    }

    /** The repo's shipped data folder (./tern passes the repo root as -Dtern.home). */
    static Path defaultDir() {
        return Paths.get(System.getProperty("tern.home", ".")).resolve(FashionMnist.REPO_DIR);
    }

    /** The data set at {@code path} (default: the repo's Fashion-MNIST folder, i.e. Multi-Fashion). */
    static Dataset open(Path path, InputSpec input, List<TaskSpec> tasks, DataSets.Split split, boolean requireLabels)
            throws IOException {
        return DataSets.open(path == null ? defaultDir() : path, input, tasks, split, requireLabels);
    }

    /** Whether {@code path} means the built-in Multi-Fashion canvases (none given, or a Fashion-MNIST folder). */
    static boolean builtIn(Path path) throws IOException {
        return path == null || Files.isDirectory(path) && DataSets.kind(path) == DataSets.Kind.MULTI_FASHION;
    }

    static FashionMnist load(Path dir) throws IOException {
        Path d = dir == null ? defaultDir() : dir;
        if (!Files.isDirectory(d)) {
            throw new NoSuchFileException(d.toString(), null, "no such data folder (expected Fashion-MNIST IDX files)");
        }
        return FashionMnist.load(d);
    }
}
