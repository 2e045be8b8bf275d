package dev.tern.runtime.format;

import dev.tern.runtime.Backend;
import dev.tern.runtime.Session;
import dev.tern.runtime.SessionOptions;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.TestModels;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.ValueType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The int8 golden vectors: {@code all-ops-int8-1.1.tern} is {@code TestModels.allOpsInt8(2024)}
 * written by format 1.1; {@code all-ops-int8-1.1.expected} holds, per input, the int8 bytes
 * (two hex digits each) of the three values computed in int8 end to end: the left head's
 * logits {@code left_fc}, the pooled features {@code cat2} and the regression head
 * {@code r_relu6}. Integer arithmetic admits no tolerance: every backend, JVM, CPU
 * architecture and Android must give exactly these bytes (the present head, which passes
 * through float softmax and sigmoid, is left out on purpose).
 *
 * <p>Regenerate (only for a new format version's fixture) with
 * {@code mvn -pl runtime/core test -Dtest=Int8GoldenFileTest -Dtern.golden.regenerate=true}.
 */
class Int8GoldenFileTest {
    static final String MODEL = "/dev/tern/runtime/golden/all-ops-int8-1.1.tern";
    static final String EXPECTED = "/dev/tern/runtime/golden/all-ops-int8-1.1.expected";
    static final String[] VALUES = {"left_fc", "cat2", "r_relu6"};
    static final int INPUTS = 8;

    static float[][] inputs() {
        Random rnd = new Random(11);
        float[][] in = new float[INPUTS][];
        for (int i = 0; i < INPUTS; i++) {
            in[i] = TestModels.random(rnd, TestModels.ALL_OPS_INPUT_SIZE, 1.5f);
        }
        return in;
    }

    /** Per input, the int8 bytes of {@link #VALUES}, recovered exactly from their dequantized float outputs. */
    static String[] outputs(TernModel m) {
        String[] lines = new String[INPUTS];
        float[][] in = inputs();
        try (Session s = m.newSession(SessionOptions.defaults())) {
            for (int i = 0; i < INPUTS; i++) {
                s.run(in[i]);
                StringBuilder sb = new StringBuilder();
                for (String v : VALUES) {
                    ValueType t = m.def().typeOf(v + "__q");
                    for (float f : s.output(v, 0)) {
                        int q = Math.round(f / t.scale()) + t.zeroPoint();
                        sb.append(sb.length() == 0 ? "" : " ").append(String.format("%02x", q & 0xff));
                    }
                }
                lines[i] = sb.toString();
            }
        }
        return lines;
    }

    @Test
    void int8OutputsAreTheRecordedBytesOnEveryBackend() throws IOException {
        byte[] file = GoldenFileTest.resource(MODEL);
        String[] expected = new String(GoldenFileTest.resource(EXPECTED), StandardCharsets.US_ASCII).trim().split("\n");
        assertEquals(INPUTS, expected.length);
        for (Backend backend : TestModels.backends()) {
            TernModel m = TernModel.load(ByteBuffer.wrap(file), backend);
            String[] got = outputs(m);
            for (int i = 0; i < INPUTS; i++) {
                assertEquals(expected[i].trim(), got[i], backend + " (" + m.kernels().values() + "): input " + i
                        + ", os.arch=" + System.getProperty("os.arch"));
            }
        }
    }

    @Test
    @EnabledIfSystemProperty(named = "tern.golden.regenerate", matches = "true")
    void regenerate() throws IOException {
        Path dir = Paths.get("src/test/resources/dev/tern/runtime/golden");
        ModelDef def = TestModels.allOpsInt8(2024);
        TernWriter.write(def, dir.resolve("all-ops-int8-1.1.tern"));
        StringBuilder sb = new StringBuilder();
        for (String line : outputs(TernModel.of(def, Backend.REFERENCE))) {
            sb.append(line).append('\n');
        }
        Files.write(dir.resolve("all-ops-int8-1.1.expected"), sb.toString().getBytes(StandardCharsets.US_ASCII));
    }
}
