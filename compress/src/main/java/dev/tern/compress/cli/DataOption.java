package dev.tern.compress.cli;

import dev.tern.compress.data.FashionMnist;

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

    static FashionMnist load(Path dir) throws IOException {
        Path d = dir == null ? defaultDir() : dir;
        if (!Files.isDirectory(d)) {
            throw new NoSuchFileException(d.toString(), null, "no such data folder (expected Fashion-MNIST IDX files)");
        }
        return FashionMnist.load(d);
    }
}
