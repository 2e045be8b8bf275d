package dev.tern.compress.families;

import dev.tern.compress.examples.SeededOnnx;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.compress.io.NpyArray;
import dev.tern.compress.io.NpyReader;
import dev.tern.compress.onnx.proto.Onnx.ModelProto;
import dev.tern.compress.onnx.proto.Onnx.NodeProto;
import dev.tern.compress.onnx.proto.Onnx.TensorProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The torchvision families of models/families (and the two-output MLP), filled by
 * {@link SeededOnnx} and run in ONNX Runtime, against the outputs PyTorch computed with the
 * same weights: max |ORT - PyTorch| <= 1e-4 x max(1, output scale), where the scale is the
 * largest |output| of the fixture. It proves that the Java fill reproduces PyTorch's weights
 * bit for bit (the CRC-32 of all filled values is the one the export script computed), that the exported
 * graphs compute what PyTorch computes, BatchNormalization in eval mode included (run
 * with and without ORT's graph optimizations, which fold it into the conv), and that the
 * batch dimension is dynamic. An ONNX importer's test compares against the same files.
 */
class FamiliesOnnxRuntimeTest {
    static final double TOL = 1e-4;
    static final ObjectMapper JSON = new ObjectMapper();
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    static final List<String> FAMILIES = List.of("efficientnet_b0", "mlp_two_heads", "mobilenet_v2",
            "mobilenet_v3_large", "mobilenet_v3_small", "resnet18", "shufflenet_v2_x1_0", "squeezenet1_1");

    static Path root() {
        try {
            return Paths.get(FamiliesOnnxRuntimeTest.class.getResource("/families").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<String> families() {
        return FAMILIES.stream();
    }

    @Test
    void everyFixtureFolderIsTested() throws IOException {
        try (Stream<Path> s = Files.list(root())) {
            assertEquals(FAMILIES, s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted()
                    .collect(Collectors.toList()));
        }
    }

    /** Values that export_families.py's _fill_reference (Python integers) gives. */
    @Test
    void fillMatchesPythonBitForBit() {
        assertEquals(0xbf800000, bits(SeededOnnx.value(0, 0, -1.0, 1.0)));
        assertEquals(0xbea5b7a8, bits(SeededOnnx.value(0, 1, -1.0, 1.0)));
        assertEquals(0x3f444150, bits(SeededOnnx.value(1, 0, -1.0, 1.0)));
        assertEquals(0x3d3ce068, bits(SeededOnnx.value(4000017, 12345, -0.0625, 0.0625)));
        assertEquals(0xbe8f5650, bits(SeededOnnx.value(6000000, 0, -0.331, 0.331)));
        assertEquals(0x3f46a01d, bits(SeededOnnx.value(123456789012L, 7, 0.5, 1.5)));
    }

    private static int bits(float f) {
        return Float.floatToRawIntBits(f);
    }

    @ParameterizedTest
    @MethodSource("families")
    void ortMatchesPyTorch(String family) throws Exception {
        Path dir = root().resolve(family);
        JsonNode manifest = JSON.readTree(dir.resolve("manifest.json").toFile());
        ModelProto stripped;
        try (var in = Files.newInputStream(dir.resolve("model.onnx"))) {
            stripped = ModelProto.parseFrom(in);
        }
        checkStripped(manifest, stripped);
        ModelProto filled = SeededOnnx.fill(stripped);
        assertEquals(manifest.get("fill").get("stripped_crc32").asLong(), crc32(stripped, filled),
                family + ": CRC-32 of the filled values (Python's fill, bit for bit)");
        byte[] model = filled.toByteArray();

        String inputName = manifest.get("input").get("name").asText();
        NpyArray input = NpyReader.read(dir.resolve(manifest.get("input").get("file").asText()));
        Map<String, NpyArray> expected = new TreeMap<>();
        for (JsonNode o : manifest.get("outputs")) {
            expected.put(o.get("name").asText(), NpyReader.read(dir.resolve(o.get("file").asText())));
        }
        double scale = 0;
        for (NpyArray e : expected.values()) {
            for (float v : e.values()) {
                scale = Math.max(scale, Math.abs(v));
            }
        }
        assertEquals(manifest.get("output_scale").asDouble(), scale, 1e-6 * scale, "output_scale of the manifest");
        double tol = TOL * Math.max(1, scale);

        int batch = input.shape()[0];
        assertTrue(batch >= 2, "a fixture has at least two samples");
        for (OrtSession.SessionOptions.OptLevel level : new OrtSession.SessionOptions.OptLevel[] {
                OrtSession.SessionOptions.OptLevel.NO_OPT, OrtSession.SessionOptions.OptLevel.ALL_OPT}) {
            try (OrtSession s = session(model, level)) {
                // the whole batch, then the first sample alone: the batch dimension is dynamic
                for (int n : new int[] {batch, 1}) {
                    Map<String, Out> got = run(s, inputName, input, n);
                    assertEquals(expected.keySet(), got.keySet(), family + ": output names");
                    for (Map.Entry<String, NpyArray> e : expected.entrySet()) {
                        NpyArray want = e.getValue();
                        int per = want.values().length / want.shape()[0];
                        float[] w = Arrays.copyOf(want.values(), per * n);
                        long[] wantShape = Arrays.stream(want.shape()).asLongStream().toArray();
                        wantShape[0] = n;
                        assertArrayEquals(wantShape, got.get(e.getKey()).shape(), family + ": shape of " + e.getKey());
                        float[] g = got.get(e.getKey()).values();
                        double max = 0;
                        for (int i = 0; i < w.length; i++) {
                            assertFalse(Float.isNaN(g[i]), family + ": NaN in " + e.getKey());
                            max = Math.max(max, Math.abs((double) g[i] - w[i]));
                        }
                        assertTrue(max <= tol, String.format("%s, %s, batch %d, %s: max |ORT - PyTorch| %.3g > %.3g",
                                family, level, n, e.getKey(), max, tol));
                    }
                }
            }
        }
    }

    /** The file is the graph only: big initializers stripped, its op histogram the manifest's. */
    private static void checkStripped(JsonNode manifest, ModelProto m) {
        int strippedCount = 0;
        for (TensorProto t : m.getGraph().getInitializerList()) {
            long n = 1;
            for (long d : t.getDimsList()) {
                n *= d;
            }
            if (SeededOnnx.isStripped(t)) {
                strippedCount++;
                assertTrue(t.getRawData().isEmpty() && t.getFloatDataCount() == 0, t.getName() + " has data and a recipe");
            } else {
                assertTrue(n <= 64, t.getName() + ": " + n + " values kept in the file");
            }
        }
        assertEquals(manifest.get("fill").get("stripped_initializers").asInt(), strippedCount, "stripped initializers");
        assertEquals(SeededOnnx.SCHEME, manifest.get("fill").get("scheme").asText());
        Map<String, Integer> ops = new TreeMap<>();
        for (NodeProto n : m.getGraph().getNodeList()) {
            ops.merge(n.getOpType(), 1, Integer::sum);
        }
        Map<String, Integer> want = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = manifest.get("ops").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            want.put(e.getKey(), e.getValue().asInt());
        }
        assertEquals(want, ops, "node op histogram");
        assertEquals(manifest.get("batch_norm_nodes").asInt(), ops.getOrDefault("BatchNormalization", 0));
        assertEquals(manifest.get("opset").asLong(), m.getOpsetImport(0).getVersion(), "opset");
    }

    /** CRC-32 of the filled data of the initializers stripped in {@code stripped}, in order. */
    private static long crc32(ModelProto stripped, ModelProto filled) {
        CRC32 crc = new CRC32();
        List<TensorProto> before = stripped.getGraph().getInitializerList();
        List<TensorProto> after = filled.getGraph().getInitializerList();
        assertEquals(before.size(), after.size());
        for (int i = 0; i < before.size(); i++) {
            if (SeededOnnx.isStripped(before.get(i))) {
                crc.update(after.get(i).getRawData().asReadOnlyByteBuffer());
            }
        }
        return crc.getValue();
    }

    private static OrtSession session(byte[] model, OrtSession.SessionOptions.OptLevel level) throws OrtException {
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setOptimizationLevel(level);
            so.setIntraOpNumThreads(1);
            so.setInterOpNumThreads(1);
            return ENV.createSession(model, so);
        }
    }

    /** ORT's outputs on the first {@code n} samples of {@code input}, by output name. */
    private static Map<String, Out> run(OrtSession s, String name, NpyArray input, int n) throws OrtException {
        long[] shape = Arrays.stream(input.shape()).asLongStream().toArray();
        int per = input.values().length / input.shape()[0];
        shape[0] = n;
        Map<String, Out> out = new TreeMap<>();
        try (OnnxTensor x = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(input.values(), 0, per * n), shape);
             OrtSession.Result r = s.run(Map.of(name, x))) {
            for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : r) {
                OnnxTensor t = (OnnxTensor) e.getValue();
                FloatBuffer fb = t.getFloatBuffer();
                float[] v = new float[fb.remaining()];
                fb.get(v);
                out.put(e.getKey(), new Out(t.getInfo().getShape(), v));
            }
        }
        return out;
    }

    /** An ORT output: its shape and values. */
    private record Out(long[] shape, float[] values) {
    }
}
