package dev.tern.runtime.format;

import dev.tern.runtime.Backend;
import dev.tern.runtime.Session;
import dev.tern.runtime.SessionOptions;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.TestModels;
import dev.tern.runtime.model.ModelDef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checked-in model files of released format versions must keep loading and giving the same
 * outputs. {@code all-ops-1.0.tern} is {@code TestModels.allOps(2024)} written by format 1.0;
 * {@code all-ops-1.0.expected} holds, per line, the outputs (all task values, then graph
 * output cat2, as float bits in hex) of the reference backend on the inputs below.
 *
 * <p>When the format changes, keep these files and add new ones for the new version.
 * Regenerate (only for a new version's fixture) with
 * {@code mvn -pl runtime/core test -Dtest=GoldenFileTest -Dtern.golden.regenerate=true}.
 */
class GoldenFileTest {
    static final String MODEL = "/dev/tern/runtime/golden/all-ops-1.0.tern";
    static final String EXPECTED = "/dev/tern/runtime/golden/all-ops-1.0.expected";
    static final long MODEL_SEED = 2024;
    static final long INPUT_SEED = 7;
    static final int INPUTS = 5;

    static float[][] inputs() {
        Random rnd = new Random(INPUT_SEED);
        float[][] in = new float[INPUTS][];
        for (int i = 0; i < INPUTS; i++) {
            in[i] = TestModels.random(rnd, TestModels.ALL_OPS_INPUT_SIZE, 2f);
        }
        return in;
    }

    static List<float[]> outputs(TernModel m) {
        List<float[]> out = new ArrayList<>();
        try (Session s = m.newSession(SessionOptions.defaults())) {
            for (float[] x : inputs()) {
                float[] tasks = TestModels.runAll(s, x);
                float[] cat2 = s.output("cat2", 0);
                float[] row = new float[tasks.length + cat2.length];
                System.arraycopy(tasks, 0, row, 0, tasks.length);
                System.arraycopy(cat2, 0, row, tasks.length, cat2.length);
                out.add(row);
            }
        }
        return out;
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = GoldenFileTest.class.getResourceAsStream(name)) {
            assertNotNull(in, "missing test resource " + name);
            return in.readAllBytes();
        }
    }

    @Test
    void format10FileStillLoadsAndGivesItsRecordedOutputs() throws IOException {
        byte[] file = resource(MODEL);
        String[] lines = new String(resource(EXPECTED), StandardCharsets.US_ASCII).trim().split("\n");
        assertEquals(INPUTS, lines.length);
        for (Backend backend : TestModels.backends()) {
            List<float[]> got = outputs(TernModel.load(ByteBuffer.wrap(file), backend));
            for (int i = 0; i < INPUTS; i++) {
                String[] hex = lines[i].trim().split(" ");
                assertEquals(hex.length, got.get(i).length, "values per input");
                for (int k = 0; k < hex.length; k++) {
                    float expected = Float.intBitsToFloat(Integer.parseUnsignedInt(hex[k], 16));
                    float actual = got.get(i)[k];
                    // Recorded by the reference backend on one machine; other backends and
                    // platforms (Math.exp may differ by an ulp) stay within float rounding of
                    // a few short layers. Values are O(1).
                    if (!(Math.abs(expected - actual) <= 1e-5 * Math.max(1, Math.abs(expected)))) {
                        fail(backend + ": input " + i + " value " + k + " recorded " + expected + " got " + actual);
                    }
                }
            }
        }
    }

    @Test
    @EnabledIfSystemProperty(named = "tern.golden.regenerate", matches = "true")
    void regenerate() throws IOException {
        Path dir = Paths.get("src/test/resources/dev/tern/runtime/golden");
        Files.createDirectories(dir);
        ModelDef def = TestModels.allOps(MODEL_SEED);
        TernWriter.write(def, dir.resolve("all-ops-1.0.tern"));
        StringBuilder sb = new StringBuilder();
        for (float[] row : outputs(TernModel.of(def, Backend.REFERENCE))) {
            for (int k = 0; k < row.length; k++) {
                sb.append(k == 0 ? "" : " ").append(String.format("%08x", Float.floatToRawIntBits(row[k])));
            }
            sb.append('\n');
        }
        Files.write(dir.resolve("all-ops-1.0.expected"), sb.toString().getBytes(StandardCharsets.US_ASCII));
    }
}
