package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.compress.cli.CliFixture.Outcome;
import dev.tern.compress.io.InputFiles;
import dev.tern.compress.io.NpyArray;
import dev.tern.compress.io.NpyReader;
import dev.tern.compress.io.NpyWriter;
import dev.tern.runtime.Session;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.format.TernWriter;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelDef;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static dev.tern.compress.cli.CliFixture.SIDE;
import static dev.tern.compress.cli.CliFixture.tern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tern run} on a .npy holding a batch: each sample gets what it gets alone, in text, JSON and raw files. */
class RunCommandBatchTest {
    static final int N = 5;
    static final int SAMPLE = SIDE * SIDE;

    @TempDir
    Path dir;
    Path model;
    Path batch;

    @BeforeEach
    void setUp() throws Exception {
        model = dir.resolve("tiny.tern");
        TernWriter.write(CliFixture.model(), model);
        batch = dir.resolve("batch.npy");
        NpyWriter.write(batch, new int[] {N, SIDE, SIDE, 1}, samples(N));
    }

    /** {@code n} different normalized samples: the test image rotated by 7k pixels for sample k. */
    static float[] samples(int n) {
        float[] image = CliFixture.normalizedImage();
        float[] x = new float[n * SAMPLE];
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < SAMPLE; i++) {
                x[k * SAMPLE + i] = image[(i + 7 * k) % SAMPLE];
            }
        }
        return x;
    }

    /** Sample {@code k} of {@code x} alone, as a file of shape [1, ...sample] . */
    private Path alone(float[] x, int k, int[] sampleShape) throws Exception {
        int size = x.length / N;
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = 1;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        Path file = dir.resolve("alone-" + k + ".npy");
        NpyWriter.write(file, shape, Arrays.copyOfRange(x, k * size, (k + 1) * size));
        return file;
    }

    private static Outcome ok(String... args) {
        Outcome r = tern(args);
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        return r;
    }

    private static JsonNode json(String... args) throws Exception {
        return new ObjectMapper().readTree(ok(args).out());
    }

    @Test
    void jsonListsEverySampleWithWhatItGetsAlone() throws Exception {
        JsonNode j = json("run", model.toString(), "--input", batch.toString(), "--json", "--top", "2");
        assertEquals(N, j.get("batch").asInt());
        assertNull(j.get("tasks"), "a batch has its tasks per sample");
        JsonNode samples = j.get("samples");
        assertEquals(N, samples.size());
        float[] x = samples(N);
        List<JsonNode> distinct = new ArrayList<>();
        for (int k = 0; k < N; k++) {
            Path one = alone(x, k, new int[] {SIDE, SIDE, 1});
            JsonNode single = json("run", model.toString(), "--input", one.toString(), "--json", "--top", "2");
            assertNull(single.get("samples"), "one sample keeps the single-sample form");
            assertEquals(k, samples.get(k).get("sample").asInt());
            assertEquals(single.get("tasks"), samples.get(k).get("tasks"), "sample " + k);
            distinct.add(single.get("tasks"));
        }
        assertNotEquals(distinct.get(0), distinct.get(1), "the samples differ, so the order is checked");
    }

    @Test
    void textGivesEachSampleUnderItsNumber() throws Exception {
        String text = ok("run", model.toString(), "--input", batch.toString()).out();
        float[] x = samples(N);
        StringBuilder expected = new StringBuilder();
        for (int k = 0; k < N; k++) {
            String single = ok("run", model.toString(), "--input", alone(x, k, new int[] {SIDE, SIDE, 1}).toString()).out();
            assertFalse(single.startsWith("sample "), single);
            expected.append(k > 0 ? "\n" : "").append("sample ").append(k).append(":\n").append(single);
        }
        assertEquals(expected.toString(), text);
    }

    @Test
    void rawWritesEveryOutputOfEverySample() throws Exception {
        Path out = dir.resolve("raw/new");
        Outcome r = ok("run", model.toString(), "--input", batch.toString(), "--raw", "--out", out.toString());
        ModelDef def = CliFixture.model();
        String[][] expected = {{"left/logits", "left_logits.npy"}, {"present/logits", "present_logits.npy"},
            {"features", "features.npy"}};
        float[] x = samples(N);
        try (Session s = TernModel.load(model).newSession()) {
            for (String[] e : expected) {
                Path file = out.resolve(e[1]);
                int[] sample = def.shapeOf(e[0]);
                int[] shape = new int[sample.length + 1];
                shape[0] = N;
                System.arraycopy(sample, 0, shape, 1, sample.length);
                assertTrue(r.out().contains("wrote " + file + "  float32 " + Arrays.toString(shape)), r.out());
                NpyArray a = NpyReader.read(file);
                assertArrayEquals(shape, a.shape(), e[0]);
                int size = a.values().length / N;
                for (int k = 0; k < N; k++) {
                    s.run(Arrays.copyOfRange(x, k * SAMPLE, (k + 1) * SAMPLE));
                    assertArrayEquals(s.output(e[0], 0), Arrays.copyOfRange(a.values(), k * size, (k + 1) * size),
                            e[0] + " sample " + k);
                }
            }
        }
        // The same bytes as each sample's own --raw run, stacked.
        for (int k = 0; k < N; k++) {
            Path single = dir.resolve("single-" + k);
            ok("run", model.toString(), "--input", alone(x, k, new int[] {SIDE, SIDE, 1}).toString(), "--raw", "--out",
                    single.toString());
            float[] whole = NpyReader.read(out.resolve("features.npy")).values();
            float[] own = NpyReader.read(single.resolve("features.npy")).values();
            assertArrayEquals(own, Arrays.copyOfRange(whole, k * own.length, (k + 1) * own.length), "sample " + k);
        }
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(3, files.count(), "no temporary files left behind");
        }
        JsonNode j = json("run", model.toString(), "--input", batch.toString(), "--raw", "--out", out.toString(), "--json");
        assertEquals("[" + N + "," + SAMPLE * 4 + "]", j.get("outputs").get("features").get("shape").toString());
    }

    @Test
    void fileHeaderIsNpy10LittleEndianFloat32() throws Exception {
        Path out = dir.resolve("raw");
        ok("run", model.toString(), "--input", batch.toString(), "--raw", "--out", out.toString());
        byte[] b = Files.readAllBytes(out.resolve("left_logits.npy"));
        assertEquals(1, b[6], "major version");
        assertEquals(0, b[7], "minor version");
        String header = new String(b, 10, (b[8] & 0xff) | (b[9] & 0xff) << 8, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (5, 3), }"), header);
    }

    /** A model whose input has a fixed batch size runs a batch of any size, that many samples at a time. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7})
    void fixedBatchModelsRunAnyBatch(int fixed) throws Exception {
        Path fixedModel = dir.resolve("fixed.tern");
        TernWriter.write(CliFixture.model(fixed), fixedModel);
        JsonNode any = json("run", model.toString(), "--input", batch.toString(), "--json");
        JsonNode j = json("run", fixedModel.toString(), "--input", batch.toString(), "--json");
        assertEquals(any.get("samples"), j.get("samples"), "batch " + fixed);
        Path out = dir.resolve("raw-" + fixed);
        ok("run", fixedModel.toString(), "--input", batch.toString(), "--raw", "--out", out.toString());
        assertEquals(N, NpyReader.read(out.resolve("features.npy")).shape()[0]);
    }

    /** Every shipped model takes a batch, the example canvases stacked, and gives each canvas its own results. */
    @ParameterizedTest
    @ValueSource(strings = {"models/examples/tiny-multitask.tern", "models/multifashion/hard.tern",
        "models/multifashion/hard-int8.tern", "models/multifashion/soft.tern"})
    void shippedModelsRunABatch(String name) throws Exception {
        Path repo = Paths.get(System.getProperty("tern.repo", ".."));
        Path shipped = repo.resolve(name);
        InputSpec spec = TernModel.load(shipped).def().inputs().get(0);
        String[] canvases = {"test-0000-ankle-boot-shirt.png", "test-0001-pullover-dress.png",
            "test-0002-trouser-ankle-boot.png", "test-0003-trouser-trouser.png", "test-0004-shirt-coat.png"};
        float[] x = new float[N * spec.sampleSize()];
        for (int k = 0; k < N; k++) {
            float[] one = InputFiles.load(repo.resolve("models/examples").resolve(canvases[k]), spec);
            System.arraycopy(one, 0, x, k * one.length, one.length);
        }
        int[] shape = new int[spec.sampleShape().length + 1];
        shape[0] = N;
        System.arraycopy(spec.sampleShape(), 0, shape, 1, shape.length - 1);
        Path stacked = dir.resolve("canvases.npy");
        NpyWriter.write(stacked, shape, x);
        JsonNode j = json("run", shipped.toString(), "--input", stacked.toString(), "--json");
        Path out = dir.resolve("raw");
        ok("run", shipped.toString(), "--input", stacked.toString(), "--raw", "--out", out.toString());
        for (int k = 0; k < N; k++) {
            Path png = repo.resolve("models/examples").resolve(canvases[k]);
            JsonNode single = json("run", shipped.toString(), "--input", png.toString(), "--json");
            assertEquals(single.get("tasks"), j.get("samples").get(k).get("tasks"), name + " " + canvases[k]);
            Path one = dir.resolve("raw-" + k);
            ok("run", shipped.toString(), "--input", png.toString(), "--raw", "--out", one.toString());
            try (Stream<Path> files = Files.list(one)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    float[] own = NpyReader.read(f).values();
                    float[] all = NpyReader.read(out.resolve(f.getFileName())).values();
                    assertArrayEquals(own, Arrays.copyOfRange(all, k * own.length, (k + 1) * own.length), f + " " + k);
                }
            }
        }
    }

    // ---- bad input: exit 2, one line, nothing written ----

    /** Runs with --raw --out into a folder that does not exist; checks exit 2, one line, and that the folder stays absent. */
    private String rejectedWritingNothing(Path input) {
        Path out = dir.resolve("never");
        Outcome r = tern("run", model.toString(), "--input", input.toString(), "--raw", "--out", out.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.errLines(), r.err());
        assertEquals("", r.out());
        assertFalse(Files.exists(out), "nothing written");
        Outcome text = tern("run", model.toString(), "--input", input.toString());
        assertEquals(2, text.code(), text.err());
        assertEquals("", text.out());
        assertEquals(r.err(), text.err(), "the same check with and without --raw");
        return r.err().strip();
    }

    @Test
    void missingInput() {
        String line = rejectedWritingNothing(dir.resolve("nope.npy"));
        assertTrue(line.endsWith("nope.npy: no such file or directory"), line);
    }

    @Test
    void wrongSampleShapeNamesExpectedAndFound() throws Exception {
        Path npy = dir.resolve("wrong.npy");
        NpyWriter.write(npy, new int[] {N, SIDE, SIDE, 2}, new float[N * SAMPLE * 2]);
        String line = rejectedWritingNothing(npy);
        assertTrue(line.contains(npy + " holds float32[5, 8, 8, 2]; input 'image' expects [8, 8, 1] or [N, 8, 8, 1]"),
                line);
        NpyWriter.write(npy, new int[] {N, 1, SIDE, SIDE, 1}, new float[N * SAMPLE]);
        line = rejectedWritingNothing(npy);
        assertTrue(line.contains("holds float32[5, 1, 8, 8, 1]; input 'image' expects"), line);
    }

    @Test
    void emptyBatch() throws Exception {
        Path npy = dir.resolve("empty.npy");
        NpyWriter.write(npy, new int[] {0, SIDE, SIDE, 1}, new float[0]);
        String line = rejectedWritingNothing(npy);
        assertTrue(line.contains("a batch of 0 samples"), line);
    }

    @Test
    void nanOrInfinityNamesTheSample() throws Exception {
        for (float bad : new float[] {Float.NaN, Float.NEGATIVE_INFINITY}) {
            float[] x = samples(N);
            x[3 * SAMPLE + 7] = bad;
            Path npy = dir.resolve("bad.npy");
            NpyWriter.write(npy, new int[] {N, SIDE, SIDE, 1}, x);
            String line = rejectedWritingNothing(npy);
            assertTrue(line.contains("input 'image' holds " + bad + " at index 7 of sample 3"), line);
        }
    }

    @Test
    void overflowInALaterChunkNamesTheSampleOfTheBatch() throws Exception {
        // More samples than one session run takes: the failing sample is in the second chunk.
        int n = RunBatch.MAX_CHUNK + 10;
        int badSample = RunBatch.MAX_CHUNK + 5;
        float[] image = CliFixture.normalizedImage();
        float[] x = new float[n * SAMPLE];
        for (int k = 0; k < n; k++) {
            System.arraycopy(image, 0, x, k * SAMPLE, SAMPLE);
        }
        Arrays.fill(x, badSample * SAMPLE, (badSample + 1) * SAMPLE, 3e38f);
        Path npy = dir.resolve("huge.npy");
        NpyWriter.write(npy, new int[] {n, SIDE, SIDE, 1}, x);
        assertEquals(RunBatch.MAX_CHUNK, RunBatch.chunk(TernModel.load(model), n), "the tiny model runs in chunks");
        String line = rejectedWritingNothing(npy);
        assertTrue(line.contains("from finite inputs"), line);
        assertTrue(line.contains("sample " + badSample + ","), line);
    }

    @Test
    void outThatIsAFile() throws Exception {
        Path file = dir.resolve("taken");
        Files.writeString(file, "keep me");
        Outcome r = tern("run", model.toString(), "--input", batch.toString(), "--raw", "--out", file.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.errLines(), r.err());
        assertTrue(r.err().contains("--out " + file + " is a file"), r.err());
        assertEquals("keep me", Files.readString(file));
    }
}
