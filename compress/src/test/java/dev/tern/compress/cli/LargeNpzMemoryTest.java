package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.compress.io.NpyDType;
import dev.tern.compress.io.NpzWriter;
import dev.tern.runtime.format.TernWriter;
import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelBuilder;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #20's memory bar: {@code tern eval} of a 2 GiB {@code .npz} on a JVM limited to
 * {@code -Xmx512m} works, because x is read a sample at a time and never held. The file is
 * generated under target/ and deleted afterwards. The model is one dense layer over a
 * 64x64 input (16 KiB float32 per sample, 131,072 samples), so the run measures reading,
 * not compute.
 */
class LargeNpzMemoryTest {
    static final int SIDE = 64;
    static final int N = (int) ((2L << 30) / (SIDE * SIDE * 4));

    @Test
    void twoGigabyteNpzEvaluatesInA512MegabyteHeap() throws Exception {
        Path dir = Files.createDirectories(Paths.get("target", "large-npz"));
        Path model = dir.resolve("wide.tern");
        Path data = dir.resolve("big.npz");
        try {
            Random r = new Random(3);
            ModelBuilder b = new ModelBuilder("wide").input(new InputSpec("x", new int[] {-1, SIDE, SIDE, 1}, "NHWC", null, null));
            String f = b.flatten("flat", "x");
            String logits = b.dense("cls/logits", f, 4, SIDE * SIDE, ModelBuilder.random(r, 4 * SIDE * SIDE, 0.05f),
                    new float[4], Activation.NONE);
            b.multiclass("cls", logits, "a", "b", "c", "d");
            TernWriter.write(b.build(), model);
            long[] labels = new long[N];
            for (int i = 0; i < N; i++) {
                labels[i] = i % 4;
            }
            NpzWriter.write(data, w -> {
                w.array("x", NpyDType.FLOAT32, new long[] {N, SIDE, SIDE, 1}, out -> {
                    ByteBuffer sample = ByteBuffer.allocate(SIDE * SIDE * 4).order(ByteOrder.LITTLE_ENDIAN);
                    for (int i = 0; i < N; i++) {
                        sample.clear();
                        for (int k = 0; k < SIDE * SIDE; k++) {
                            sample.putFloat(((i * 31 + k * 7) % 255) / 255f);
                        }
                        out.write(sample.array());
                    }
                });
                w.longs("cls", new long[] {N}, labels);
            });
            assertTrue(Files.size(data) > (2L << 30), "the file holds " + Files.size(data) + " bytes");
            String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                    TernCli.class.getName(), "eval", model.toString(), "--data", data.toString(), "--json");
            File err = dir.resolve("stderr.txt").toFile();
            pb.redirectError(err);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(10, TimeUnit.MINUTES), "tern eval did not finish");
            assertEquals(0, p.exitValue(), Files.readString(err.toPath()));
            JsonNode j = new ObjectMapper().readTree(out);
            assertEquals(N, j.get("samples").asInt());
            double acc = j.get("tasks").get("cls").get("accuracy").asDouble();
            assertTrue(acc >= 0 && acc <= 1, out);
        } finally {
            for (Path f : List.of(data, model)) {
                Files.deleteIfExists(f);
            }
        }
    }
}
