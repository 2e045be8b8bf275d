package dev.tern.compress.cli;

import dev.tern.compress.cli.CliFixture.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * models/multifashion/hard-int8.tern is exactly what {@code tern quantize} makes of the shipped
 * hard teacher with the defaults (min-max, 1000 training canvases, per-channel weights):
 * the committed file can be rebuilt, and calibration is deterministic.
 */
class ShippedInt8ModelTest {
    @Test
    void shippedInt8TeacherIsReproducible(@TempDir Path dir) throws Exception {
        Path repo = Paths.get(System.getProperty("tern.repo", ".."));
        Path out = dir.resolve("hard-int8.tern");
        Outcome r = CliFixture.tern("quantize", repo.resolve("models/multifashion/hard.tern").toString(),
                "--data", repo.resolve("models/data/fashion-mnist").toString(), "--quiet", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(Files.readAllBytes(repo.resolve("models/multifashion/hard-int8.tern")), Files.readAllBytes(out),
                "rebuild with: ./tern quantize models/multifashion/hard.tern --out models/multifashion/hard-int8.tern");
    }
}
