package dev.tern.sample;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The canvases asset's reader: the shipped file, a hand-made one, and every way a file can be wrong. */
class CanvasesTest {
    private static byte[] file(int magic, int version, int count, int h, int w, int canvases, int extra) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(magic);
        d.writeInt(version);
        d.writeInt(count);
        d.writeInt(h);
        d.writeInt(w);
        for (int i = 0; i < canvases; i++) {
            d.writeByte(i % 10);
            d.writeByte(9 - i % 10);
            for (int p = 0; p < h * w; p++) {
                d.writeByte(i + p);
            }
        }
        for (int i = 0; i < extra; i++) {
            d.writeByte(0);
        }
        return b.toByteArray();
    }

    private static String error(byte[] bytes) {
        return assertThrows(IOException.class, () -> Canvases.read(new ByteArrayInputStream(bytes))).getMessage();
    }

    @Test
    void readsTheFieldsBackAndGreyPixels() throws IOException {
        Canvases c = Canvases.read(new ByteArrayInputStream(file(Canvases.MAGIC, 1, 3, 2, 3, 3, 0)));
        assertEquals(3, c.size());
        assertEquals(2, c.height());
        assertEquals(3, c.width());
        assertEquals(2, c.left(2));
        assertEquals(7, c.right(2));
        assertArrayEquals(new byte[] {2, 3, 4, 5, 6, 7}, c.pixels(2));
        assertEquals(0xFF050505, c.argb(2)[3]);
    }

    @Test
    void theShippedAssetHolds100LabelledCanvases() throws IOException {
        try (InputStream in = Files.newInputStream(Paths.get("src/main/assets/canvases.bin"))) {
            Canvases c = Canvases.read(in);
            assertEquals(100, c.size());
            assertEquals(36, c.height());
            assertEquals(36, c.width());
            for (int i = 0; i < c.size(); i++) {
                assertTrue(c.left(i) < 10 && c.right(i) < 10, "canvas " + i);
            }
        }
    }

    @Test
    void badFilesSayWhatWasExpected() throws IOException {
        assertTrue(error(file(0x12345678, 1, 1, 2, 2, 1, 0)).contains("expected magic 0x54434E56 (TCNV), found 0x12345678"));
        assertTrue(error(file(Canvases.MAGIC, 2, 1, 2, 2, 1, 0)).contains("version 2 is not supported (expected 1)"));
        assertTrue(error(file(Canvases.MAGIC, 1, 0, 2, 2, 0, 0)).contains("count 0"));
        assertTrue(error(file(Canvases.MAGIC, 1, 1, 2, 5000, 0, 0)).contains("width 5000"));
        assertTrue(error(file(Canvases.MAGIC, 1, 3, 2, 2, 2, 0)).contains("truncated"));
        assertTrue(error(file(Canvases.MAGIC, 1, 1, 2, 2, 1, 1)).contains("bytes after its 1 canvases"));
        assertTrue(error(new byte[3]).contains("truncated"));
    }
}
