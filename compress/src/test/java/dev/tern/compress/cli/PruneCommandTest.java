package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.compress.cli.CliFixture.Outcome;
import dev.tern.compress.job.ModelInput;
import dev.tern.compress.job.Provenance;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.format.TernWriter;
import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Padding;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Random;

import static dev.tern.compress.cli.CliFixture.tern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tern prune}: what each kind writes, and bad input (exit 2, nothing written, the input untouched). */
class PruneCommandTest {
    static final String DATA = Paths.get(System.getProperty("tern.repo", "..")).resolve("models/data/fashion-mnist").toString();

    @TempDir
    Path dir;
    Path model;
    byte[] modelBytes;

    /** conv 1->8 stride 2, max pool, conv 8->8, flatten, dense 32, three Multi-Fashion heads. */
    static ModelDef tiny() {
        Random rnd = new Random(11);
        ModelBuilder b = new ModelBuilder("tiny").input("image", -1, 36, 36, 1);
        String v = b.conv2d("conv1", "image", new int[] {8, 3, 3, 1}, ModelBuilder.random(rnd, 72, 0.5f), new float[8], 2,
                Padding.SAME, Activation.RELU);
        v = b.maxPool("pool", v, 2, 2, Padding.VALID);
        v = b.conv2d("conv2", v, new int[] {8, 3, 3, 8}, ModelBuilder.random(rnd, 576, 0.3f), new float[8], 1,
                Padding.SAME, Activation.RELU);
        v = b.flatten("flat", v);
        v = b.dense("fc", v, 32, 9 * 9 * 8, ModelBuilder.random(rnd, 32 * 648, 0.05f), new float[32], Activation.RELU);
        String[] classes = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
        b.multiclass("left", b.dense("left", v, 10, 32, ModelBuilder.random(rnd, 320, 0.3f), null, Activation.NONE), classes);
        b.multiclass("right", b.dense("right", v, 10, 32, ModelBuilder.random(rnd, 320, 0.3f), null, Activation.NONE), classes);
        float[] half = new float[10];
        java.util.Arrays.fill(half, 0.5f);
        b.multilabel("present", b.dense("present", v, 10, 32, ModelBuilder.random(rnd, 320, 0.3f), null, Activation.NONE),
                half, classes);
        return b.build();
    }

    @BeforeEach
    void setUp() throws Exception {
        model = dir.resolve("tiny.tern");
        TernWriter.write(tiny(), model);
        modelBytes = Files.readAllBytes(model);
    }

    private static int zeros(float[] w) {
        int z = 0;
        for (float v : w) {
            z += v == 0f ? 1 : 0;
        }
        return z;
    }

    @Test
    void channelMasksTakeTheChannelsBiasAlong() {
        // 4 output channels of 3 weights; the two of smallest L1 norm (1 and 3) go, with their biases
        float[] w = {5, 5, 5, 0.1f, 0.1f, 0.1f, 4, 4, 4, 0.2f, 0.2f, 0.2f};
        java.util.Map<String, float[]> all = new java.util.LinkedHashMap<>();
        all.put("w", w);
        all.put("b", new float[] {1, 2, 3, 4});
        java.util.Map<String, boolean[]> m = dev.tern.compress.prune.PruneRules.rule("channel", java.util.Map.of("w", new int[] {4, 3}),
                java.util.Map.of("b", "w")).masks(all, 0.5);
        assertArrayEquals(new boolean[] {true, true, true, false, false, false, true, true, true, false, false, false}, m.get("w"));
        assertArrayEquals(new boolean[] {true, false, true, false}, m.get("b"));
    }

