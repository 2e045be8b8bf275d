package dev.tern.compress.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.file.Paths;

/** The Fashion-MNIST files shipped in models/data, decoded once per test JVM. */
final class ShippedData {
    private static FashionMnist data;

    private ShippedData() {
    }

    static Path dir() {
        return Paths.get(System.getProperty("tern.repo", "..")).resolve(FashionMnist.REPO_DIR);
    }

    static synchronized FashionMnist fashion() {
        if (data == null) {
            try {
                data = FashionMnist.load(dir());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return data;
    }
}
