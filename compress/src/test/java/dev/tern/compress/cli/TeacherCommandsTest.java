package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.compress.cli.CliFixture.Outcome;
import dev.tern.compress.data.FashionMnist;
import dev.tern.compress.data.MultiFashion;
import dev.tern.compress.eval.Metrics;
import dev.tern.runtime.Backend;
import dev.tern.runtime.Results;
import dev.tern.runtime.Session;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.format.TernWriter;
import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Padding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import static dev.tern.compress.cli.CliFixture.tern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tern train, import and eval: the metrics eval reports, and bad input to each (exit 2, one line). */
class TeacherCommandsTest {
    @TempDir
    Path dir;

    static Path data() {
        return Paths.get(System.getProperty("tern.repo", "..")).resolve(FashionMnist.REPO_DIR);
    }

    /** A Multi-Fashion-shaped model with seeded random weights: image [36,36,1] -> left, right, present. */
    static ModelDef randomTeacher(int side) {
        Random rnd = new Random(5);
        ModelBuilder b = new ModelBuilder("random-teacher")
                .input(new InputSpec("image", new int[] {-1, side, side, 1}, "NHWC", new float[] {0}, new float[] {255}));
        String x = b.conv2d("conv", "image", new int[] {4, 3, 3, 1}, ModelBuilder.random(rnd, 36, 0.5f), null, 2,
                Padding.SAME, Activation.RELU);
        x = b.flatten("flat", b.maxPool("pool", x, 3, 3, Padding.VALID));
        int in = (int) dev.tern.runtime.model.Tensor.elementCount(new int[] {(side / 2) / 3, (side / 2) / 3, 4});
        String[] classes = FashionMnist.classNames();
        for (String task : new String[] {"left", "right", "present"}) {
            String z = b.dense(task, x, 10, in, ModelBuilder.random(rnd, 10 * in, 0.3f), ModelBuilder.random(rnd, 10, 0.1f),
                    Activation.NONE);
            if (task.equals("present")) {
                b.multilabel(task, z, null, classes);
            } else {
                b.multiclass(task, z, classes);
            }
        }
        return b.build();
    }

