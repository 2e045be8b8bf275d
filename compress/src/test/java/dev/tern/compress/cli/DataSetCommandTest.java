package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.compress.cli.CliFixture.Outcome;
import dev.tern.compress.io.NpyDType;
import dev.tern.compress.io.NpzWriter;
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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import static dev.tern.compress.cli.CliFixture.SIDE;
import static dev.tern.compress.cli.CliFixture.tern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * User data sets (docs/DATA.md) through the CLI, on {@link CliFixture}'s two-head model (input
 * 8x8x1 normalized (v - 127.5) / 127.5; left: 3 classes tshirt, trouser, bag; present: 3 labels).
 */
class DataSetCommandTest {
    static final int N = 24;
    static final List<String> NAMES = List.of("tshirt", "trouser", "bag");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Path model;
    byte[][] pixels;
    long[] left;
    boolean[][] present;

    @BeforeEach
    void setUp() throws Exception {
        model = dir.resolve("tiny.tern");
        TernWriter.write(CliFixture.model(), model);
        Random r = new Random(7);
        pixels = new byte[N][SIDE * SIDE];
        left = new long[N];
        present = new boolean[N][3];
        for (int i = 0; i < N; i++) {
            r.nextBytes(pixels[i]);
            left[i] = r.nextInt(3);
            for (int c = 0; c < 3; c++) {
                present[i][c] = r.nextBoolean();
            }
        }
    }

    private Path npz(String name, Consumer<Object[]> change) throws IOException {
        Object[] a = {flatPixels(), left.clone(), presentBytes()};
        change.accept(a);
        Path f = dir.resolve(name);
        NpzWriter.write(f, w -> {
            w.bytes("x", NpyDType.UINT8, new long[] {N, SIDE, SIDE, 1}, (byte[]) a[0]);
            w.longs("left", new long[] {N}, (long[]) a[1]);
            w.bytes("present", NpyDType.UINT8, new long[] {N, 3}, (byte[]) a[2]);
        });
        return f;
    }

    private Path npz() throws IOException {
        return npz("d.npz", a -> { });
    }

    private byte[] flatPixels() {
        byte[] x = new byte[N * SIDE * SIDE];
        for (int i = 0; i < N; i++) {
            System.arraycopy(pixels[i], 0, x, i * SIDE * SIDE, SIDE * SIDE);
        }
        return x;
    }

    private byte[] presentBytes() {
        byte[] p = new byte[N * 3];
        for (int i = 0; i < N; i++) {
            for (int c = 0; c < 3; c++) {
                p[i * 3 + c] = (byte) (present[i][c] ? 1 : 0);
            }
        }
        return p;
    }

