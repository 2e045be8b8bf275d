package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.compress.cli.CliFixture.Outcome;
import dev.tern.compress.job.ModelInput;
import dev.tern.compress.job.Provenance;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.format.TernReader;
import dev.tern.runtime.format.TernWriter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.tern.compress.cli.CliFixture.tern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tern compress}: a small recipe on a tiny teacher runs every stage kind and writes
 * the report; a rerun reuses the stages; a killed run leaves only complete files; a bad
 * recipe fails before any work, naming the field.
 */
class CompressCommandTest {
    @TempDir
    Path dir;
    Path recipe;

    static String recipeJson(String variants) {
        return "{\"name\": \"test\", \"teacher\": \"teacher.tern\", \"data\": \"" + PruneCommandTest.DATA.replace("\\", "/")
                + "\", \"eval_samples\": 100, \"latency_runs\": 30, \"latency_warmup\": 20, \"quick\": true, \"variants\": [" + variants + "]}";
    }

    static final String VARIANTS = "{\"name\": \"teacher-fp32\", \"stages\": []},"
            + "{\"name\": \"int8\", \"stages\": [{\"stage\": \"quantize\", \"calib_samples\": 64}]},"
            + "{\"name\": \"pruned\", \"stages\": [{\"stage\": \"prune\", \"sparsity\": 0.5, \"epochs\": 1, \"samples\": 256},"
            + " {\"stage\": \"finetune\", \"epochs\": 1, \"samples\": 128}, {\"stage\": \"evaluate\"}]},"
            + "{\"name\": \"pruned-int8\", \"from\": \"pruned\", \"stages\": [{\"stage\": \"quantize\", \"calib_samples\": 64, \"weight_bits\": 7}]},"
            + "{\"name\": \"student\", \"stages\": [{\"stage\": \"distill\", \"width\": 0.25, \"epochs\": 1, \"train_samples\": 256}]},"
            + "{\"name\": \"scratch\", \"stages\": [{\"stage\": \"distill\", \"width\": 0.25, \"epochs\": 1, \"train_samples\": 256, \"control\": true}]}";