    @Test
    void gradualUnstructuredFineTunesAndReports() throws Exception {
        Path out = dir.resolve("p.tern");
        Outcome r = tern("prune", model.toString(), "--sparsity", "0.8", "--epochs", "1", "--samples", "256", "--batch", "32",
                "--data", DATA, "--eval-samples", "200", "--threads", "1", "--json", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertTrue(j.get("pruned_layer_sparsity").asDouble() >= 0.8 - 1e-3, r.out());
        assertTrue(j.get("tasks").get("left").has("accuracy_after"), r.out());
        ModelDef p = TernModel.load(out).def();
        for (String t : new String[] {"conv1/filter", "conv2/filter", "fc/weights", "left/weights"}) {
            float[] w = p.tensor(t).floats();
            assertTrue(zeros(w) >= Math.round(0.8 * w.length), t + ": " + zeros(w) + " of " + w.length);
        }
        Provenance.Step step = Provenance.chain(p).get(0);
        assertEquals("prune", step.job());
        assertEquals("unstructured", step.settings().get("kind"));
        assertEquals(0.8, step.settings().get("sparsity"));
        assertEquals(ModelInput.crc32c(modelBytes), step.inputs().get(model.getFileName().toString()), "the input's checksum");
        assertArrayEquals(modelBytes, Files.readAllBytes(model));
    }

    @Test
    void twoOfFourSkipsLayersWhoseInputIsNotAMultipleOfFour() throws Exception {
        Path out = dir.resolve("p24.tern");
        Outcome r = tern("prune", model.toString(), "--kind", "2:4", "--epochs", "0", "--eval-samples", "0", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        ModelDef p = TernModel.load(out).def();
        for (String t : new String[] {"conv2/filter", "fc/weights", "left/weights"}) {
            float[] w = p.tensor(t).floats();
            for (int g = 0; g < w.length; g += 4) {
                int nz = 0;
                for (int i = 0; i < 4; i++) {
                    nz += w[g + i] != 0f ? 1 : 0;
                }
                assertTrue(nz <= 2, t + " group " + g);
            }
        }
        assertEquals(0, zeros(p.tensor("conv1/filter").floats()), "conv1 (cin 1) is skipped");
    }

    @Test
    void channelPruningShrinksTheModel() throws Exception {
        Path out = dir.resolve("pc.tern");
        Outcome r = tern("prune", model.toString(), "--kind", "channel", "--sparsity", "0.5", "--epochs", "0",
                "--eval-samples", "0", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        ModelDef p = TernModel.load(out).def();
        assertArrayEquals(new int[] {4, 3, 3, 1}, p.tensor("conv1/filter").shape());
        assertArrayEquals(new int[] {4, 3, 3, 4}, p.tensor("conv2/filter").shape());
        assertArrayEquals(new int[] {16, 9 * 9 * 4}, p.tensor("fc/weights").shape());
        assertArrayEquals(new int[] {10, 16}, p.tensor("left/weights").shape());
        assertTrue(p.parameterCount() < 0.55 * tiny().parameterCount(), p.parameterCount() + " params");
    }

    @Test
    void badInputExitsTwoAndWritesNothing() throws Exception {
        Path out = dir.resolve("bad.tern");
        String[][] cases = {
            {"--sparsity", "1.0", "--epochs", "0"},
            {"--sparsity", "-0.1", "--epochs", "0"},
            {"--sparsity", "0.5", "--kind", "2:4", "--layers", "conv1", "--epochs", "0"},
            {"--sparsity", "0.5", "--epochs", "1"},
            {"--sparsity", "0.5", "--kind", "blocky", "--epochs", "0"},
            {"--kind", "unstructured", "--epochs", "0"},
        };
        String[] expect = {"[0, 1)", "[0, 1)", "multiple of 4", "needs --data", "--kind", "--sparsity: required for kind unstructured"};
        for (int i = 0; i < cases.length; i++) {
            String[] args = new String[cases[i].length + 4];
            args[0] = "prune";
            args[1] = model.toString();
            System.arraycopy(cases[i], 0, args, 2, cases[i].length);
            args[args.length - 2] = "--out";
            args[args.length - 1] = out.toString();
            Outcome r = tern(args);
            assertEquals(2, r.code(), String.join(" ", cases[i]) + ": " + r.err());
            assertTrue(r.err().contains(expect[i]), String.join(" ", cases[i]) + ": " + r.err());
            assertEquals(1, r.err().strip().split("\n").length, r.err());
            assertFalse(Files.exists(out), String.join(" ", cases[i]));
        }
        Path int8 = Paths.get(System.getProperty("tern.repo", "..")).resolve("models/multifashion/hard-int8.tern");
        Outcome r = tern("prune", int8.toString(), "--sparsity", "0.5", "--epochs", "0", "--out", out.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("fp32"), r.err());
        assertFalse(Files.exists(out));
        assertArrayEquals(modelBytes, Files.readAllBytes(model));
    }
}
