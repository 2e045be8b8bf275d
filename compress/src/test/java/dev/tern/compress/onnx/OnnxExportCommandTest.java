package dev.tern.compress.onnx;

import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.compress.cli.CliFixtureAccess;
import dev.tern.runtime.Int8Cases;
import dev.tern.runtime.TestModels;
import dev.tern.runtime.format.TernWriter;
import dev.tern.runtime.model.ModelDef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tern export}: the command line, its output, and its refusals (exit 2, one line, nothing written). */
class OnnxExportCommandTest {
    @TempDir
    Path dir;

    private Path model(ModelDef def, String name) throws Exception {
        Path p = dir.resolve(name);
        TernWriter.write(def, p);
        return p;
    }

    /** The literal form {@code tern export --onnx M.tern --out M.onnx}; the ONNX file runs in ONNX Runtime like Tern. */
    @Test
    void exportsInt8ModelAndLeavesTheInputAlone() throws Exception {
        ModelDef def = TestModels.allOpsInt8(2024);
        Path in = model(def, "m.tern");
        byte[] before = Files.readAllBytes(in);
        Path out = dir.resolve("m.onnx");
        CliFixtureAccess.Result r = CliFixtureAccess.tern("export", "--onnx", in.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertSaturationWarning(r.err());
        assertTrue(r.out().startsWith("wrote " + out + ": "), r.out());
        assertTrue(r.out().contains("ONNX opset 13") && r.out().contains("int8 as QDQ") && r.out().contains("initializers"), r.out());
        assertArrayEquals(before, Files.readAllBytes(in), "input modified");
        assertArrayEquals(OnnxExporter.toBytes(def), Files.readAllBytes(out), "the file is the exporter's model");
        assertEquals(List.of("m.onnx", "m.tern"), files(), "no temporary file left");
        int batch = 2;
        try (OrtSession s = OrtRunner.exactSession(def, Files.readAllBytes(out))) {
            Map<String, float[]> input = OnnxOpsTest.input(def, batch, 3);
            OrtRunner.Diff d = OrtRunner.compare(def, OrtRunner.tern(def, input, batch), OrtRunner.ort(s, def, input, batch));
            assertTrue(d.get("left_fc").maxQuanta <= 2, d.toString());
        }
    }

    @Test
    void jsonSummaryAndDefaultFormat() throws Exception {
        Path in = model(TestModels.allOps(7), "f.tern");
        Path out = dir.resolve("f.onnx");
        CliFixtureAccess.Result r = CliFixtureAccess.tern("export", in.toString(), "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("onnx", j.get("format").asText());
        assertEquals(13, j.get("opset").asInt());
        assertEquals(Files.size(out), j.get("size_bytes").asLong());
        assertFalse(j.get("quantized").asBoolean());
        assertTrue(j.get("nodes").asInt() > 15 && j.get("initializers").asInt() > 10, r.out());
        assertEquals("image", j.get("inputs").get(0).asText());
        assertEquals(4, j.get("outputs").size());
        assertTrue(j.get("ops").has("Conv") && j.get("ops").has("Gemm") && j.get("ops").has("AveragePool"), r.out());
    }

    /** {@code --activations uint8}: the exporter's uint8 model, said in the summary (text and JSON); int8 is the default. */
    @Test
    void uint8Activations() throws Exception {
        ModelDef def = TestModels.allOpsInt8(2024);
        Path in = model(def, "m.tern");
        Path out = dir.resolve("m.onnx");
        CliFixtureAccess.Result r = CliFixtureAccess.tern("export", in.toString(), "--out", out.toString(), "--activations", "uint8");
        assertEquals(0, r.code(), r.err());
        assertSaturationWarning(r.err());
        assertTrue(r.out().contains("int8 as QDQ, uint8 activations"), r.out());
        assertFalse(r.out().contains("note:"), r.out());
        byte[] u8 = OnnxExporter.toBytes(def, OnnxExporter.Options.defaults().withUint8Activations(true));
        assertArrayEquals(u8, Files.readAllBytes(out));

        r = CliFixtureAccess.tern("export", in.toString(), "--out", out.toString(), "--activations=uint8", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("uint8", j.get("activations").asText());
        assertTrue(j.get("quantized").asBoolean());
        assertFalse(j.has("note"), r.out());
        assertArrayEquals(u8, Files.readAllBytes(out));

        for (String[] extra : new String[][] {{}, {"--activations", "int8"}}) {
            java.util.List<String> args = new java.util.ArrayList<>(List.of("export", in.toString(), "--out", out.toString(), "--json"));
            args.addAll(List.of(extra));
            r = CliFixtureAccess.tern(args.toArray(new String[0]));
            assertEquals(0, r.code(), r.err());
            assertEquals("int8", new ObjectMapper().readTree(r.out()).get("activations").asText());
            assertArrayEquals(OnnxExporter.toBytes(def), Files.readAllBytes(out));
        }
        assertEquals(List.of("m.onnx", "m.tern"), files(), "no temporary file left");
    }

    /**
     * Int8 weights beyond +-64: one warning line on stderr (in --json, {@code warning} and
     * {@code x86_saturation_risk}), naming the layers, what ONNX Runtime computes on x86 CPUs
     * without VNNI, and the two ways to exactness. 7-bit weights and float32 models: no warning.
     */
    @Test
    void warnsOfSaturationOnX86WithoutVnniUnlessWeightsFit7Bits() throws Exception {
        ModelDef eight = TestModels.allOpsInt8(2024);
        Path in = model(eight, "m8.tern");
        Path out = dir.resolve("m8.onnx");
        CliFixtureAccess.Result r = CliFixtureAccess.tern("export", in.toString(), "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err(), "--json: the warning is in the JSON");
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertSaturationWarning("warning: " + j.get("warning").asText());
        List<OnnxExporter.SaturationRisk> risks = OnnxExporter.x86SaturationRisks(eight);
        assertEquals(risks.size(), j.get("x86_saturation_risk").size(), r.out());
        assertEquals(risks.get(0).node, j.get("x86_saturation_risk").get(0).get("node").asText());
        assertTrue(j.get("x86_saturation_risk").get(0).get("max_weight").asInt() > OnnxExporter.X86_EXACT_WEIGHT_MAX, r.out());

        ModelDef f = TestModels.allOps(7);
        Map<String, float[]> input = OnnxOpsTest.input(f, 2, 3);
        ModelDef seven = Int8Cases.quantize(f, input, 2, new Random(5), Int8Cases.WEIGHTS_7_BIT);
        assertTrue(seven.isQuantized() && OnnxExporter.hasInt8Activations(seven));
        for (ModelDef def : List.of(seven, f)) {
            in = model(def, "m.tern");
            out = dir.resolve("m.onnx");
            r = CliFixtureAccess.tern("export", in.toString(), "--out", out.toString());
            assertEquals(0, r.code(), r.err());
            assertEquals("", r.err(), def.name());
            r = CliFixtureAccess.tern("export", in.toString(), "--out", out.toString(), "--json");
            j = new ObjectMapper().readTree(r.out());
            assertFalse(j.has("warning"), r.out());
            assertEquals(0, j.get("x86_saturation_risk").size(), r.out());
        }
        // the 7-bit model's export runs exactly in a default ORT session on every CPU
        assertEquals(Map.of(), OrtArithmetic.exactConfig(seven));
        OrtRunner.Diff d = OrtRunner.check(seven, input, 2);
        assertTrue(d.get("left_fc").maxQuanta <= 2, d.toString());
    }

    /** One line: the layers, what ORT computes without VNNI, the 7-bit quantization and the session option. */
    private static void assertSaturationWarning(String err) {
        List<String> lines = err.lines().filter(l -> !l.isBlank()).collect(Collectors.toList());
        assertEquals(1, lines.size(), err);
        String w = lines.get(0);
        assertTrue(w.startsWith("warning: "), w);
        for (String part : List.of("int8 layer(s) have weights beyond +-64", "conv1 (|w| up to ", "without VNNI",
                "saturating 16-bit pairs", "--weight-bits 7", "session.x64quantprecision=1")) {
            assertTrue(w.contains(part), "'" + part + "' in: " + w);
        }
    }

    /** On a float32 model {@code --activations} is accepted and does nothing; the summary says so. */
    @Test
    void activationsOnFloatModelHasNoEffect() throws Exception {
        ModelDef def = TestModels.allOps(7);
        Path in = model(def, "f.tern");
        Path out = dir.resolve("f.onnx");
        CliFixtureAccess.Result r = CliFixtureAccess.tern("export", in.toString(), "--out", out.toString(), "--activations", "uint8");
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        assertTrue(r.out().contains("note: --activations uint8 had no effect") && r.out().contains("no int8 activations"), r.out());
        assertArrayEquals(OnnxExporter.toBytes(def), Files.readAllBytes(out));
        r = CliFixtureAccess.tern("export", in.toString(), "--out", out.toString(), "--activations", "uint8", "--json");
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("float32", j.get("activations").asText());
        assertTrue(j.get("note").asText().contains("had no effect"), r.out());
        r = CliFixtureAccess.tern("export", in.toString(), "--out", out.toString());
        assertFalse(r.out().contains("note:"), "no note without the option: " + r.out());
    }

    /** A value other than int8 or uint8: one line, exit 2, nothing written. */
    @Test
    void badActivationsValueIsRefused() throws Exception {
        Path in = model(TestModels.allOpsInt8(2024), "m.tern");
        Path out = dir.resolve("m.onnx");
        assertRefused(CliFixtureAccess.tern("export", in.toString(), "--out", out.toString(), "--activations", "int4"), out, "int4");
        assertRefused(CliFixtureAccess.tern("export", in.toString(), "--out", out.toString(), "--activations", ""), out, "--activations");
        assertEquals(List.of("m.tern"), files());
    }

    /** A file with an op this version does not know: refused by the reader, nothing written. */
    @Test
    void unknownOpIsRefused() throws Exception {
        Path in = dir.resolve("future.tern");
        Files.write(in, withFirstOpCode(TernWriter.toBytes(TestModels.allOps(7)), 999));
        Path out = dir.resolve("future.onnx");
        CliFixtureAccess.Result r = CliFixtureAccess.tern("export", "--onnx", in.toString(), "--out", out.toString());
        assertRefused(r, out, "999");
    }

    @Test
    void outIntoMissingFolderIsRefused() throws Exception {
        Path in = model(TestModels.allOps(7), "m.tern");
        Path out = dir.resolve("no/such/folder/m.onnx");
        CliFixtureAccess.Result r = CliFixtureAccess.tern("export", "--onnx", in.toString(), "--out", out.toString());
        assertRefused(r, out, "does not exist");
        assertFalse(Files.exists(dir.resolve("no")));
    }

    @Test
    void nonTernInputIsRefused() throws Exception {
        Path in = dir.resolve("model.onnx.tern");
        Files.write(in, "not a tern model\n".getBytes(StandardCharsets.UTF_8));
        Path out = dir.resolve("x.onnx");
        assertRefused(CliFixtureAccess.tern("export", "--onnx", in.toString(), "--out", out.toString()), out, in.toString());
        Path missing = dir.resolve("missing.tern");
        assertRefused(CliFixtureAccess.tern("export", missing.toString(), "--out", out.toString()), out, "missing.tern");
    }

    @Test
    void outThatIsTheInputOrAFolderIsRefused() throws Exception {
        Path in = model(TestModels.allOps(7), "m.tern");
        byte[] before = Files.readAllBytes(in);
        CliFixtureAccess.Result r = CliFixtureAccess.tern("export", in.toString(), "--out", in.toString());
        assertEquals(2, r.code(), r.err());
        assertArrayEquals(before, Files.readAllBytes(in));
        r = CliFixtureAccess.tern("export", in.toString(), "--out", dir.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("is a directory"), r.err());
        r = CliFixtureAccess.tern("export", in.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(List.of("m.tern"), files());
    }

    /** A failed export leaves an existing output as it was. */
    @Test
    void failureKeepsTheOldOutput() throws Exception {
        Path in = dir.resolve("bad.tern");
        Files.write(in, new byte[100]);
        Path out = dir.resolve("old.onnx");
        Files.write(out, new byte[] {1, 2, 3});
        CliFixtureAccess.Result r = CliFixtureAccess.tern("export", in.toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(out));
    }

    private void assertRefused(CliFixtureAccess.Result r, Path out, String mention) throws Exception {
        assertEquals(2, r.code(), r.out() + r.err());
        List<String> lines = r.err().lines().filter(l -> !l.isBlank()).collect(Collectors.toList());
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("tern: error: ") && lines.get(0).contains(mention), r.err());
        assertFalse(Files.exists(out), "nothing written");
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file");
        }
    }

    private List<String> files() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    /**
     * A copy of a .tern file image whose first node has op code {@code code}, with every
     * checksum fixed (docs/FORMAT.md: GRPH starts with the node count, then the first node's
     * name and its u16 op code).
     */
    static byte[] withFirstOpCode(byte[] file, int code) {
        byte[] f = file.clone();
        ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        int sections = b.getInt(24);
        int table = b.getInt(28);
        for (int i = 0; i < sections; i++) {
            int e = table + 32 * i;
            String id = new String(f, e, 4, StandardCharsets.US_ASCII);
            if (id.equals("GRPH")) {
                int off = (int) b.getLong(e + 8);
                int len = (int) b.getLong(e + 16);
                int nameLen = b.getInt(off + 4);
                b.putShort(off + 8 + nameLen, (short) code);
                b.putInt(e + 24, crc(f, off, len));
            }
        }
        b.putInt(56, crc(f, table, 32 * sections));
        b.putInt(60, crc(f, 0, 60));
        return f;
    }

    private static int crc(byte[] f, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(f, off, len);
        return (int) c.getValue();
    }
}