    @BeforeEach
    void setUp() throws Exception {
        TernWriter.write(PruneCommandTest.tiny(), dir.resolve("teacher.tern"));
        recipe = dir.resolve("r.json");
        Files.write(recipe, recipeJson(VARIANTS).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyStageRunsAndTheReportHasOneEntryPerVariant() throws Exception {
        Path out = dir.resolve("out");
        Outcome r = tern("compress", "--recipe", recipe.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertTrue(j.get("quick").asBoolean());
        List<String> names = new ArrayList<>();
        for (JsonNode v : j.get("variants")) {
            names.add(v.get("name").asText());
            assertTrue(v.get("size_bytes").asLong() > 0 && v.get("size_bytes").asLong() == Files.size(Path.of(v.get("model").asText())), v.toString());
            assertTrue(v.get("params").asLong() > 0, v.toString());
            assertTrue(v.get("latency_us").get("p50").asDouble() > 0 && v.get("latency_us").get("p99").asDouble() >= v.get("latency_us").get("p50").asDouble(), v.toString());
            for (String task : new String[] {"left", "right", "present"}) {
                assertTrue(v.get("tasks").has(task), v.toString());
            }
        }
        assertEquals(List.of("teacher-fp32", "int8", "pruned", "pruned-int8", "student", "scratch"), names);
        // the stage chain: prune, finetune and evaluate logs, and the 2nd variant built on the 1st
        for (String log : new String[] {"pruned/1-prune.json", "pruned/2-finetune.json", "pruned/3-evaluate.json", "pruned-int8/1-quantize.json"}) {
            JsonNode l = new ObjectMapper().readTree(out.resolve("logs").resolve(log).toFile());
            // every stage log: per-task metrics, size, params, latency p50/p99, wall time
            assertTrue(l.get("tasks").has("left") && l.get("size_bytes").asLong() > 0 && l.get("params").asLong() > 0, log);
            assertTrue(l.get("latency_us").get("p50").asDouble() > 0 && l.get("latency_us").get("p99").asDouble() > 0, log);
            assertTrue(l.has("wall_seconds"), log);
        }
        JsonNode pi = j.get("variants").get(3);
        assertEquals("pruned", pi.get("from").asText());
        // weight_bits 7 reaches tern quantize: the variant's weights stay within [-63, 63]
        List<Provenance.Step> chain = Provenance.chain(TernModel.load(Path.of(pi.get("model").asText())).def());
        assertEquals(List.of("prune", "finetune", "quantize"), chain.stream().map(Provenance.Step::job).toList(), "the steps the model went through");
        assertEquals("int8 symmetric per channel, 7-bit range [-63, 63]", chain.get(2).results().get("weights"));
        assertEquals(7, chain.get(2).settings().get("weight_bits"));
        assertEquals(pi.get("provenance").size(), 3, "the report reads the chain");
        assertEquals("int8 symmetric per channel",
                Provenance.chain(TernModel.load(Path.of(j.get("variants").get(1).get("model").asText())).def()).get(0).results().get("weights"));
        assertEquals(4, pi.get("stages").size(), pi.toString());
        assertEquals(1, j.get("distillation").size(), j.toString());
        assertEquals("student", j.get("distillation").get(0).get("distilled").asText());
        // the pruned model kept its zeros through the fine-tuning
        JsonNode prune = new ObjectMapper().readTree(out.resolve("logs/pruned/1-prune.json").toFile());
        assertTrue(prune.get("outcome").get("pruned_layer_sparsity").asDouble() >= 0.5 - 1e-3, prune.toString());
        String html = Files.readString(out.resolve("index.html"));
        Matcher m = Pattern.compile("<img src=\"([^\"]+\\.png)\"").matcher(html);
        int pngs = 0;
        while (m.find()) {
            byte[] b = Files.readAllBytes(out.resolve(m.group(1)));
            assertEquals((byte) 0x89, b[0]);
            assertEquals('P', b[1]);
            pngs++;
        }
        assertTrue(pngs >= 2, html);
        assertTrue(Files.readString(out.resolve("report.md")).contains("Quick run"));

        // a rerun reuses every stage and leaves the models as they were
        Map<String, byte[]> before = files(out.resolve("models"));
        Outcome again = tern("compress", "--recipe", recipe.toString(), "--out", out.toString());
        assertEquals(0, again.code(), again.err());
        assertEquals(1 + 1 + 1 + 3 + 1 + 1 + 1, again.err().split("\\(reused ", -1).length - 1, again.err());
        Map<String, byte[]> after = files(out.resolve("models"));
        assertEquals(before.keySet(), after.keySet());
        before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k));

        // per-class recall: in every log and variant, and the report's table of who compression hurts
        JsonNode variant = j.get("variants").get(3);
        assertEquals(10, variant.get("class_recall").get("left").size(), variant.toString());
        assertEquals(10, variant.get("class_recall_change_points").get("present").size(), variant.toString());
        assertTrue(variant.get("classes_hurt").get("right").has("worst_class"), variant.toString());
        assertTrue(Files.readString(out.resolve("report.md")).contains("## Who compression hurts"));
        // a log written before per-class recall: its model is reused and scored again, to the same recall
        Path log = out.resolve("logs/pruned-int8/1-quantize.json");
        com.fasterxml.jackson.databind.node.ObjectNode old = (com.fasterxml.jackson.databind.node.ObjectNode) new ObjectMapper().readTree(log.toFile());
        JsonNode recall = old.remove("class_recall");
        Files.write(log, new ObjectMapper().writeValueAsBytes(old));
        Outcome rescored = tern("compress", "--recipe", recipe.toString(), "--out", out.toString());
        assertEquals(0, rescored.code(), rescored.err());
        assertEquals(9, rescored.err().split("\\(reused ", -1).length - 1, rescored.err());
        assertEquals(recall, new ObjectMapper().readTree(log.toFile()).get("class_recall"));

        // a changed setting reruns that stage and the ones built on it, and nothing else
        Files.write(recipe, recipeJson(VARIANTS.replace("\"sparsity\": 0.5", "\"sparsity\": 0.6")).getBytes(StandardCharsets.UTF_8));
        Outcome changed = tern("compress", "--recipe", recipe.toString(), "--out", out.toString());
        assertEquals(0, changed.code(), changed.err());
        assertEquals(9 - 4, changed.err().split("\\(reused ", -1).length - 1, changed.err());
        assertTrue(changed.err().contains("pruned: prune unstructured to 0.6 (gradual"), changed.err());
    }

    static Map<String, byte[]> files(Path d) throws Exception {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                m.put(d.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return m;
    }

    @Test
    void aKilledRunLeavesOnlyCompleteFilesAndTheRerunFinishes() throws Exception {
        Path out = dir.resolve("killed");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", cp, "dev.tern.compress.cli.TernCli", "compress",
                "--recipe", recipe.toString(), "--out", out.toString());
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("killed.log").toFile());
        Process p = pb.start();
        try {
            // kill (SIGKILL, no shutdown hooks) once the first trained model has been written
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(out.resolve("models/pruned/1-prune.tern")) && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(p.isAlive(), "the run ended before it could be killed: " + Files.readString(dir.resolve("killed.log")));
            Thread.sleep(300);
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        int models = 0;
        try (Stream<Path> s = Files.walk(out)) {
            for (Path f : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                String name = f.getFileName().toString();
                if (name.startsWith(".") && name.endsWith(".tmp")) {
                    continue; // a temporary file beside its final path, never at it
                }
                if (name.endsWith(".tern")) {
                    TernReader.read(f); // complete: header, sizes and every CRC check out
                    models++;
                } else if (name.endsWith(".json")) {
                    new ObjectMapper().readTree(f.toFile());
                }
            }
        }
        assertTrue(models >= 2, "int8 and the pruned model were written before the kill");
        Outcome r = tern("compress", "--recipe", recipe.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("(reused "), r.err());
        assertTrue(Files.isRegularFile(out.resolve("report.json")));
    }

    @Test
    void aBadRecipeFailsBeforeAnyWorkNamingTheField() throws Exception {
        String[][] cases = {
            {"{\"name\": \"a\", \"stages\": [{\"stage\": \"shrink\"}]}", "variants[0].stages[0].stage", "shrink"},
            {"{\"name\": \"a\", \"stages\": [{\"stage\": \"prune\", \"kind\": \"channel\"}]}", "sparsity"},
            {"{\"name\": \"a\", \"stages\": [{\"stage\": \"prune\", \"sparsity\": \"high\"}]}", "variants[0].stages[0].sparsity"},
            {"{\"name\": \"a\", \"stages\": [{\"stage\": \"prune\", \"sparsity\": 1.5}]}", "variants[0].stages[0].sparsity", "[0, 1)"},
            {"{\"name\": \"a\", \"stages\": [{\"stage\": \"quantize\", \"calib\": 5}]}", "calib"},
            {"{\"name\": \"a\", \"stages\": [{\"stage\": \"quantize\", \"weight_bits\": 4}]}", "variants[0].stages[0].weight_bits",
                "7 or 8"},
            {"{\"name\": \"a\", \"stages\": [{\"stage\": \"distill\", \"epochs\": 2}]}", "variants[0].stages[0].width"},
            {"{\"name\": \"a\", \"from\": \"b\", \"stages\": []}", "variants[0].from"},
            {"{\"stages\": []}", "name"},
            // checked against the teacher before any stage runs (issue 18: one validation before any work)
            {"{\"name\": \"int8\", \"stages\": [{\"stage\": \"quantize\", \"calib_samples\": 64}]}, "
                + "{\"name\": \"a\", \"stages\": [{\"stage\": \"prune\", \"sparsity\": 0.5, \"layers\": [\"nope\"]}]}",
                "variants[1].stages[0]", "layers", "'nope'"},
            {"{\"name\": \"a\", \"stages\": [{\"stage\": \"prune\", \"sparsity\": 0.5, \"samples\": 63}]}",
                "variants[0].stages[0].samples", "at least batch"},
        };
        for (String[] c : cases) {
            Path bad = dir.resolve("bad.json");
            Files.write(bad, recipeJson(c[0]).getBytes(StandardCharsets.UTF_8));
            Path out = dir.resolve("bad-out");
            Outcome r = tern("compress", "--recipe", bad.toString(), "--out", out.toString());
            assertEquals(2, r.code(), c[0] + ": " + r.err());
            for (int i = 1; i < c.length; i++) {
                assertTrue(r.err().contains(c[i]), c[0] + ": " + r.err());
            }
            assertEquals(1, r.err().strip().split("\n").length, r.err());
            assertFalse(Files.exists(out), "nothing is written for " + c[0]);
        }
        Files.write(recipe, recipeJson(VARIANTS).replace("teacher.tern", "missing.tern").getBytes(StandardCharsets.UTF_8));
        Outcome r = tern("compress", "--recipe", recipe.toString(), "--out", dir.resolve("o2").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("teacher"), r.err());
        assertFalse(Files.exists(dir.resolve("o2")));
    }


    /** A quantize stage takes every option of tern quantize: budget and per_tensor (issue 18), dynamic. */
    @Test
    void aQuantizeStageWithBudgetAndPerTensorRuns() throws Exception {
        Files.write(recipe, recipeJson("{\"name\": \"mixed\", \"stages\": [{\"stage\": \"quantize\", \"calib_samples\": 64, "
                + "\"val_samples\": 128, \"budget\": 0.5, \"per_tensor\": true}]},"
                + "{\"name\": \"dynamic\", \"stages\": [{\"stage\": \"quantize\", \"dynamic\": true, \"weight_bits\": 7}]}")
                .getBytes(StandardCharsets.UTF_8));
        Path out = dir.resolve("budget");
        Outcome r = tern("compress", "--recipe", recipe.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        Provenance.Step mixed = Provenance.chain(TernModel.load(Path.of(j.get("variants").get(0).get("model").asText())).def()).get(0);
        assertEquals(true, mixed.settings().get("per_tensor"));
        assertEquals(0.5, mixed.settings().get("budget"));
        assertEquals("int8 symmetric per tensor", mixed.results().get("weights"));
        assertTrue(mixed.results().containsKey("float_layers"), mixed.toString());
        JsonNode log = new ObjectMapper().readTree(out.resolve("logs/mixed/1-quantize.json").toFile());
        assertTrue(log.get("outcome").has("validation_drop"), log.toString());
        Provenance.Step dyn = Provenance.chain(TernModel.load(Path.of(j.get("variants").get(1).get("model").asText())).def()).get(0);
        assertEquals(true, dyn.settings().get("dynamic"));
        assertEquals("float32 (dynamic)", dyn.results().get("activations"));
    }

    /** A distill stage's student recipe is read and checked in full before any stage runs. */
    @Test
    void aBadStudentRecipeFailsBeforeAnyWork() throws Exception {
        Files.write(dir.resolve("student.json"), "{\"name\": \"s\", \"sharing\": \"hard\", \"tasks\": [\"left\", \"right\", \"present\"], \"trunk\": [], \"dense\": [8]}"
                .getBytes(StandardCharsets.UTF_8));
        Files.write(recipe, recipeJson("{\"name\": \"int8\", \"stages\": [{\"stage\": \"quantize\", \"calib_samples\": 64}]},"
                + "{\"name\": \"s\", \"stages\": [{\"stage\": \"distill\", \"student\": \"student.json\", \"epochs\": 1}]}")
                .getBytes(StandardCharsets.UTF_8));
        Path out = dir.resolve("student-out");
        Outcome r = tern("compress", "--recipe", recipe.toString(), "--out", out.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("variants[1].stages[0].student") && r.err().contains("trunk"), r.err());
        assertFalse(Files.exists(out.resolve("models")), "no stage ran");
    }
}
