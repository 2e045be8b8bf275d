package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.compress.cli.CliFixture.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Iterator;
import java.util.Map;

import static dev.tern.compress.cli.CliFixture.tern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped PyTorch-trained model (models/pytorch): its import scores what ONNX Runtime
 * scores on the original, task by task, on the first 1,000 Multi-Fashion test canvases given
 * as a user .npz (issue #20's bar: 0.05 points; the full 10,000 are in models/pytorch/README.md).
 */
class PytorchModelTest {
    @TempDir
    Path dir;

    @Test
    void importAndOnnxRuntimeAgreeOnEveryTask() throws Exception {
        Path repo = Paths.get(System.getProperty("tern.repo", ".."));
        Path onnx = repo.resolve("models/pytorch/multitask.onnx");
        Path m = dir.resolve("m.tern");
        Outcome imp = tern("import", onnx.toString(), "--out", m.toString());
        assertEquals(0, imp.code(), imp.err());
        Path data = dir.resolve("mf.npz");
        Outcome w = tern("data", "multifashion", "--data", repo.resolve("models/data/fashion-mnist").toString(), "--limit", "1000",
                "--npz", data.toString());
        assertEquals(0, w.code(), w.err());
        ObjectMapper json = new ObjectMapper();
        Outcome a = tern("eval", m.toString(), "--data", data.toString(), "--json");
        Outcome b = tern("eval", onnx.toString(), "--data", data.toString(), "--json");
        assertEquals(0, a.code(), a.err());
        assertEquals(0, b.code(), b.err());
        JsonNode ta = json.readTree(a.out()).get("tasks");
        JsonNode tb = json.readTree(b.out()).get("tasks");
        assertTrue(json.readTree(b.out()).get("engine").asText().startsWith("onnxruntime"), b.out());
        for (Iterator<Map.Entry<String, JsonNode>> it = ta.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> task = it.next();
            for (Iterator<Map.Entry<String, JsonNode>> ms = task.getValue().fields(); ms.hasNext(); ) {
                Map.Entry<String, JsonNode> metric = ms.next();
                double x = metric.getValue().asDouble();
                double y = tb.get(task.getKey()).get(metric.getKey()).asDouble();
                assertEquals(y, x, 0.0005, task.getKey() + " " + metric.getKey());
            }
        }
        // a trained model, not a random one: the tasks are learned
        assertTrue(ta.get("left").get("accuracy").asDouble() > 0.8, ta.toString());
        assertTrue(ta.get("present").get("micro_f1").asDouble() > 0.8, ta.toString());
    }

    /**
     * {@code tern demo --recipe R} on a recipe whose teacher is the .onnx file: imported first,
     * then every stage, a distill stage deriving its student from the imported graph; bad
     * options are refused.
     */
    @Test
    void aRecipeWithAnOnnxTeacherRunsThroughDemo() throws Exception {
        Path repo = Paths.get(System.getProperty("tern.repo", ".."));
        Path recipe = dir.resolve("r.json");
        java.nio.file.Files.writeString(recipe, "{\"name\": \"onnx teacher\", \"teacher\": \""
                + repo.resolve("models/pytorch/multitask.onnx").toAbsolutePath() + "\", \"data\": \""
                + repo.resolve("models/data/fashion-mnist").toAbsolutePath() + "\", \"eval_samples\": 100, \"latency_runs\": 20, "
                + "\"latency_warmup\": 5, \"quick\": true, \"variants\": [{\"name\": \"teacher-fp32\", \"stages\": []}, "
                + "{\"name\": \"student\", \"stages\": [{\"stage\": \"distill\", \"width\": 0.25, \"architecture\": \"teacher\", "
                + "\"epochs\": 1, \"train_samples\": 64, \"batch_size\": 32}]}]}");
        Path out = dir.resolve("report");
        Outcome r = tern("demo", "--recipe", recipe.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(java.nio.file.Files.isRegularFile(out.resolve("teacher/multitask.tern")), r.out());
        JsonNode log = new ObjectMapper().readTree(out.resolve("logs/student/1-distill.json").toFile());
        assertTrue(log.toString().contains("derived from multitask.tern at width 0.25"), log.toString());
        assertTrue(java.nio.file.Files.readString(out.resolve("report.md")).contains("student"));
        Outcome both = tern("demo", "--recipe", recipe.toString(), "--quick");
        assertEquals(2, both.code(), both.err());
        Outcome missing = tern("demo", "--recipe", dir.resolve("none.json").toString());
        assertEquals(2, missing.code(), missing.err());
        assertTrue(missing.err().contains("none.json"), missing.err());
    }
}
