package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.compress.cli.CliFixture.Outcome;
import dev.tern.compress.job.ModelInput;
import dev.tern.compress.job.Provenance;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.format.TernWriter;
import dev.tern.runtime.model.OpType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.tern.compress.cli.CliFixture.tern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tern distill}: an edge student written as a .tern file, the control run, and bad input. */
class DistillCommandTest {
    @TempDir
    Path dir;
    Path teacher;
    byte[] teacherBytes;

    @BeforeEach
    void setUp() throws Exception {
        teacher = dir.resolve("teacher.tern");
        TernWriter.write(PruneCommandTest.tiny(), teacher);
        teacherBytes = Files.readAllBytes(teacher);
    }

    @Test
    void distilledAndControlStudentsAreEdgeShapedTernModels() throws Exception {
        for (boolean control : new boolean[] {false, true}) {
            Path out = dir.resolve(control ? "control.tern" : "student.tern");
            Outcome r = control
                    ? tern("distill", "--teacher", teacher.toString(), "--width", "0.25", "--epochs", "1", "--train-samples", "256",
                        "--data", PruneCommandTest.DATA, "--eval-samples", "100", "--json", "--quiet", "--control", "--out", out.toString())
                    : tern("distill", "--teacher", teacher.toString(), "--width", "0.25", "--epochs", "1", "--train-samples", "256",
                        "--data", PruneCommandTest.DATA, "--eval-samples", "100", "--json", "--quiet", "--out", out.toString());
            assertEquals(0, r.code(), r.err());
            JsonNode j = new ObjectMapper().readTree(r.out());
            assertEquals(control ? "control" : "distilled", j.get("mode").asText());
            assertEquals(control ? 1.0 : 0.3, j.get("alpha").asDouble());
            assertEquals(Files.size(out), j.get("size_bytes").asLong());
            for (String task : new String[] {"left", "right", "present"}) {
                assertTrue(j.get("tasks").has(task), r.out());
            }
            TernModel m = TernModel.load(out);
            assertEquals(4, m.def().nodes().stream().filter(n -> n.op() == OpType.DEPTHWISE_CONV2D).count(), "four dwsep blocks");
            assertEquals(j.get("params").asLong(), m.def().parameterCount());
            Provenance.Step step = Provenance.chain(m.def()).get(0);
            assertEquals(control ? "control (hard labels only)" : "distilled", step.results().get("mode"));
            assertEquals(control, step.settings().get("control"));
            // width 0.25: channels 8, 16, 32, 32, 32 and a dense 64 on the flattened 5x5x32
            assertEquals(64, m.def().tensor(m.def().nodes().stream().filter(n -> n.op() == OpType.DENSE).findFirst().get().input(1)).dim(0));
        }
        assertArrayEquals(teacherBytes, Files.readAllBytes(teacher), "the teacher is never modified");
    }

    /**
     * On a user data set the student is derived from the teacher's graph (architecture auto):
     * the teacher's layers at half width, its heads, trained on the set's train part and scored
     * on its test part; the provenance names the data set's checksum.
     */
    @Test
    void onAUserDataSetTheStudentIsDerivedFromTheTeacher() throws Exception {
        Path npz = dir.resolve("mf.npz");
        Outcome w = tern("data", "multifashion", "--data", PruneCommandTest.DATA, "--split", "train", "--limit", "400", "--npz", npz.toString());
        assertEquals(0, w.code(), w.err());
        Path out = dir.resolve("derived.tern");
        Outcome r = tern("distill", "--teacher", teacher.toString(), "--width", "0.5", "--data", npz.toString(), "--epochs", "1",
                "--batch-size", "32", "--json", "--quiet", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("tiny-w0.5", j.get("student").asText());
        assertEquals(320, j.get("train_samples_per_epoch").asInt(), "80% of 400 (the single file's deterministic split)");
        assertEquals(40, j.get("test_samples").asInt());
        TernModel m = TernModel.load(out);
        ModelInput t = ModelInput.read(teacher);
        assertEquals(t.def().nodes().size(), m.def().nodes().size(), "the teacher's graph");
        assertEquals(4, m.def().tensor("conv1/filter").dim(0), "conv 8 -> 4 channels");
        assertEquals(4, m.def().tensor("conv2/filter").dim(3), "conv2 reads the 4");
        assertEquals(16, m.def().tensor("fc/weights").dim(0), "dense 32 -> 16");
        assertEquals(9 * 9 * 4, m.def().tensor("fc/weights").dim(1), "on the flattened 9x9x4");
        assertEquals(10, m.def().tensor("left/weights").dim(0), "heads keep their width");
        Provenance.Step step = Provenance.chain(m.def()).get(0);
        assertEquals("distill", step.job());
        assertEquals(2, step.inputs().size(), "the teacher and the data set: " + step.inputs());
        assertTrue(step.data().contains("epochs 0-0, 320 samples each"), step.data());

        Path bad = dir.resolve("bad.tern");
        Outcome edge = tern("distill", "--teacher", teacher.toString(), "--width", "0.5", "--architecture", "edge", "--data",
                npz.toString(), "--out", bad.toString());
        assertEquals(2, edge.code(), edge.err());
        assertTrue(edge.err().contains("--architecture teacher"), edge.err());
        assertFalse(Files.exists(bad));
    }

    @Test
    void badInputExitsTwoAndWritesNothing() throws Exception {
        Path out = dir.resolve("s.tern");
        String[][] cases = {
            {"distill", "--teacher", teacher.toString(), "--width", "0.5", "--alpha", "1.5", "--out", out.toString()},
            {"distill", "--teacher", teacher.toString(), "--width", "0.5", "--temperature", "0", "--out", out.toString()},
            {"distill", "--teacher", teacher.toString(), "--width", "0", "--out", out.toString()},
            {"distill", "--teacher", teacher.toString(), "--width", "0.5", "--student", "r.json", "--out", out.toString()},
            {"distill", "--teacher", teacher.toString(), "--out", out.toString()},
            {"distill", "--teacher", teacher.toString(), "--width", "0.5", "--architecture", "wide", "--out", out.toString()},
            {"distill", "--teacher", teacher.toString(), "--student", "r.json", "--architecture", "teacher", "--out", out.toString()},
            {"distill", "--teacher", dir.resolve("missing.tern").toString(), "--width", "0.5", "--out", out.toString()},
            {"distill", "--teacher", teacher.toString(), "--student", dir.resolve("missing.json").toString(), "--out", out.toString()},
        };
        for (String[] c : cases) {
            Outcome r = tern(c);
            assertEquals(2, r.code(), String.join(" ", c) + ": " + r.err());
            // one error line (a command line picocli rejects adds its "Try 'tern distill --help'" hint)
            assertTrue(r.err().startsWith("tern: error: "), r.err());
            assertEquals(1, r.err().split("tern: error: ", -1).length - 1, r.err());
            assertFalse(Files.exists(out), String.join(" ", c));
        }
    }
}
