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
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The format 1.3 fixture: {@code ops-int8-1.3.tern} is {@code TestModels.since13OpsInt8(2024)}
 * (a dense layer into hard_sigmoid and hard_swish, int8), with the int8 bytes of both ops for
 * five fixed inputs; every backend, and every later reader, must give them (regenerate with
 * {@code -Dtern.golden.regenerate=true}).
 */
class Ops13GoldenFileTest {
    static final String MODEL = "/dev/tern/runtime/golden/ops-int8-1.3.tern";
    static final String EXPECTED = "/dev/tern/runtime/golden/ops-int8-1.3.expected";
    static final String[] VALUES = {"hsig", "hswish"};
    static final int INPUTS = 5;

    static String[] outputs(TernModel m) {
        Random rnd = new Random(99);
        String[] lines = new String[INPUTS];
        try (Session s = m.newSession(SessionOptions.defaults())) {
            for (int i = 0; i < INPUTS; i++) {
                float[] x = new float[12];
                for (int j = 0; j < x.length; j++) {
                    x[j] = (rnd.nextFloat() * 2 - 1) * 4;
                }
                s.run(x);
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
        assertEquals(3, ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getShort(10), "minor version");
        String[] expected = new String(GoldenFileTest.resource(EXPECTED), StandardCharsets.US_ASCII).trim().split("\n");
        assertEquals(INPUTS, expected.length);
        for (Backend backend : TestModels.backends()) {
            TernModel m = TernModel.load(ByteBuffer.wrap(file), backend);
            String[] got = outputs(m);
            for (int i = 0; i < INPUTS; i++) {
                assertEquals(expected[i].trim(), got[i], backend + " (" + m.kernels().values() + "): input " + i);
            }
        }
        assertArrayEquals(file, TernWriter.toBytes(TernReader.read(ByteBuffer.wrap(file))), "this writer writes the fixture's bytes");
    }

    @Test
    @EnabledIfSystemProperty(named = "tern.golden.regenerate", matches = "true")
    void regenerate() throws IOException {
        Path dir = Paths.get("src/test/resources/dev/tern/runtime/golden");
        ModelDef def = TestModels.since13OpsInt8(2024);
        TernWriter.write(def, dir.resolve("ops-int8-1.3.tern"));
        StringBuilder sb = new StringBuilder();
        for (String line : outputs(TernModel.of(def, Backend.REFERENCE))) {
            sb.append(line).append('\n');
        }
        Files.write(dir.resolve("ops-int8-1.3.expected"), sb.toString().getBytes(StandardCharsets.US_ASCII));
    }
}
