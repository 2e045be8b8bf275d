package dev.tern.compress.tf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TFloat32;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SavedModels the importer must refuse, each with a message that says what was expected and what was found. */
class BadSavedModelTest {
    @TempDir
    Path tmp;

    private static ImportException fails(Path dir, ImportOptions opts) {
        return assertThrows(ImportException.class, () -> SavedModelImporter.importModel(dir, opts));
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "expected '" + p + "' in: " + message);
        }
    }

    /** A small valid model: dense + softmax on [-1, 4]. */
    private Path small(String name) {
        Path sm = tmp.resolve(name);
        try (TfGraph g = new TfGraph(21)) {
            Placeholder<TFloat32> x = g.input("x", -1, 4);
            g.export(sm, "x", x, Map.of("probs", g.tf.nn.softmax(g.dense(x, 4, 3))));
        }
        return sm;
    }

    @Test
    void missingFolder() {
        ImportException e = fails(tmp.resolve("nope"), ImportOptions.defaults());
        assertContains(e.getMessage(), "expected a SavedModel folder", "nope", "found nothing");
    }

    @Test
    void fileInsteadOfFolder() throws IOException {
        Path f = Files.writeString(tmp.resolve("model.pb"), "x");
        assertContains(fails(f, ImportOptions.defaults()).getMessage(), "found a file");
    }

    @Test
    void folderWithoutSavedModelPb() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("not-a-model"));
        Files.writeString(dir.resolve("weights.h5"), "x");
        Files.createDirectories(dir.resolve("variables"));
        ImportException e = fails(dir, ImportOptions.defaults());
        assertContains(e.getMessage(), "expected saved_model.pb", "[variables/, weights.h5]");
        ImportException empty = fails(Files.createDirectories(tmp.resolve("empty")), ImportOptions.defaults());
        assertContains(empty.getMessage(), "an empty folder");
        assertThrows(ImportException.class, () -> SavedModelRunner.open(dir));
    }

    @Test
    void corruptSavedModelPb() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("corrupt"));
        Files.write(dir.resolve("saved_model.pb"), "not a protobuf".getBytes(StandardCharsets.UTF_8));
        ImportException e = fails(dir, ImportOptions.defaults());
        assertContains(e.getMessage(), "cannot load SavedModel", "corrupt");
    }

    @Test
    void wrongSignatureAndTag() {
        Path sm = small("small");
        ImportException e = fails(sm, ImportOptions.defaults().withSignature("predict"));
        assertContains(e.getMessage(), "signature 'predict' not found", "[serving_default]");
        ImportException t = fails(sm, ImportOptions.defaults().withTags("train"));
        assertContains(t.getMessage(), "with tags [train]", "[serve]");
    }

    @Test
    void everyUnsupportedOpIsNamedOnce() {
        Path sm = tmp.resolve("unsupported");
        try (TfGraph g = new TfGraph(22)) {
            Placeholder<TFloat32> x = g.input("x", -1, 4);
            Operand<TFloat32> a = g.tf.withSubScope("dense1").withName("Tanh").math.tanh(g.dense(x, 4, 4));
            Operand<TFloat32> b = g.tf.withSubScope("act").withName("Elu").nn.elu(g.dense(a, 4, 4));
            Operand<TFloat32> c = g.tf.withSubScope("head").withName("Tanh").math.tanh(g.dense(b, 4, 2));
            g.export(sm, "x", x, Map.of("y", c));
        }
        ImportException e = fails(sm, ImportOptions.defaults());
        assertContains(e.getMessage(), "unsupported ops: ", "Tanh (node dense1/Tanh)", "Elu (node act/Elu)",
                "Tanh (node head/Tanh)");
        assertEquals(3, e.problems().size(), e.problems().toString());

        // the CLI: one line naming every op, exit code 2, no file written
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        Path tern = tmp.resolve("unsupported.tern");
        int code = dev.tern.compress.cli.TernCli.run(new String[] {"import", sm.toString(), "--out", tern.toString()},
                new java.io.PrintStream(out), new java.io.PrintStream(err));
        String line = err.toString().strip();
        assertEquals(2, code, line);
        assertEquals(1, line.lines().count(), line);
        assertContains(line, "Tanh (node dense1/Tanh)", "Elu (node act/Elu)");
        assertTrue(!java.nio.file.Files.exists(tern), "no output on failure");
    }

    @Test
    void unfoldableBatchNormTrainingModeAndDilationAreAllReported() {
        Path sm = tmp.resolve("bn");
        try (TfGraph g = new TfGraph(23)) {
            Placeholder<TFloat32> x = g.input("image", -1, 6, 6, 2);
            Operand<TFloat32> a = g.conv(x, 3, 2, 2, 1, "SAME");
            Operand<TFloat32> sum = g.tf.math.add(a, x);
            Operand<TFloat32> bn = g.tf.withName("bn_after_add").nn.fusedBatchNorm(sum, g.constant(new float[] {1, 1}, 2),
                    g.constant(new float[] {0, 0}, 2), g.constant(new float[] {0, 0}, 2), g.constant(new float[] {1, 1}, 2),
                    FusedBatchNorm.isTraining(false)).y();
            Operand<TFloat32> train = g.tf.withName("bn_training").nn.fusedBatchNorm(g.conv(x, 1, 2, 2, 1, "SAME"),
                    g.constant(new float[] {1, 1}, 2), g.constant(new float[] {0, 0}, 2), g.constant(new float[0], 0),
                    g.constant(new float[0], 0), FusedBatchNorm.isTraining(true)).y();
            Operand<TFloat32> dil = g.tf.withName("dilated").nn.conv2d(x, g.weights("w", 18, 3, 3, 2, 2),
                    TfGraph.strides(1), "SAME", Conv2d.dilations(Arrays.asList(1L, 2L, 2L, 1L)));
            Map<String, Operand<TFloat32>> outs = new LinkedHashMap<>();
            outs.put("a", bn);
            outs.put("b", train);
            outs.put("c", dil);
            g.export(sm, "image", x, outs);
        }
        ImportException e = fails(sm, ImportOptions.defaults());
        assertEquals(3, e.problems().size(), e.problems().toString());
        assertContains(e.getMessage(), "FusedBatchNormV3 (node bn_after_add): cannot fold batch norm",
                "computed by add", "FusedBatchNormV3 (node bn_training): is_training is true, expected false",
                "Conv2D (node dilated): dilations [1, 2, 2, 1], expected [1, 1, 1, 1]");
    }

    @Test
    void inputsOtherThanOneFloatPlaceholder() {
        Path two = tmp.resolve("two-inputs");
        try (TfGraph g = new TfGraph(24)) {
            Placeholder<TFloat32> x = g.input("x", -1, 4);
            Placeholder<TFloat32> y = g.input("y", -1, 4);
            Operand<TFloat32> out = g.tf.math.add(g.dense(x, 4, 4), y);
            try (org.tensorflow.Session s = new org.tensorflow.Session(g.graph)) {
                s.initialize();
                org.tensorflow.SavedModelBundle.exporter(two.toString()).withSession(s).withSignature(
                        org.tensorflow.Signature.builder().input("x", x).input("y", y).output("out", out).build()).export();
            } catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        }
        assertContains(fails(two, ImportOptions.defaults()).getMessage(), "has 2 inputs [x, y], expected exactly 1");

        Path hidden = tmp.resolve("hidden-placeholder");
        try (TfGraph g = new TfGraph(25)) {
            Placeholder<TFloat32> x = g.input("x", -1, 4);
            Placeholder<TFloat32> y = g.input("extra", -1, 4);
            g.export(hidden, "x", x, Map.of("out", g.tf.math.add(g.dense(x, 4, 4), y)));
        }
        ImportException h = fails(hidden, ImportOptions.defaults());
        assertContains(h.getMessage(), "placeholder 'extra'", "not the signature input");
        assertEquals(1, h.problems().size(), "reported once: " + h.problems());

        Path unknown = tmp.resolve("unknown-shape");
        try (TfGraph g = new TfGraph(26)) {
            Placeholder<TFloat32> x = g.input("x", -1, -1, -1, 3);
            g.export(unknown, "x", x, Map.of("out", g.tf.nn.relu(x)));
        }
        assertContains(fails(unknown, ImportOptions.defaults()).getMessage(), "input 'x' has shape [-1, -1, -1, 3]",
                "every dimension after the batch to be known");
    }

    @Test
    void taskMetadataThatDoesNotFitTheGraph() throws IOException {
        Path sm = small("meta");
        ImportException unknownOutput = fails(sm, ImportOptions.defaults().withTasks(
                List.of(TaskMetadata.Task.multiclass("left", "logits", List.of("a", "b", "c")))));
        assertContains(unknownOutput.getMessage(), "task 'left' reads output 'logits'", "outputs [probs]");

        ImportException labels = fails(sm, ImportOptions.defaults().withTasks(
                List.of(TaskMetadata.Task.multiclass("left", "probs", List.of("a", "b")))));
        assertContains(labels.getMessage(), "task 'left' has 2 labels but output 'probs' has 3 values per sample");

        ImportException kind = fails(sm, ImportOptions.defaults().withTasks(
                List.of(new TaskMetadata.Task("left", "ranking", "probs", null, null, null))));
        assertContains(kind.getMessage(), "kind 'ranking'", "expected multiclass, multilabel or regression");

        ImportException norm = fails(sm, ImportOptions.defaults().withInput(
                new TaskMetadata.Input(null, null, new float[] {0, 0, 0}, new float[] {1, 1, 1})));
        assertContains(norm.getMessage(), "3 normalization values, expected 1 or one per channel (4)");
        ImportException layout = fails(sm, ImportOptions.defaults().withInput(new TaskMetadata.Input("x", "NCHW", null, null)));
        assertContains(layout.getMessage(), "layout 'NCHW'", "is NC");

        Path json = TaskMetadata.location(sm);
        Files.createDirectories(json.getParent());
        Files.writeString(json, "{\"name\": \"m\", \"tasks\": [{\"name\": \"t\", \"output\": \"probs\", \"lables\": []}]}");
        ImportException typo = fails(sm, ImportOptions.defaults());
        assertContains(typo.getMessage(), "tern.json", "unknown field 'lables'", "$.tasks[0].lables");

        Files.writeString(json, "{\"name\": ");
        assertContains(fails(sm, ImportOptions.defaults()).getMessage(), "tern.json: not valid task metadata");

        Files.writeString(json, "{\"version\": 2}");
        assertContains(fails(sm, ImportOptions.defaults()).getMessage(), "version 2 is not supported, expected 1");
    }
}
