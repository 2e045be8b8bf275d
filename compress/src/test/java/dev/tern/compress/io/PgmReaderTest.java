package dev.tern.compress.io;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PgmReaderTest {
    private static byte[] bytes(String header, int... raster) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        for (int v : raster) {
            b.write(v);
        }
        return b.toByteArray();
    }

    private static String rejected(byte[] data) {
        FileFormatException e = assertThrows(FileFormatException.class, () -> PgmReader.parse(data, "x.pgm"));
        assertTrue(e.getMessage().startsWith("x.pgm: "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void readsBinary8Bit() {
        Pixels p = PgmReader.parse(bytes("P5\n3 2\n255\n", 0, 1, 2, 253, 254, 255), "x.pgm");
        assertEquals(3, p.width());
        assertEquals(2, p.height());
        assertEquals(1, p.channels());
        assertArrayEquals(new float[] {0, 1, 2, 253, 254, 255}, p.samples());
        assertEquals(253f, p.sample(1, 0, 0));
    }

    @Test
    void readsBinary16BitBigEndianScaledTo255() {
        Pixels p = PgmReader.parse(bytes("P5 2 1 65535 ", 0xff, 0xff, 0x01, 0x01), "x.pgm");
        assertArrayEquals(new float[] {255f, 257 * 255f / 65535}, p.samples());
    }

    @Test
    void readsPlainWithCommentsAndOtherMaxval() {
        Pixels p = PgmReader.parse(bytes("P2\n# a comment\n2 2 # trailing comment\n15\n0 15\n\t5  10\n\n"), "x.pgm");
        assertArrayEquals(new float[] {0, 255, 85, 170}, p.samples());
    }

    @Test
    void rejectsMalformedFiles() {
        String[][] cases = {
            {"P6\n1 1\n255\n\u0000", "not a PGM image"},
            {"", "not a PGM image"},
            {"P5\n2 2\n255\n\u0001\u0002\u0003", "truncated: 2x2 samples of 1 byte(s) need 4 bytes of raster, the file holds 3"},
            {"P5\n1 1\n255\n\u0001\u0002", "trailing bytes"},
            {"P5\n1 1\n255", "truncated header"},
            {"P5\n1 1\n0\n\u0000", "maxval is 0"},
            {"P5\n1 1\n70000\n\u0000\u0000", "maxval is 70000"},
            {"P5\n0 1\n255\n", "image is 0x1"},
            {"P5\nx 1\n255\n", "expected width"},
            {"P5\n1 1\n100\n\u00c8", "is 200, above maxval 100"},
            {"P2\n2 2\n255\n1 2 3", "truncated"},
            {"P2\n1 1\n255\n1 2", "trailing data"},
            {"P2\n1 1\n255\n1x", "expected whitespace after sample 0"},
            {"P5\n99999999999 1\n255\n", "width at byte 3 is too large"},
        };
        for (String[] c : cases) {
            String m = rejected(c[0].getBytes(StandardCharsets.ISO_8859_1));
            assertTrue(m.contains(c[1]), c[0].replace("\n", "\\n") + " -> " + m);
        }
    }

    @Test
    void absurdSizesAreRejectedBeforeAllocating() {
        String m = rejected(bytes("P5\n100000 100000\n255\n", 1, 2, 3));
        assertTrue(m.contains("need 10000000000 bytes of raster, the file holds 3"), m);
        m = rejected(bytes("P2\n100000 100000\n255\n1 2 3"));
        assertTrue(m.contains("cannot fit"), m);
    }
}