    private static String rejected(String... args) {
        Outcome r = tern(args);
        assertEquals(2, r.code(), "exit code; stderr: " + r.err());
        assertEquals(1, r.errLines(), "stderr: " + r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        return r.err().strip();
    }

    @Test
    void evalReportsTheMetricsOfTheRuntimesPredictions() throws Exception {
        ModelDef def = randomTeacher(36);
        Path model = dir.resolve("teacher.tern");
        TernWriter.write(def, model);
        Outcome r = tern("eval", model.toString(), "--data", data().toString(), "--limit", "300", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(300, j.get("samples").asInt());
        assertEquals(Files.size(model), j.get("size_bytes").asLong());
        assertTrue(j.get("latency_us").get("p50").asDouble() > 0);
        assertTrue(j.get("latency_us").get("p99").asDouble() >= j.get("latency_us").get("p50").asDouble());
        for (String key : new String[] {"hamming_loss", "subset_accuracy", "micro_f1", "macro_f1", "map"}) {
            assertTrue(j.get("tasks").get("present").has(key), key);
        }
        // The reported accuracy is the accuracy of the runtime's own predictions.
        var test = new MultiFashion(FashionMnist.load(data())).test().subset(300);
        float[][] left = new float[300][];
        float[][] present = new float[300][];
        try (Session s = TernModel.of(def, Backend.SCALAR).newSession()) {
            float[] x = new float[MultiFashion.PIXELS];
            for (int i = 0; i < 300; i++) {
                test.fill(i, x, 0);
                Results res = s.run(x);
                left[i] = res.get("left").values(0);
                present[i] = res.get("present").values(0);
            }
        }
        assertEquals(Metrics.accuracy(left, test.left()), j.get("tasks").get("left").get("accuracy").asDouble(), 1e-12);
        boolean[][] truth = Metrics.multiHot(test.present());
        assertEquals(Metrics.microF1(truth, Metrics.predict(present, 0.5f)),
                j.get("tasks").get("present").get("micro_f1").asDouble(), 1e-12);
        // --reference with itself agrees everywhere.
        Outcome self = tern("eval", model.toString(), "--data", data().toString(), "--limit", "50", "--reference",
                model.toString(), "--json");
        assertEquals(1.0, new ObjectMapper().readTree(self.out()).get("tasks").get("left").get("agreement").asDouble());
    }

    /**
     * tern eval of an ONNX file runs it in ONNX Runtime: the teacher exported to ONNX scores as
     * the .tern does (agreement 1 on every task) and names its engine.
     */
    @Test
    void evalRunsAnOnnxModelInOnnxRuntime() throws Exception {
        Path model = dir.resolve("teacher.tern");
        TernWriter.write(randomTeacher(36), model);
        Path onnx = dir.resolve("teacher.onnx");
        assertEquals(0, tern("export", "--onnx", model.toString(), "--out", onnx.toString()).code());
        Outcome r = tern("eval", onnx.toString(), "--data", data().toString(), "--limit", "100", "--reference", model.toString(),
                "--json");
        assertEquals(0, r.code(), r.err());
        com.fasterxml.jackson.databind.JsonNode j = new ObjectMapper().readTree(r.out());
        assertTrue(j.get("engine").asText().startsWith("onnxruntime "), j.toString());
        for (String task : new String[] {"left", "right", "present"}) {
            assertEquals(1.0, j.get("tasks").get(task).get("agreement").asDouble(), task);
        }
    }

    @Test
    void evalRejectsBadInput() throws Exception {
        Path model = dir.resolve("teacher.tern");
        TernWriter.write(randomTeacher(36), model);
        assertTrue(rejected("eval", model.toString(), "--data", dir.resolve("nowhere").toString()).contains("nowhere"));
        assertTrue(rejected("eval", dir.resolve("none.tern").toString(), "--data", data().toString()).contains("none.tern"));
        // wrong input shape: a model made for 28x28 images
        Path small = dir.resolve("small.tern");
        TernWriter.write(randomTeacher(28), small);
        String shape = rejected("eval", small.toString(), "--data", data().toString(), "--limit", "5");
        assertTrue(shape.contains("[-1, 28, 28, 1] takes 784 per sample") && shape.contains("samples of 1296 values"), shape);
        // a task the data cannot score
        Path example = Paths.get(System.getProperty("tern.repo", "..")).resolve("models/examples/tiny-multitask.tern");
        assertTrue(rejected("eval", example.toString(), "--data", data().toString(), "--limit", "5").contains("'ink'"));
        // labels out of range
        Path badData = dir.resolve("bad-data");
        Files.createDirectories(badData);
        for (String f : new String[] {FashionMnist.TRAIN_IMAGES, FashionMnist.TEST_IMAGES, FashionMnist.TRAIN_LABELS}) {
            Files.copy(data().resolve(f + ".gz"), badData.resolve(f + ".gz"));
        }
        byte[] labels = new byte[10_000];
        labels[1234] = 11;
        Files.write(badData.resolve(FashionMnist.TEST_LABELS + ".gz"), gzip(idx1(labels)));
        String range = rejected("eval", model.toString(), "--data", badData.toString(), "--limit", "5");
        assertTrue(range.contains("11") && range.contains("1234"), range);
        assertTrue(rejected("eval", model.toString(), "--data", data().toString(), "--limit", "0").contains("--limit"));
    }

    @Test
    void importAndTrainRejectBadInput() throws Exception {
        assertTrue(rejected("import", dir.resolve("missing").toString(), "--out", dir.resolve("m.tern").toString())
                .contains("missing"));
        Path notSaved = Files.createDirectories(dir.resolve("not-a-savedmodel"));
        Files.writeString(notSaved.resolve("README"), "hello");
        assertTrue(rejected("import", notSaved.toString(), "--out", dir.resolve("m.tern").toString()).contains("saved_model.pb"));
        assertFalse(Files.exists(dir.resolve("m.tern")), "nothing written on failure");

        Path recipe = dir.resolve("r.json");
        Files.writeString(recipe, "{\"name\":\"x\",\"sharing\":\"hard\",\"trunk\":[\"conv3x3:4\"],\"epochz\":3}");
        assertTrue(rejected("train", "--recipe", recipe.toString(), "--out", dir.resolve("o").toString()).contains("epochz"));
        assertTrue(rejected("train", "--recipe", dir.resolve("none.json").toString(), "--out", dir.resolve("o").toString())
                .contains("none.json"));
        Files.writeString(recipe, "{\"name\":\"x\",\"sharing\":\"hard\",\"trunk\":[\"conv3x3:4\"]}");
        assertTrue(rejected("train", "--recipe", recipe.toString(), "--out", dir.resolve("o").toString(), "--data",
                dir.resolve("no-data").toString()).contains("no-data"));
        assertFalse(Files.exists(dir.resolve("o")));
    }

    static byte[] idx1(byte[] labels) {
        ByteBuffer b = ByteBuffer.allocate(8 + labels.length);
        b.putInt(0x00000801).putInt(labels.length).put(labels);
        return b.array();
    }

    static byte[] gzip(byte[] raw) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }
}
