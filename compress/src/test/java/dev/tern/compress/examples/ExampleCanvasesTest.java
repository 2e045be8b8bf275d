package dev.tern.compress.examples;

import dev.tern.compress.data.CanvasSet;
import dev.tern.compress.data.FashionMnist;
import dev.tern.compress.data.MultiFashion;
import dev.tern.compress.io.InputFiles;
import dev.tern.runtime.TernModel;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The shipped example PNGs are the first test canvases of Multi-Fashion, named by their true
 * labels, and {@code tern run} on them feeds the teacher exactly what evaluation feeds it.
 */
class ExampleCanvasesTest {
    private static Path repo() {
        return Paths.get(System.getProperty("tern.repo", ".."));
    }

    @Test
    void shippedPngsAreTheFirstTestCanvasesAsTheModelSeesThem() throws IOException {
        CanvasSet test = new MultiFashion(FashionMnist.load(repo().resolve(FashionMnist.REPO_DIR))).test();
        Path examples = repo().resolve("models/examples");
        List<String> shipped;
        try (Stream<Path> files = Files.list(examples)) {
            shipped = files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("test-") && n.endsWith(".png"))
                    .sorted().collect(Collectors.toList());
        }
        assertEquals(ExampleCanvases.COUNT, shipped.size(), "shipped test canvases: " + shipped);
        var spec = TernModel.load(repo().resolve("models/multifashion/hard.tern")).def().inputs().get(0);
        for (int i = 0; i < ExampleCanvases.COUNT; i++) {
            String name = ExampleCanvases.fileName(test, i);
            assertEquals(name, shipped.get(i), "canvas " + i + " (name = index and true labels)");
            // Through the same reader and normalization as `tern run`: equal to evaluation's v / 255.
            float[] viaPng = InputFiles.load(examples.resolve(name), spec);
            float[] viaData = new float[MultiFashion.PIXELS];
            test.fill(i, viaData, 0);
            assertArrayEquals(viaData, viaPng, name);
        }
    }
}