    /** An image folder of the same samples; {@code names}: class names, else ids; {@code extra} rows appended. */
    private Path images(String name, boolean names, String extra) throws IOException {
        Path d = dir.resolve(name);
        Files.createDirectories(d.resolve("img"));
        StringBuilder csv = new StringBuilder("file,present,left,note\n");
        for (int i = 0; i < N; i++) {
            BufferedImage img = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_BYTE_GRAY);
            img.getRaster().setDataElements(0, 0, SIDE, SIDE, pixels[i]);
            ImageIO.write(img, "png", d.resolve("img/" + i + ".png").toFile());
            StringBuilder p = new StringBuilder();
            for (int c = 0; c < 3; c++) {
                if (present[i][c]) {
                    p.append(p.length() > 0 ? "|" : "").append(names ? NAMES.get(c) : String.valueOf(c));
                }
            }
            csv.append("img/").append(i).append(".png,").append(p).append(',')
                    .append(names ? NAMES.get((int) left[i]) : String.valueOf(left[i])).append(",ignored\n");
        }
        csv.append(extra);
        Files.writeString(d.resolve("labels.csv"), csv);
        return d;
    }

    private static JsonNode evalTasks(String... args) throws IOException {
        Outcome r = tern(args);
        assertEquals(0, r.code(), r.err());
        return JSON.readTree(r.out()).get("tasks");
    }

    @Test
    void npzImagesAndFloatNpzGiveTheSameMetrics() throws Exception {
        JsonNode fromNpz = evalTasks("eval", model.toString(), "--data", npz().toString(), "--json");
        JsonNode fromNames = evalTasks("eval", model.toString(), "--data", images("named", true, "").toString(), "--json");
        JsonNode fromIds = evalTasks("eval", model.toString(), "--data", images("ids", false, "").toString(), "--json");
        float[] xf = new float[N * SIDE * SIDE];
        byte[] xb = flatPixels();
        for (int i = 0; i < xf.length; i++) {
            xf[i] = ((xb[i] & 0xff) - 127.5f) / 127.5f;
        }
        Path floats = dir.resolve("f.npz");
        NpzWriter.write(floats, w -> {
            w.floats("x", new long[] {N, SIDE, SIDE, 1}, xf);
            w.longs("left", new long[] {N}, left);
            w.bytes("present", NpyDType.BOOL, new long[] {N, 3}, presentBytes());
        });
        JsonNode fromFloats = evalTasks("eval", model.toString(), "--data", floats.toString(), "--json");
        assertEquals(fromNpz, fromNames);
        assertEquals(fromNpz, fromIds);
        assertEquals(fromNpz, fromFloats);
        assertEquals(List.of("left", "present"), List.copyOf(iterable(fromNpz.fieldNames())));
    }

    private static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    /** Labels equal to the model's own decisions score exactly 1; shifted ones exactly 0. */
    @Test
    void labelsThatAreTheModelsOwnDecisionsScorePerfectly() throws Exception {
        ModelDef def = CliFixture.model();
        TernModel m = TernModel.of(def);
        long[] own = new long[N];
        boolean[][] ownPresent = new boolean[N][3];
        try (Session s = m.newSession()) {
            for (int i = 0; i < N; i++) {
                float[] x = new float[SIDE * SIDE];
                for (int k = 0; k < x.length; k++) {
                    x[k] = ((pixels[i][k] & 0xff) - 127.5f) / 127.5f;
                }
                Results r = s.run(x, m.allTasks());
                float[] l = r.get("left").values(0);
                own[i] = l[0] >= l[1] && l[0] >= l[2] ? 0 : l[1] >= l[2] ? 1 : 2;
                for (int c = 0; c < 3; c++) {
                    ownPresent[i][c] = r.get("present").value(0, c) > def.tasks().get(1).threshold(c);
                }
            }
        }
        left = own;
        present = ownPresent;
        JsonNode t = evalTasks("eval", model.toString(), "--data", npz().toString(), "--json");
        assertEquals(1.0, t.get("left").get("accuracy").asDouble());
        assertEquals(0.0, t.get("present").get("hamming_loss").asDouble());
        assertEquals(1.0, t.get("present").get("subset_accuracy").asDouble());
        JsonNode recall = JSON.readTree(tern("eval", model.toString(), "--data", npz().toString(), "--json").out()).get("class_recall");
        for (int i = 0; i < N; i++) {
            left[i] = (own[i] + 1) % 3;
        }
        Path w = npz("w.npz", a -> { });
        JsonNode wrong = evalTasks("eval", model.toString(), "--data", w.toString(), "--json");
        assertEquals(0.0, wrong.get("left").get("accuracy").asDouble());
        // per class: every class the model's own labels use is recalled in full, and none when every label is off by one
        JsonNode wrongRecall = JSON.readTree(tern("eval", model.toString(), "--data", w.toString(), "--json").out()).get("class_recall");
        assertEquals(3, recall.get("left").size(), recall.toString());
        assertEquals(3, recall.get("present").size(), recall.toString());
        int measured = 0;
        for (String task : new String[] {"left", "present"}) {
            for (JsonNode v : recall.get(task)) {
                assertTrue(v.isNull() || v.asDouble() == 1.0, recall.toString());
                measured += v.isNull() ? 0 : 1;
            }
        }
        assertTrue(measured > 0, recall.toString());
        for (JsonNode v : wrongRecall.get("left")) {
            assertTrue(v.isNull() || v.asDouble() == 0.0, wrongRecall.toString());
        }
    }

    /** Runs a command that must fail on the data: exit 2, one line, which must name {@code parts}. */
    private static String rejected(String[] args, String... parts) {
        Outcome r = tern(args);
        assertEquals(2, r.code(), "exit code; stdout: " + r.out() + " stderr: " + r.err());
        assertEquals(1, r.errLines(), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        String line = r.err().strip();
        for (String p : parts) {
            assertTrue(line.contains(p), "'" + p + "' missing from: " + line);
        }
        return line;
    }

    private String[] eval(Path data) {
        return new String[] {"eval", model.toString(), "--data", data.toString()};
    }

    @Test
    void badNpzDataSetsAreNamedByFileRowAndColumn() throws Exception {
        rejected(eval(npz("range.npz", a -> ((long[]) a[1])[5] = 3)), "range.npz member left.npy: row 5 holds 3",
                "expected a class id in [0, 2]");
        rejected(eval(npz("hot.npz", a -> ((byte[]) a[2])[4 * 3 + 1] = 2)), "hot.npz member present.npy: row 4, column 1 holds 2",
                "expected 0 or 1");
        Path missing = dir.resolve("nolabels.npz");
        NpzWriter.write(missing, w -> {
            w.bytes("x", NpyDType.UINT8, new long[] {N, SIDE, SIDE, 1}, flatPixels());
            w.longs("left", new long[] {N}, left);
        });
        rejected(eval(missing), "nolabels.npz: no labels for task 'present'", "present.npy (24, 3) of 0/1");
        Path shape = dir.resolve("shape.npz");
        NpzWriter.write(shape, w -> w.bytes("x", NpyDType.UINT8, new long[] {N, SIDE, SIDE - 1, 1}, new byte[N * SIDE * (SIDE - 1)]));
        rejected(eval(shape), "shape.npz member x.npy: uint8 (24, 8, 7, 1) does not fit input 'image' [8, 8, 1]");
        Path nan = dir.resolve("nan.npz");
        float[] xf = new float[N * SIDE * SIDE];
        xf[2 * SIDE * SIDE + 9] = Float.NaN;
        NpzWriter.write(nan, w -> {
            w.floats("x", new long[] {N, SIDE, SIDE, 1}, xf);
            w.longs("left", new long[] {N}, left);
            w.bytes("present", NpyDType.UINT8, new long[] {N, 3}, presentBytes());
        });
        rejected(eval(nan), "nan.npz member x.npy: row 2 holds NaN at element 9");
        Path dtype = dir.resolve("dtype.npz");
        NpzWriter.write(dtype, w -> w.longs("x", new long[] {N, SIDE, SIDE, 1}, new long[N * SIDE * SIDE]));
        rejected(eval(dtype), "dtype.npz member x.npy: int64 (24, 8, 8, 1); expected float32", "or uint8");
        Path rows = dir.resolve("rows.npz");
        NpzWriter.write(rows, w -> {
            w.bytes("x", NpyDType.UINT8, new long[] {N, SIDE, SIDE, 1}, flatPixels());
            w.longs("left", new long[] {N - 1}, new long[N - 1]);
        });
        rejected(eval(rows), "rows.npz member left.npy: int64 (23,) has 23 rows, x has 24");
        rejected(eval(dir.resolve("nope.npz")), "nope.npz");
        Path folder = dir.resolve("folder");
        Files.createDirectories(folder);
        Files.copy(npz(), folder.resolve("train.npz"));
        rejected(eval(folder), "folder: no test.npz");
    }

    @Test
    void badImageFoldersAreNamedByLineAndColumn() throws Exception {
        String csv = "labels.csv line ";
        rejected(eval(images("dup", true, "img/3.png,bag,bag,x\n")), csv + "26: file img/3.png is listed again (first on line 5)");
        rejected(eval(images("unknown", true, "img/x.png,bag,dog,x\n")), csv + "26, column file:", "x.png: no such file");
        Path d = images("badclass", true, "");
        Files.copy(d.resolve("img/0.png"), d.resolve("img/extra.png"));
        Files.writeString(d.resolve("labels.csv"), Files.readString(d.resolve("labels.csv")) + "img/extra.png,bag,dog,x\n");
        rejected(eval(d), csv + "26, column left: 'dog' is not a class of task 'left' (tshirt, trouser, bag) nor an id in [0, 2]");
        Path ids = images("badid", false, "");
        Files.writeString(ids.resolve("labels.csv"), Files.readString(ids.resolve("labels.csv")).replaceFirst("\nimg/0.png,([^,]*),\\d,", "\nimg/0.png,$1,7,"));
        rejected(eval(ids), csv + "2, column left: id 7 is outside [0, 2]");
        Path big = images("big", true, "");
        ImageIO.write(new BufferedImage(SIDE + 1, SIDE, BufferedImage.TYPE_BYTE_GRAY), "png", big.resolve("img/1.png").toFile());
        rejected(eval(big), csv + "3: ", "1.png is 9x8 (width x height); input 'image' expects 8x8");
        Path nocol = images("nocol", true, "");
        Files.writeString(nocol.resolve("labels.csv"), Files.readString(nocol.resolve("labels.csv")).replaceFirst("present", "presence"));
        rejected(eval(nocol), "labels.csv: no column for task 'present' (multilabel)");
        Path split = images("split", true, "");
        Files.writeString(split.resolve("labels.csv"), "file,present,left,split\nimg/0.png,bag,bag,tests\n");
        rejected(eval(split), csv + "2, column split: 'tests', expected train, val or test");
    }

    /** The shipped teacher scores exactly the same on the built-in canvases and on the same canvases as an .npz. */
    @Test
    void teacherOnMultiFashionAsNpzEqualsTheBuiltInEvaluation() throws Exception {
        Path repo = Paths.get(System.getProperty("tern.repo", ".."));
        Path teacher = repo.resolve("models/multifashion/hard.tern");
        Path data = repo.resolve("models/data/fashion-mnist");
        Path f = dir.resolve("mf.npz");
        Outcome w = tern("data", "multifashion", "--data", data.toString(), "--limit", "300", "--npz", f.toString());
        assertEquals(0, w.code(), w.err());
        JsonNode builtIn = evalTasks("eval", teacher.toString(), "--data", data.toString(), "--limit", "300", "--json");
        JsonNode npz = evalTasks("eval", teacher.toString(), "--data", f.toString(), "--json");
        assertEquals(builtIn, npz);
        // the same 300 canvases as an image folder of PNGs with labels.csv (class names)
        Path images = dir.resolve("mf-images");
        Outcome wi = tern("data", "multifashion", "--data", data.toString(), "--limit", "300", "--images", images.toString());
        assertEquals(0, wi.code(), wi.err());
        try (var pngs = Files.list(images.resolve("images"))) {
            assertEquals(300, pngs.filter(p -> p.toString().endsWith(".png")).count());
        }
        assertEquals(builtIn, evalTasks("eval", teacher.toString(), "--data", images.toString(), "--json"));
        // a data set folder: eval reads its test.npz (the same 300 test canvases)
        Path folder = dir.resolve("mf-folder");
        Outcome wf = tern("data", "multifashion", "--data", data.toString(), "--limit", "300", "--folder", folder.toString());
        assertEquals(0, wf.code(), wf.err());
        assertEquals(builtIn, evalTasks("eval", teacher.toString(), "--data", folder.toString(), "--json"));
        Outcome check = tern("data", "check", f.toString(), "--model", teacher.toString(), "--json");
        assertEquals(0, check.code(), check.err());
        JsonNode c = JSON.readTree(check.out());
        assertEquals(300, c.get("samples").asInt());
        assertTrue(c.get("checksum").asText().matches("sha256:[0-9a-f]{64}"), c.toString());
    }

    @Test
    void quantizeCalibratesOnAnNpzAndRecordsItsChecksum() throws Exception {
        Path data = npz();
        Path out = dir.resolve("q.tern");
        Outcome r = tern("quantize", model.toString(), "--data", data.toString(), "--calib-samples", "16", "--out", out.toString(),
                "--json", "--quiet");
        assertEquals(0, r.code(), r.err());
        assertEquals(16, JSON.readTree(r.out()).get("calibration_samples").asInt());
        Outcome info = tern("info", out.toString(), "--json");
        String sha = dev.tern.compress.data.DataSets.sha256(List.of(data));
        assertTrue(info.out().contains("sha256:" + sha), info.out());
        Path out2 = dir.resolve("q2.tern");
        rejected(new String[] {"quantize", model.toString(), "--data", data.toString(), "--calib-samples", "16", "--val-samples", "16",
            "--report", "--out", out2.toString()}, "--calib-samples + --val-samples: expected at most 24");
        assertFalse(Files.exists(out2));
    }

    /**
     * Fine-tuning on a user .npz: a single file is split 80/10/10 (recorded in the provenance with
     * the file's checksum), and the loss falls while the model fits labels it did not predict.
     */
    @Test
    void finetuneAndPruneTrainOnASingleNpz() throws Exception {
        Path data = npz();
        Path tuned = dir.resolve("tuned.tern");
        Outcome f = tern("finetune", model.toString(), "--data", data.toString(), "--epochs", "12", "--samples", "16", "--batch", "8",
                "--lr", "0.01", "--json", "--out", tuned.toString());
        assertEquals(0, f.code(), f.err());
        JsonNode loss = JSON.readTree(f.out()).get("epoch_loss");
        assertEquals(12, loss.size());
        assertTrue(loss.get(11).asDouble() < 0.7 * loss.get(0).asDouble(), "loss per epoch " + loss);
        String info = tern("info", tuned.toString()).out();
        assertTrue(info.contains("train part of the 80/10/10 split"), info);
        String infoJson = tern("info", tuned.toString(), "--json").out();
        assertTrue(infoJson.contains("sha256:" + dev.tern.compress.data.DataSets.sha256(List.of(data))), infoJson);

        Path pruned = dir.resolve("pruned.tern");
        Outcome p = tern("prune", model.toString(), "--data", data.toString(), "--sparsity", "0.8", "--epochs", "2", "--samples", "16",
                "--batch", "8", "--eval-samples", "100", "--json", "--quiet", "--out", pruned.toString());
        assertEquals(0, p.code(), p.err());
        JsonNode j = JSON.readTree(p.out());
        assertEquals(0.8, j.get("pruned_layer_sparsity").asDouble(), 0.01);
        assertTrue(j.toString().contains("\"left\""), j.toString());
    }

    @Test
    void trainingRefusesADataSetWithoutATasksLabelsBeforeAnyWork() throws Exception {
        Path missing = dir.resolve("nolabels.npz");
        NpzWriter.write(missing, w -> {
            w.bytes("x", NpyDType.UINT8, new long[] {N, SIDE, SIDE, 1}, flatPixels());
            w.longs("left", new long[] {N}, left);
        });
        Path out = dir.resolve("t.tern");
        rejected(new String[] {"finetune", model.toString(), "--data", missing.toString(), "--out", out.toString()},
                "nolabels.npz: no labels for task 'present'");
        assertFalse(Files.exists(out));
    }

    /** A recipe whose data is a user .npz: prune, quantize and evaluate stages, and a report that names the data. */
    @Test
    void compressRecipeRunsOnAUserNpz() throws Exception {
        Path data = npz();
        Path recipe = dir.resolve("recipe.json");
        Files.writeString(recipe, "{\"name\": \"user-data\", \"teacher\": \"tiny.tern\", \"data\": \"d.npz\", "
                + "\"eval_samples\": 100, \"latency_runs\": 30, \"latency_warmup\": 10, \"quick\": true, \"variants\": ["
                + "{\"name\": \"sparse\", \"stages\": [{\"stage\": \"prune\", \"sparsity\": 0.5, \"epochs\": 1, "
                + "\"samples\": 16, \"batch\": 8}]},"
                + "{\"name\": \"int8\", \"stages\": [{\"stage\": \"quantize\", \"calib_samples\": 8}, {\"stage\": \"evaluate\"}]}]}");
        Path out = dir.resolve("out");
        Outcome r = tern("compress", "--recipe", recipe.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        String md = Files.readString(out.resolve("report.md"));
        String sha = dev.tern.compress.data.DataSets.sha256(List.of(data));
        assertTrue(md.contains("test samples of " + data) && md.contains("sha256:" + sha), md);
        assertTrue(md.contains("test part of the 80/10/10 split"), md);
        JsonNode log = JSON.readTree(out.resolve("logs/int8/1-quantize.json").toFile());
        assertEquals(List.of("left", "present"), iterable(log.get("tasks").fieldNames()));
        // a distill stage on a data set derives its student from the teacher; an edge student is refused before any work
        Files.writeString(recipe, Files.readString(recipe).replace("{\"stage\": \"evaluate\"}",
                "{\"stage\": \"evaluate\"}]}, {\"name\": \"student\", \"stages\": [{\"stage\": \"distill\", \"width\": 0.5, "
                        + "\"epochs\": 1, \"train_samples\": 16, \"batch_size\": 8}"));
        Outcome d = tern("compress", "--recipe", recipe.toString(), "--out", dir.resolve("out2").toString());
        assertEquals(0, d.code(), d.err());
        JsonNode step = JSON.readTree(dir.resolve("out2/logs/student/1-distill.json").toFile());
        assertTrue(step.toString().contains("derived from tiny.tern at width 0.5"), step.toString());
        Files.writeString(recipe, Files.readString(recipe).replace("\"width\": 0.5,", "\"width\": 0.5, \"architecture\": \"edge\","));
        rejected(new String[] {"compress", "--recipe", recipe.toString(), "--out", dir.resolve("out3").toString()},
                "(student): an edge student (architecture edge, or a student recipe) learns Multi-Fashion from the built-in data");
        assertFalse(Files.exists(dir.resolve("out3")));
    }

    /**
     * Per-task loss weights: doubling every task's weight doubles the loss (Adam's steps do not
     * depend on the loss scale, so the trajectory is the same), and bad weights are refused.
     */
    @Test
    void taskWeightsScaleTheLossAndAreChecked() throws Exception {
        Path data = npz();
        String[] base = {"finetune", model.toString(), "--data", data.toString(), "--epochs", "2", "--samples", "16", "--batch", "8",
            "--lr", "0.01", "--json"};
        Outcome plain = tern(concat(base, "--out", dir.resolve("a.tern").toString()));
        Outcome doubled = tern(concat(base, "--task-weights", "left=2,present=2", "--out", dir.resolve("b.tern").toString()));
        assertEquals(0, plain.code(), plain.err());
        assertEquals(0, doubled.code(), doubled.err());
        JsonNode a = JSON.readTree(plain.out()).get("epoch_loss");
        JsonNode b = JSON.readTree(doubled.out()).get("epoch_loss");
        for (int e = 0; e < 2; e++) {
            assertEquals(2 * a.get(e).asDouble(), b.get(e).asDouble(), 0.01 * b.get(e).asDouble(), "epoch " + e + ": " + a + " vs " + b);
        }
        Path out = dir.resolve("c.tern");
        rejected(concat(base, "--task-weights", "left=-1", "--out", out.toString()), "--task-weights: expected TASK=W with W a number > 0, found 'left=-1'");
        rejected(concat(base, "--task-weights", "right=1", "--out", out.toString()), "task_weights names task 'right'; tiny-two-head has left, present");
        assertFalse(Files.exists(out));
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
