package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.compress.cli.CliFixture.Outcome;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.format.TernWriter;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static dev.tern.compress.cli.CliFixture.tern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InfoCommandTest {
    @TempDir
    Path dir;
    Path file;
    ModelDef def;

    @BeforeEach
    void writeModel() throws Exception {
        def = CliFixture.model();
        file = dir.resolve("tiny.tern");
        TernWriter.write(def, file);
    }

    private JsonNode infoJson() throws Exception {
        Outcome r = tern("info", file.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        return new ObjectMapper().readTree(r.out());
    }

    @Test
    void jsonHasTheDocumentedKeysInOrder() throws Exception {
        List<String> keys = new ArrayList<>();
        infoJson().fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("format_version", "name", "size_bytes", "params", "inputs", "tasks", "outputs", "ops",
                "nodes", "weights_by_dtype", "sparsity", "storage", "kernels", "provenance", "steps"), keys);
    }

    /**
     * {@code tern info} shows the chain of steps a model went through, oldest first, each
     * with its settings and the checksum-named input (issue 18, item 2): here a prune
     * without fine-tuning, then a dynamic quantization of its result.
     */
    @Test
    void infoPrintsTheChainOfSteps() throws Exception {
        Path pruned = dir.resolve("pruned.tern");
        Path q = dir.resolve("q.tern");
        Outcome r = tern("prune", file.toString(), "--sparsity", "0.5", "--epochs", "0", "--eval-samples", "0", "--quiet",
                "--out", pruned.toString());
        assertEquals(0, r.code(), r.err());
        r = tern("quantize", pruned.toString(), "--dynamic", "--weight-bits", "7", "--quiet", "--out", q.toString());
        assertEquals(0, r.code(), r.err());
        r = tern("info", q.toString());
        assertEquals(0, r.code(), r.err());
        List<String> steps = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            if (line.matches("\\s*(steps)?\\s+\\d+\\. .*")) {
                steps.add(line.strip().replaceFirst("^steps\\s+", ""));
            }
        }
        assertEquals(2, steps.size(), r.out());
        assertTrue(steps.get(0).startsWith("1. prune (kind unstructured, sparsity 0.5, schedule gradual, epochs 0,"), steps.get(0));
        assertTrue(steps.get(0).contains(" from tiny.tern"), steps.get(0));
        assertTrue(steps.get(1).startsWith("2. quantize (method minmax, calib_samples 1000, val_samples 2000, weight_bits 7, dynamic)"),
                steps.get(1));
        assertTrue(steps.get(1).contains(" from pruned.tern") && steps.get(1).contains("weights: int8 symmetric per channel, 7-bit"),
                steps.get(1));
        JsonNode j = new ObjectMapper().readTree(tern("info", q.toString(), "--json").out()).get("steps");
        assertEquals(2, j.size(), j.toString());
        assertEquals("prune", j.get(0).get("job").asText());
        assertEquals(0.5, j.get(0).get("settings").get("sparsity").asDouble());
        assertEquals(dev.tern.compress.job.ModelInput.crc32c(Files.readAllBytes(file)), j.get(0).get("inputs").get("tiny.tern").asText());
        assertEquals(dev.tern.compress.job.ModelInput.crc32c(Files.readAllBytes(pruned)), j.get(1).get("inputs").get("pruned.tern").asText());
        assertEquals(7, j.get(1).get("settings").get("weight_bits").asInt());
        assertEquals(dev.tern.compress.TernVersion.version(), j.get(1).get("tool").asText());
    }

    @Test
    void jsonDescribesTheModel() throws Exception {
        JsonNode j = infoJson();
        assertEquals("1.0", j.get("format_version").asText());
        assertEquals("tiny-two-head", j.get("name").asText());
        assertEquals(Files.size(file), j.get("size_bytes").asLong());
        assertEquals(def.parameterCount(), j.get("params").asLong());

        JsonNode in = j.get("inputs").get(0);
        assertEquals("image", in.get("name").asText());
        assertEquals("[-1,8,8,1]", in.get("shape").toString());
        assertEquals("float32", in.get("dtype").asText());
        assertEquals("NHWC", in.get("layout").asText());
        assertEquals(127.5, in.get("normalization").get("mean").get(0).asDouble());

        JsonNode tasks = j.get("tasks");
        assertEquals(2, tasks.size());
        assertEquals("left", tasks.get(0).get("name").asText());
        assertEquals("multiclass", tasks.get(0).get("kind").asText());
        assertEquals("[\"tshirt\",\"trouser\",\"bag\"]", tasks.get(0).get("labels").toString());
        assertFalse(tasks.get(0).has("thresholds"));
        assertEquals("present", tasks.get(1).get("name").asText());
        assertEquals("multilabel", tasks.get(1).get("kind").asText());
        assertEquals(0.4f, (float) tasks.get(1).get("thresholds").get(1).asDouble());
        assertEquals("[\"left/logits\",\"present/logits\",\"features\"]", j.get("outputs").toString());

        assertEquals("{\"dense\":2,\"conv2d\":1,\"flatten\":1,\"relu\":1}", j.get("ops").toString());
        assertEquals(def.nodes().size(), j.get("nodes").asInt());
        JsonNode f32 = j.get("weights_by_dtype").get("float32");
        assertEquals(def.tensors().size(), f32.get("tensors").asInt());
        assertEquals(def.parameterCount(), f32.get("params").asLong());
        assertEquals(4 * def.parameterCount(), f32.get("bytes").asLong());
        assertEquals("CliFixture", j.get("provenance").get("source").asText());
    }

    @Test
    void sparsityCountsExactZeros() throws Exception {
        long zeros = 0;
        for (Tensor t : def.tensors().values()) {
            for (float v : t.floats()) {
                zeros += v == 0f ? 1 : 0;
            }
        }
        assertTrue(zeros >= CliFixture.ZEROED);
        JsonNode s = infoJson().get("sparsity");
        assertEquals(zeros, s.get("zeros").asLong());
        assertEquals(def.parameterCount(), s.get("elements").asLong());
        assertEquals((double) zeros / def.parameterCount(), s.get("fraction").asDouble(), 1e-12);
        double leftFraction = s.get("per_tensor").get("left/logits/weights").asDouble();
        assertTrue(leftFraction >= CliFixture.ZEROED / (3.0 * 256), "" + leftFraction);
    }

    @Test
    void prunedWeightsAreStoredSparseAndRunTheSparseKernel() throws Exception {
        // zero 90% of every weight matrix: the writer stores those sparse (format 1.2), the
        // plan runs the sparse Dense kernel, and info says both
        List<Tensor> ts = new ArrayList<>();
        for (Tensor t : def.tensors().values()) {
            float[] w = t.floats();
            if (t.rank() == 2) {
                for (int i = 0; i < w.length; i++) {
                    w[i] = i % 10 == 0 ? w[i] : 0f;
                }
            }
            ts.add(Tensor.ofFloats(t.name(), t.shape(), w));
        }
        ModelDef sparse = new ModelDef(def.name(), def.inputs(), ts, def.nodes(), def.tasks(), def.outputs(), def.provenance());
        TernWriter.write(sparse, file);
        JsonNode j = infoJson();
        assertEquals("1.2", j.get("format_version").asText());
        assertEquals("sparse", j.get("storage").get("left/logits/weights").asText());
        assertTrue(j.get("kernels").get("per_node").toString().contains("sparse_dense"), j.get("kernels").toString());
        Outcome r = tern("info", file.toString());
        assertTrue(r.out().contains("tensors sparse (bitmask + non-zeros, format 1.2): "), r.out());
        assertTrue(r.out().matches("(?s).*left/logits/weights \\(9[0-9.]+% zeros\\).*"), r.out());
        assertTrue(Files.size(file) < TernWriter.toBytes(def).length / 2, Files.size(file) + " bytes");
    }

    @Test
    void kernelsNameTheBackendThatWillRun() throws Exception {
        JsonNode k = infoJson().get("kernels");
        TernModel m = TernModel.load(file);
        assertEquals(TernModel.defaultBackend().id(), k.get("backend").asText());
        assertEquals(TernModel.vectorBackendStatus(), k.get("vector_status").asText());
        Iterator<String> nodes = k.get("per_node").fieldNames();
        for (Node n : def.nodes()) {
            String name = nodes.next();
            assertEquals(n.name(), name);
            assertEquals(m.kernels().get(name), k.get("per_node").get(name).asText());
        }
        assertFalse(nodes.hasNext());
    }

    @Test
    void textNamesTasksAndBackend() {
        Outcome r = tern("info", file.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("tiny-two-head"), r.out());
        assertTrue(r.out().contains("left     multiclass  3 classes: tshirt, trouser, bag"), r.out());
        assertTrue(r.out().contains("present  multilabel  3 labels"), r.out());
        assertTrue(r.out().contains("kernels     " + TernModel.defaultBackend().id()), r.out());
        assertTrue(r.out().contains("format      1.0"), r.out());
    }
}
