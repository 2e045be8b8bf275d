package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.compress.cli.CliFixture.Outcome;
import dev.tern.compress.examples.ExampleModels;
import dev.tern.compress.io.NpyWriter;
import dev.tern.compress.job.ModelInput;
import dev.tern.compress.job.Provenance;
import dev.tern.compress.quant.Quantizer;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.format.TernWriter;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.tern.compress.cli.CliFixture.SIDE;
import static dev.tern.compress.cli.CliFixture.tern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tern quantize}: what it writes, and every bad input (exit 2, input untouched, no output file). */
class QuantizeCommandTest {
    @TempDir
    Path dir;
    Path model;
    byte[] modelBytes;
    Path calib;

    @BeforeEach
    void setUp() throws Exception {
        model = dir.resolve("tiny.tern");
        TernWriter.write(CliFixture.model(), model);
        modelBytes = Files.readAllBytes(model);
        calib = dir.resolve("calib.npy");
        NpyWriter.write(calib, new int[] {24, SIDE, SIDE, 1}, pixels(24 * SIDE * SIDE, 1));
    }

    static float[] pixels(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(256);
        }
        return v;
    }

    static JsonNode json(Outcome r) throws Exception {
        assertEquals(0, r.code(), r.err());
        return new ObjectMapper().readTree(r.out());
    }

    @Test
    void quantizesEveryLayerAndWritesFormat11() throws Exception {
        Path out = dir.resolve("q.tern");
        JsonNode j = json(tern("quantize", model.toString(), "--data", calib.toString(), "--method", "entropy", "--json",
                "--out", out.toString()));
        assertEquals("static", j.get("mode").asText());
        assertEquals(24, j.get("calibration_samples").asInt());
        assertEquals(Files.size(out), j.get("size_bytes").asLong());
        assertArrayEquals(modelBytes, Files.readAllBytes(model), "input untouched");
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1, b.getShort(10), "format minor version");
        TernModel q = TernModel.load(out);
        for (String layer : Quantizer.layers(CliFixture.model())) {
            assertTrue(q.kernels().get(layer).startsWith("int8-"), layer + " runs " + q.kernels().get(layer));
        }
        for (Tensor t : q.def().tensors().values()) {
            assertTrue(t.dtype() != DType.FLOAT32, "no float tensor left: " + t);
        }
        assertEquals("entropy", Provenance.chain(q.def()).get(0).settings().get("method"));
        // The same input gives the same bytes.
        Path again = dir.resolve("again.tern");
        json(tern("quantize", model.toString(), "--data", calib.toString(), "--method", "entropy", "--json",
                "--out", again.toString()));
        assertArrayEquals(Files.readAllBytes(out), Files.readAllBytes(again), "deterministic");
    }

    @Test
    void dynamicModeNeedsNoDataAndKeepsActivationsFloat() throws Exception {
        Path out = dir.resolve("dyn.tern");
        JsonNode j = json(tern("quantize", model.toString(), "--dynamic", "--json", "--out", out.toString()));
        assertEquals("dynamic", j.get("mode").asText());
        TernModel q = TernModel.load(out);
        assertTrue(q.kernels().values().stream().allMatch(k -> k.startsWith("f32-")), q.kernels().toString());
        assertEquals(DType.INT8, q.def().tensor("conv/filter") != null ? q.def().tensor("conv/filter").dtype()
                : weightOf(q.def(), "conv").dtype());
        // A small model: headers and 64-byte alignment weigh; the weights themselves shrink 4x.
        assertTrue(Files.size(out) < 0.5 * modelBytes.length, Files.size(out) + " vs " + modelBytes.length);
    }

    static Tensor weightOf(ModelDef def, String node) {
        for (dev.tern.runtime.model.Node n : def.nodes()) {
            if (n.name().equals(node)) {
                return def.tensor(n.input(1));
            }
        }
        throw new AssertionError(node);
    }

    @Test
    void reportAndBudgetOnMultiFashion() throws Exception {
        Path tiny = dir.resolve("tiny-multitask.tern");
        TernWriter.write(ExampleModels.tinyMultitask(), tiny);
        Path data = Paths.get(System.getProperty("tern.repo", "..")).resolve("models/data/fashion-mnist");
        Path out = dir.resolve("mixed.tern");
        JsonNode j = json(tern("quantize", tiny.toString(), "--data", data.toString(), "--calib-samples", "64",
                "--val-samples", "300", "--report", "--budget", "0.005", "--json", "--quiet", "--out", out.toString()));
        List<String> layers = Quantizer.layers(ExampleModels.tinyMultitask());
        assertEquals(layers.size(), j.get("layers").size(), "one sensitivity row per layer");
        for (JsonNode l : j.get("layers")) {
            assertTrue(layers.contains(l.get("layer").asText()));
            assertTrue(l.get("drop").has("left") && l.get("drop").has("right") && l.get("drop").has("present"), l.toString());
            assertFalse(l.get("drop").has("ink"), "regression head has no ground truth");
        }
        assertTrue(j.get("within_budget").asBoolean());
        j.get("validation_drop").fields().forEachRemaining(e ->
                assertTrue(e.getValue().asDouble() <= 0.005 + 1e-12, "validation drop of " + e.getKey() + " " + e.getValue()));
        TernModel q = TernModel.load(out);
        List<String> kept = new ArrayList<>();
        j.get("float_layers").forEach(n -> kept.add(n.asText()));
        for (String layer : layers) {
            assertEquals(kept.contains(layer), q.kernels().get(layer).startsWith("f32-"), layer + ": " + q.kernels().get(layer));
        }
        assertEquals(kept, Provenance.chain(q.def()).get(0).results().getOrDefault("float_layers", List.of()));
    }

    // ------------------------------------------------------------------ bad input

    private String rejected(Path out, String... args) throws Exception {
        Outcome r = tern(args);
        assertEquals(2, r.code(), "exit code; stderr: " + r.err());
        assertEquals(1, r.errLines(), "stderr: " + r.err());
        assertTrue(r.err().startsWith("tern: error: "), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertArrayEquals(modelBytes, Files.readAllBytes(model), "input untouched");
        assertFalse(Files.exists(out), "no output file");
        try (Stream<Path> files = Files.list(dir)) {
            List<String> tmp = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).collect(Collectors.toList());
            assertTrue(tmp.isEmpty(), "temporary files left: " + tmp);
        }
        return r.err().strip();
    }

    @Test
    void calibrationDataOfTheWrongShape() throws Exception {
        Path bad = dir.resolve("bad.npy");
        NpyWriter.write(bad, new int[] {5, SIDE + 1, SIDE + 1, 1}, pixels(5 * (SIDE + 1) * (SIDE + 1), 2));
        Path out = dir.resolve("q.tern");
        String e = rejected(out, "quantize", model.toString(), "--data", bad.toString(), "--out", out.toString());
        assertTrue(e.contains("[N, 8, 8, 1]"), e);
    }

    @Test
    void emptyCalibrationSet() throws Exception {
        Path empty = dir.resolve("empty.npy");
        NpyWriter.write(empty, new int[] {0, SIDE, SIDE, 1}, new float[0]);
        Path out = dir.resolve("q.tern");
        String e = rejected(out, "quantize", model.toString(), "--data", empty.toString(), "--out", out.toString());
        assertTrue(e.contains("no samples"), e);
        e = rejected(out, "quantize", model.toString(), "--data", calib.toString(), "--calib-samples", "0", "--out", out.toString());
        assertTrue(e.contains("--calib-samples"), e);
    }

    @Test
    void canvasesForAModelOfAnotherInputShape() throws Exception {
        Path out = dir.resolve("q.tern");
        Path data = Paths.get(System.getProperty("tern.repo", "..")).resolve("models/data/fashion-mnist");
        String e = rejected(out, "quantize", model.toString(), "--data", data.toString(), "--out", out.toString());
        assertTrue(e.contains("[36, 36, 1]"), e);
    }

    @Test
    void anAlreadyQuantizedModel() throws Exception {
        Path q = dir.resolve("q.tern");
        json(tern("quantize", model.toString(), "--data", calib.toString(), "--json", "--out", q.toString()));
        byte[] qBytes = Files.readAllBytes(q);
        Path out = dir.resolve("qq.tern");
        Outcome r = tern("quantize", q.toString(), "--data", calib.toString(), "--out", out.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("already quantized"), r.err());
        assertFalse(Files.exists(out));
        assertArrayEquals(qBytes, Files.readAllBytes(q));
        r = tern("quantize", q.toString(), "--dynamic", "--out", out.toString());
        assertEquals(2, r.code(), r.err());
        assertFalse(Files.exists(out));
    }

    /**
     * A CRC-valid file with a non-finite weight: the runtime's reader rejects it (since issue
     * 18), and tern quantize passes that on as bad input naming the file, tensor and index.
     * The file is made by writing a sentinel weight, patching it, and resealing the checksums.
     */
    @Test
    void nanOrInfiniteWeights() throws Exception {
        float sentinel = 1234.5f;
        ModelDef def = CliFixture.model();
        List<Tensor> tensors = new ArrayList<>();
        for (Tensor t : def.tensors().values()) {
            float[] v = t.floats();
            if (t.name().equals("left/logits/weights")) {
                v[7] = sentinel;
            }
            tensors.add(Tensor.ofFloats(t.name(), t.shape(), v));
        }
        byte[] good = TernWriter.toBytes(new ModelDef(def.name(), def.inputs(), tensors, def.nodes(), def.tasks(), def.outputs(),
                def.provenance()));
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            Path in = dir.resolve("broken.tern");
            Files.write(in, withFloatReplaced(good, sentinel, bad));
            model = in;
            modelBytes = Files.readAllBytes(in);
            Path out = dir.resolve("q.tern");
            String e = rejected(out, "quantize", in.toString(), "--data", calib.toString(), "--out", out.toString());
            assertTrue(e.contains(String.valueOf(bad)) && e.contains("index 7") && e.contains(in.toString()), e);
            rejected(out, "quantize", in.toString(), "--dynamic", "--out", out.toString());
        }
    }

    /**
     * {@code file} with the one float {@code from} replaced by {@code to} and every CRC32C
     * recomputed (docs/FORMAT.md: each section's in the table, the table's at header byte 56,
     * the header's at 60).
     */
    static byte[] withFloatReplaced(byte[] file, float from, float to) {
        byte[] b = file.clone();
        java.nio.ByteBuffer le = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int at = -1;
        for (int i = 0; i + 4 <= b.length; i++) {
            if (le.getFloat(i) == from) {
                assertEquals(-1, at, "the sentinel is unique");
                at = i;
            }
        }
        le.putFloat(at, to);
        int count = le.getInt(24);
        int table = le.getInt(28);
        for (int s = 0; s < count; s++) {
            int e = table + s * 32;
            le.putInt(e + 24, crc32c(b, le.getLong(e + 8), le.getLong(e + 16)));
        }
        le.putInt(56, crc32c(b, table, count * 32L));
        le.putInt(60, crc32c(b, 0, 60));
        return b;
    }

    private static int crc32c(byte[] b, long off, long len) {
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(b, (int) off, (int) len);
        return (int) c.getValue();
    }

    @Test
    void outputOverTheInputIsRefused() throws Exception {
        Outcome r = tern("quantize", model.toString(), "--data", calib.toString(), "--out", model.toString());
        assertEquals(2, r.code(), r.err());
        assertArrayEquals(modelBytes, Files.readAllBytes(model));
    }

    /**
     * {@code --weight-bits 7}: every int8 weight within [-63, 63] (8 bits reach 127), said in the
     * JSON, the text summary and the provenance; the export of such a model has no layer at risk
     * on x86 CPUs without VNNI. Any value but 7 or 8 is refused.
     */
    @Test
    void sevenBitWeights() throws Exception {
        for (int bits : new int[] {8, 7}) {
            Path out = dir.resolve("q" + bits + ".tern");
            JsonNode j = json(tern("quantize", model.toString(), "--data", calib.toString(), "--weight-bits", String.valueOf(bits),
                    "--json", "--out", out.toString()));
            ModelDef q = TernModel.load(out).def();
            int max = 0;
            for (Tensor t : q.tensors().values()) {
                if (t.dtype() == DType.INT8) {
                    for (byte v : t.int8s()) {
                        max = Math.max(max, Math.abs(v));
                    }
                }
            }
            String described = bits == 8 ? "int8 symmetric per channel" : "int8 symmetric per channel, 7-bit range [-63, 63]";
            assertEquals(bits == 8 ? 127 : 63, max, "largest |weight| with " + bits + " bits (each channel's largest weight reaches it)");
            assertEquals(described, j.get("weights").asText());
            assertEquals(described, Provenance.chain(q).get(0).results().get("weights"));
            assertEquals(bits == 7, dev.tern.compress.onnx.OnnxExporter.x86SaturationRisks(q).isEmpty());
        }
        Path out = dir.resolve("q7.tern");
        Outcome r = tern("quantize", model.toString(), "--data", calib.toString(), "--weight-bits", "7", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("weights: int8 symmetric per channel, 7-bit range [-63, 63]"), r.out());
        Path bad = dir.resolve("q6.tern");
        String e = rejected(bad, "quantize", model.toString(), "--data", calib.toString(), "--weight-bits", "6", "--out", bad.toString());
        assertTrue(e.contains("--weight-bits: expected an integer, 7 or 8, found 6"), e);
    }

    @Test
    void unknownMethod() throws Exception {
        Path out = dir.resolve("q.tern");
        String e = rejected(out, "quantize", model.toString(), "--data", calib.toString(), "--method", "magic", "--out", out.toString());
        assertTrue(e.contains("minmax, percentile, entropy, mse"), e);
    }

    /**
     * Every output is checked before any work (issue 18, item 8): a folder as --out, or an
     * --out in a folder that cannot be written, fails naming the path, before the model is
     * checked and the calibration data read (both of which would fail here otherwise).
     */
    @Test
    void aBadOutFailsBeforeAnyWorkNamingThePath() throws Exception {
        String missingData = dir.resolve("no-such-data").toString();
        Outcome r = tern("quantize", model.toString(), "--data", missingData, "--out", dir.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(dir.toString()) && r.err().contains("found a folder"), r.err());
        Path readOnly = dir.resolve("ro");
        Files.createDirectories(readOnly);
        assertTrue(readOnly.toFile().setWritable(false));
        try {
            if (!Files.isWritable(readOnly)) { // root may write anywhere
                r = tern("quantize", model.toString(), "--data", missingData, "--out", readOnly.resolve("q.tern").toString());
                assertEquals(2, r.code(), r.err());
                assertTrue(r.err().contains(readOnly.resolve("q.tern").toString()) && r.err().contains("permission denied"), r.err());
            }
        } finally {
            readOnly.toFile().setWritable(true);
        }
        // a valid --out: now the next check fails (this 8x8 model cannot take Multi-Fashion canvases),
        // still before any data is read
        r = tern("quantize", model.toString(), "--data", missingData, "--out", dir.resolve("q.tern").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("Multi-Fashion calibration canvases are [36, 36, 1]"), r.err());
    }

    /** The options are checked by the config's fields: the message names the option and the range. */
    @Test
    void optionErrorsNameTheOptionAndTheRange() {
        Outcome r = tern("quantize", model.toString(), "--calib-samples", "0", "--out", dir.resolve("q.tern").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--calib-samples: expected an integer from 1 to 60000, found 0"), r.err());
        r = tern("quantize", model.toString(), "--budget", "1e999", "--out", dir.resolve("q.tern").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--budget: expected a number in [0, 1), found Infinity"), r.err());
    }
}
