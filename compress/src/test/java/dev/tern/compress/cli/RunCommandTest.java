package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.compress.cli.CliFixture.Outcome;
import dev.tern.compress.io.NpyArray;
import dev.tern.compress.io.NpyReader;
import dev.tern.compress.io.NpyWriter;
import dev.tern.runtime.MulticlassResult;
import dev.tern.runtime.MultilabelResult;
import dev.tern.runtime.Results;
import dev.tern.runtime.Session;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.format.TernWriter;
import dev.tern.runtime.model.ModelDef;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.tern.compress.cli.CliFixture.SIDE;
import static dev.tern.compress.cli.CliFixture.pixel;
import static dev.tern.compress.cli.CliFixture.tern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunCommandTest {
    @TempDir
    Path dir;
    Path model;
    ModelDef def;
    /** Task probabilities from running the session directly on the test image. */
    float[] left;
    float[] present;

    @BeforeEach
    void setUp() throws Exception {
        def = CliFixture.model();
        model = dir.resolve("tiny.tern");
        TernWriter.write(def, model);
        try (Session s = TernModel.load(model).newSession()) {
            Results r = s.run(CliFixture.normalizedImage());
            left = r.multiclass("left").values(0);
            present = r.multilabel("present").values(0);
        }
    }

    private JsonNode runJson(Path input, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", model.toString(), "--input", input.toString(), "--json"));
        args.addAll(List.of(extra));
        Outcome r = tern(args.toArray(new String[0]));
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        return new ObjectMapper().readTree(r.out());
    }

    private void assertSameAsSession(JsonNode j) {
        JsonNode l = j.get("tasks").get("left");
        assertEquals("multiclass", l.get("kind").asText());
        for (int c = 0; c < 3; c++) {
            assertEquals(left[c], (float) l.get("probabilities").get(c).asDouble(), "left class " + c);
        }
        int argmax = 0;
        for (int c = 1; c < 3; c++) {
            argmax = left[c] > left[argmax] ? c : argmax;
        }
        assertEquals(argmax, l.get("top").get(0).get("index").asInt());
        assertEquals(List.of("tshirt", "trouser", "bag").get(argmax), l.get("top").get(0).get("label").asText());
        JsonNode p = j.get("tasks").get("present");
        assertEquals("multilabel", p.get("kind").asText());
        String[] labels = {"tshirt", "trouser", "bag"};
        float[] thresholds = {0.5f, 0.4f, 0.6f};
        List<String> expectedPresent = new ArrayList<>();
        for (int l2 = 0; l2 < 3; l2++) {
            assertEquals(present[l2], (float) p.get("probabilities").get(labels[l2]).asDouble(), labels[l2]);
            if (present[l2] > thresholds[l2]) {
                expectedPresent.add(labels[l2]);
            }
        }
        List<String> actualPresent = new ArrayList<>();
        p.get("present").forEach(n -> actualPresent.add(n.asText()));
        assertEquals(expectedPresent, actualPresent);
    }

    @Test
    void npyInputGivesTheSessionsPrediction() throws Exception {
        Path npy = dir.resolve("image.npy");
        NpyWriter.write(npy, new int[] {1, SIDE, SIDE, 1}, CliFixture.normalizedImage());
        JsonNode j = runJson(npy);
        assertSameAsSession(j);
        assertEquals(model.toString(), j.get("model").asText());
        assertEquals(npy.toString(), j.get("input").asText());
        // without the batch dimension too
        NpyWriter.write(npy, new int[] {SIDE, SIDE, 1}, CliFixture.normalizedImage());
        assertSameAsSession(runJson(npy));
    }

    @Test
    void uint8NpyIsNormalizedLikeAnImage() throws Exception {
        StringBuilder header = new StringBuilder("{'descr': '|u1', 'fortran_order': False, 'shape': (8, 8, 1), }");
        while ((10 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length(), 0});
        b.write(header.toString().getBytes(StandardCharsets.ISO_8859_1));
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                b.write(pixel(y, x));
            }
        }
        Path npy = dir.resolve("pixels.npy");
        Files.write(npy, b.toByteArray());
        assertSameAsSession(runJson(npy));
    }

    @Test
    void pngInputGivesTheSessionsPrediction() throws Exception {
        BufferedImage img = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                img.getRaster().setSample(x, y, 0, pixel(y, x));
            }
        }
        Path png = dir.resolve("image.png");
        assertTrue(ImageIO.write(img, "png", png.toFile()));
        assertSameAsSession(runJson(png));
    }

    @Test
    void pgmInputsGiveTheSessionsPrediction() throws Exception {
        ByteArrayOutputStream p5 = new ByteArrayOutputStream();
        p5.write(("P5\n# test image\n" + SIDE + " " + SIDE + "\n255\n").getBytes(StandardCharsets.US_ASCII));
        StringBuilder p2 = new StringBuilder("P2\n" + SIDE + " " + SIDE + "\n255\n");
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                p5.write(pixel(y, x));
                p2.append(pixel(y, x)).append(x == SIDE - 1 ? "\n" : " ");
            }
        }
        Path binary = dir.resolve("image.pgm");
        Files.write(binary, p5.toByteArray());
        assertSameAsSession(runJson(binary));
        Path plain = dir.resolve("plain.pgm");
        Files.writeString(plain, p2.toString(), StandardCharsets.US_ASCII);
        assertSameAsSession(runJson(plain));
    }

    @Test
    void jsonHonoursTop() throws Exception {
        // --top was ignored with --json: the top list always held every class.
        Path npy = dir.resolve("image.npy");
        NpyWriter.write(npy, new int[] {1, SIDE, SIDE, 1}, CliFixture.normalizedImage());
        JsonNode one = runJson(npy, "--top", "1").get("tasks").get("left");
        assertEquals(1, one.get("top").size(), one.toString());
        assertEquals(3, one.get("probabilities").size(), "probabilities keep every class");
        JsonNode two = runJson(npy, "--top", "2").get("tasks").get("left");
        assertEquals(2, two.get("top").size(), two.toString());
        assertTrue(two.get("top").get(0).get("probability").asDouble() >= two.get("top").get(1).get("probability").asDouble());
        JsonNode many = runJson(npy, "--top", "50").get("tasks").get("left");
        assertEquals(3, many.get("top").size(), "at most the classes there are");
    }

    @Test
    void taskOptionComputesOnlyThatTask() throws Exception {
        Path npy = dir.resolve("image.npy");
        NpyWriter.write(npy, new int[] {1, SIDE, SIDE, 1}, CliFixture.normalizedImage());
        JsonNode j = runJson(npy, "--task", "left");
        List<String> tasks = new ArrayList<>();
        j.get("tasks").fieldNames().forEachRemaining(tasks::add);
        assertEquals(List.of("left"), tasks);
        assertEquals(left[0], (float) j.get("tasks").get("left").get("probabilities").get(0).asDouble());

        Outcome text = tern("run", model.toString(), "-i", npy.toString(), "-t", "present");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().startsWith("present (multilabel): "), text.out());
        assertFalse(text.out().contains("left"), text.out());
    }

    @Test
    void textShowsTopClassesAndLabels() throws Exception {
        Path npy = dir.resolve("image.npy");
        NpyWriter.write(npy, new int[] {1, SIDE, SIDE, 1}, CliFixture.normalizedImage());
        Outcome r = tern("run", model.toString(), "--input", npy.toString(), "--top", "2");
        assertEquals(0, r.code(), r.err());
        MulticlassResult mc;
        try (Session s = TernModel.load(model).newSession()) {
            Results res = s.run(CliFixture.normalizedImage());
            mc = res.multiclass("left");
            assertTrue(r.out().startsWith("left (multiclass): " + mc.label(0) + "\n  1. "), r.out());
            assertEquals(2, r.out().lines().filter(l -> l.matches("  \\d\\. .*")).count(), r.out());
            MultilabelResult ml = res.multilabel("present");
            String present = ml.presentLabels(0).isEmpty() ? "(none present)" : String.join(", ", ml.presentLabels(0));
            assertTrue(r.out().contains("present (multilabel): " + present + "\n"), r.out());
        }
    }

    @Test
    void rawWritesEveryGraphOutput() throws Exception {
        Path npy = dir.resolve("image.npy");
        NpyWriter.write(npy, new int[] {1, SIDE, SIDE, 1}, CliFixture.normalizedImage());
        Path out = dir.resolve("raw/nested");
        Outcome r = tern("run", model.toString(), "--input", npy.toString(), "--raw", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(3, r.out().lines().count(), r.out());
        try (Session s = TernModel.load(model).newSession()) {
            s.run(CliFixture.normalizedImage());
            String[][] expected = {{"left/logits", "left_logits.npy"}, {"present/logits", "present_logits.npy"},
                {"features", "features.npy"}};
            for (String[] e : expected) {
                Path file = out.resolve(e[1]);
                assertTrue(r.out().contains("wrote " + file), r.out());
                NpyArray a = NpyReader.read(file);
                int[] sample = def.shapeOf(e[0]);
                int[] shape = new int[sample.length + 1];
                shape[0] = 1;
                System.arraycopy(sample, 0, shape, 1, sample.length);
                assertArrayEquals(shape, a.shape(), e[0]);
                assertArrayEquals(s.output(e[0], 0), a.values(), e[0]);
            }
        }
        try (var files = Files.list(out)) {
            assertEquals(3, files.count(), "no temporary files left behind");
        }
    }

    @Test
    void rawJsonListsTheFiles() throws Exception {
        Path npy = dir.resolve("image.npy");
        NpyWriter.write(npy, new int[] {1, SIDE, SIDE, 1}, CliFixture.normalizedImage());
        Path out = dir.resolve("raw");
        JsonNode j = runJson(npy, "--raw", "--out", out.toString());
        JsonNode f = j.get("outputs").get("features");
        assertEquals(out.resolve("features.npy").toString(), f.get("file").asText());
        assertEquals("[1," + SIDE * SIDE * 4 + "]", f.get("shape").toString());
    }

    @Test
    void rawNeedsOutAndExcludesTask() throws Exception {
        Path npy = dir.resolve("image.npy");
        NpyWriter.write(npy, new int[] {1, SIDE, SIDE, 1}, CliFixture.normalizedImage());
        Outcome noOut = tern("run", model.toString(), "--input", npy.toString(), "--raw");
        assertEquals(2, noOut.code());
        assertTrue(noOut.err().contains("--out"), noOut.err());
        Outcome withTask = tern("run", model.toString(), "--input", npy.toString(), "--raw", "--out",
                dir.resolve("o").toString(), "--task", "left");
        assertEquals(2, withTask.code());
        assertTrue(withTask.err().contains("drop --task"), withTask.err());
    }

    @Test
    void fileNamesAreSanitized() {
        assertEquals("left_logits", RunReport.fileName("left/logits"));
        assertEquals("_.", RunReport.fileName(".."));
        assertEquals("a_b_c-d.e", RunReport.fileName("a\\b:c-d.e"));
    }
}
