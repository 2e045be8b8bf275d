package dev.tern.compress.cli;

import dev.tern.compress.cli.CliFixture.Outcome;
import dev.tern.compress.io.NpyWriter;
import dev.tern.runtime.format.TernWriter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static dev.tern.compress.cli.CliFixture.SIDE;
import static dev.tern.compress.cli.CliFixture.tern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every kind of bad input: exit code 2, exactly one line on stderr, no stack trace. */
class BadInputTest {
    @TempDir
    Path dir;
    Path model;
    byte[] modelBytes;
    Path goodInput;

    @BeforeEach
    void setUp() throws Exception {
        model = dir.resolve("tiny.tern");
        TernWriter.write(CliFixture.model(), model);
        modelBytes = Files.readAllBytes(model);
        goodInput = dir.resolve("image.npy");
        NpyWriter.write(goodInput, new int[] {1, SIDE, SIDE, 1}, CliFixture.normalizedImage());
    }

    /** Runs the command, checks exit code 2 and one clean line, and returns that line. */
    private static String rejected(String... args) {
        Outcome r = tern(args);
        assertEquals(2, r.code(), "exit code; stderr: " + r.err());
        assertEquals(1, r.errLines(), "stderr: " + r.err());
        assertTrue(r.err().startsWith("tern: error: "), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertEquals("", r.out());
        return r.err().strip();
    }

    private String rejectedModel(byte[] bytes, String expected) throws Exception {
        Path bad = dir.resolve("bad.tern");
        Files.write(bad, bytes);
        String info = rejected("info", bad.toString(), "--json");
        assertTrue(info.contains(bad.toString()), info);
        assertTrue(info.contains(expected), info);
        String run = rejected("run", bad.toString(), "--input", goodInput.toString());
        assertEquals(info, run);
        return info;
    }

    @Test
    void missingModelFile() {
        String line = rejected("info", dir.resolve("nope.tern").toString());
        assertTrue(line.contains("nope.tern: no such model file"), line);
    }

    @Test
    void missingInputFile() {
        String line = rejected("run", model.toString(), "--input", dir.resolve("nope.npy").toString());
        assertTrue(line.endsWith("nope.npy: no such file or directory"), line);
    }

    @Test
    void directoryAsModel() {
        String line = rejected("info", dir.toString());
        assertTrue(line.contains("is a directory"), line);
    }

    @Test
    void truncatedModel() throws Exception {
        rejectedModel(Arrays.copyOf(modelBytes, modelBytes.length - 100), "truncated");
        rejectedModel(Arrays.copyOf(modelBytes, 40), "truncated");
        rejectedModel(new byte[0], "truncated: 0 bytes");
    }

    @Test
    void flippedByteFailsTheChecksum() throws Exception {
        byte[] b = modelBytes.clone();
        b[b.length / 2] ^= 0x10;
        rejectedModel(b, "CRC32C");
    }

    @Test
    void wrongMagic() throws Exception {
        byte[] b = modelBytes.clone();
        b[1] = 'X';
        rejectedModel(b, "not a .tern model");
    }

    @Test
    void newerFormatVersion() throws Exception {
        byte[] b = modelBytes.clone();
        b[8] = 2;
        b[9] = 0;
        String line = rejectedModel(b, "format version 2.0 is newer than this reader");
        assertTrue(line.contains("upgrade Tern"), line);
    }

    @Test
    void npyOfTheWrongShape() throws Exception {
        Path npy = dir.resolve("wrong.npy");
        NpyWriter.write(npy, new int[] {1, 9, 9, 1}, new float[81]);
        String line = rejected("run", model.toString(), "--input", npy.toString());
        assertTrue(line.contains("float32[1, 9, 9, 1]"), line);
        assertTrue(line.contains("expects [8, 8, 1] or [N, 8, 8, 1] (a batch of N >= 1 samples)"), line);
    }

    @Test
    void npyHoldingAnEmptyBatch() throws Exception {
        // A batch of any size N >= 1 runs (RunCommandBatchTest); N = 0 is no input at all.
        Path npy = dir.resolve("batch.npy");
        NpyWriter.write(npy, new int[] {0, SIDE, SIDE, 1}, new float[0]);
        String line = rejected("run", model.toString(), "--input", npy.toString());
        assertTrue(line.contains("float32[0, 8, 8, 1], a batch of 0 samples; input 'image' expects at least one"), line);
    }

    @Test
    void pngOfTheWrongSize() throws Exception {
        Path png = dir.resolve("wide.png");
        ImageIO.write(new BufferedImage(10, SIDE, BufferedImage.TYPE_BYTE_GRAY), "png", png.toFile());
        String line = rejected("run", model.toString(), "--input", png.toString());
        assertTrue(line.contains("is 10x8 (width x height); input 'image' expects 8x8 (the model records no resize in its preprocessing)"), line);
    }

    @Test
    void nanInput() throws Exception {
        float[] x = CliFixture.normalizedImage();
        x[5] = Float.NaN;
        Path npy = dir.resolve("nan.npy");
        NpyWriter.write(npy, new int[] {1, SIDE, SIDE, 1}, x);
        String line = rejected("run", model.toString(), "--input", npy.toString());
        assertTrue(line.contains("NaN at index 5"), line);
    }

    @Test
    void finiteInputThatOverflowsInTheTeacherIsNotAPrediction() throws Exception {
        // 3e38 is a finite float32; in the shipped teacher it overflows to infinity in the first
        // convolution, and tern run used to print NaN probabilities and a "prediction", exit 0.
        Path teacher = java.nio.file.Paths.get(System.getProperty("tern.repo", "..")).resolve("models/multifashion/hard.tern");
        float[] x = new float[36 * 36];
        java.util.Arrays.fill(x, 3e38f);
        Path npy = dir.resolve("huge.npy");
        NpyWriter.write(npy, new int[] {1, 36, 36, 1}, x);
        String line = rejected("run", teacher.toString(), "--input", npy.toString());
        assertTrue(line.contains("NaN") || line.contains("infinite"), line);
        assertTrue(line.contains("from finite inputs"), line);
    }

    @Test
    void absurdNpyShapeIsAMessageNotOutOfMemory() throws Exception {
        Path npy = dir.resolve("huge.npy");
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000, 1000000000), }";
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) (dict.length() + 1), 0});
        b.write((dict + "\n").getBytes(StandardCharsets.ISO_8859_1));
        b.write(new byte[16]);
        Files.write(npy, b.toByteArray());
        String line = rejected("run", model.toString(), "--input", npy.toString());
        assertTrue(line.contains("more elements than an array holds"), line);
    }

    @Test
    void truncatedNpy() throws Exception {
        byte[] good = Files.readAllBytes(goodInput);
        Path npy = dir.resolve("short.npy");
        Files.write(npy, Arrays.copyOf(good, good.length - 4));
        String line = rejected("run", model.toString(), "--input", npy.toString());
        assertTrue(line.contains("truncated"), line);
    }

    @Test
    void inputThatIsNoKnownFormat() throws Exception {
        Path txt = dir.resolve("notes.txt");
        Files.writeString(txt, "hello");
        String line = rejected("run", model.toString(), "--input", txt.toString());
        assertTrue(line.contains("not a .npy array, PNG or PGM image"), line);
    }

    @Test
    void corruptPng() throws Exception {
        BufferedImage img = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_BYTE_GRAY);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ImageIO.write(img, "png", b);
        byte[] bytes = b.toByteArray();
        Path png = dir.resolve("cut.png");
        Files.write(png, Arrays.copyOf(bytes, 40));
        String line = rejected("run", model.toString(), "--input", png.toString());
        assertTrue(line.contains("PNG"), line);
    }

    @Test
    void unknownTask() {
        String line = rejected("run", model.toString(), "--input", goodInput.toString(), "--task", "right");
        assertTrue(line.contains("unknown task 'right', the model has [left, present]"), line);
    }

    @Test
    void badTopIsAUsageError() {
        Outcome r = tern("run", model.toString(), "--input", goodInput.toString(), "--top", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--top must be at least 1"), r.err());
    }

    @Test
    void verboseAddsTheStackTrace() {
        Outcome r = tern("run", model.toString(), "--input", dir.resolve("nope.npy").toString(), "--verbose");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("\tat "), r.err());
        Outcome debug = tern(true, "info", dir.resolve("nope.tern").toString());
        assertEquals(2, debug.code());
        assertTrue(debug.err().contains("\tat "), debug.err());
    }
}
