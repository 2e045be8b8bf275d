package dev.tern.compress;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The layering that keeps compress a user of the runtime, and the pipeline a user of the jobs:
 * compress imports nothing from dev.tern.runtime.internal (only the runtime's exported API),
 * and neither pipeline/ nor job/ imports cli/ (commands are front ends, never called from inside).
 */
class BoundariesTest {
    private static final Path MAIN = Paths.get(System.getProperty("tern.repo", "..")).resolve("compress/src/main/java/dev/tern/compress");

    private static List<String> offenders(Path dir, String forbidden) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).contains(forbidden)) {
                        out.add(MAIN.relativize(f) + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        return out;
    }

    @Test
    void compressUsesOnlyTheRuntimesPublicApi() throws IOException {
        assertEquals(List.of(), offenders(MAIN, "dev.tern.runtime.internal"));
    }

    @Test
    void pipelineAndJobsDoNotCallTheCommandLine() throws IOException {
        List<String> found = new ArrayList<>(offenders(MAIN.resolve("pipeline"), "dev.tern.compress.cli"));
        found.addAll(offenders(MAIN.resolve("job"), "dev.tern.compress.cli"));
        found.addAll(offenders(MAIN.resolve("report"), "dev.tern.compress.cli"));
        assertEquals(List.of(), found);
    }
}
