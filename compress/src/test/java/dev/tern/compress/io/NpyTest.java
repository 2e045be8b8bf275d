package dev.tern.compress.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpyTest {
    @TempDir
    Path dir;

    /** A .npy file image: preamble of the given version, the dictionary padded to 64 bytes, then data. */
    static byte[] npy(int major, String dict, byte[] data) {
        int preamble = major == 1 ? 10 : 12;
        StringBuilder h = new StringBuilder(dict);
        while ((preamble + h.length() + 1) % 64 != 0) {
            h.append(' ');
        }
        h.append('\n');
        ByteBuffer b = ByteBuffer.allocate(preamble + h.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(NpyReader.MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) {
            b.putShort((short) h.length());
        } else {
            b.putInt(h.length());
        }
        b.put(h.toString().getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1)).put(data);
        return b.array();
    }

    private Path file(byte[] bytes) throws Exception {
        Path f = dir.resolve("a.npy");
        Files.write(f, bytes);
        return f;
    }

    private String rejected(byte[] bytes) throws Exception {
        Path f = file(bytes);
        FileFormatException e = assertThrows(FileFormatException.class, () -> NpyReader.read(f));
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void writerMatchesNumpyByteForByte() {
        // numpy.save(f, numpy.array([1.0, 2.0], dtype='<f4'))
        byte[] b = NpyWriter.toBytes(new int[] {2}, new float[] {1f, 2f});
        assertEquals(128 + 8, b.length);
        assertArrayEquals(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0x76, 0}, Arrays.copyOf(b, 10));
        String header = new String(b, 10, 118, StandardCharsets.ISO_8859_1);
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }" + " ".repeat(60) + "\n", header);
        assertEquals(1f, ByteBuffer.wrap(b, 128, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat());
    }

    @Test
    void roundTripsShapesFromScalarToRank4() throws Exception {
        Random rnd = new Random(7);
        int[][] shapes = {{}, {1}, {5}, {2, 3}, {1, 8, 8, 1}, {0, 4}, {3, 1, 2, 7}};
        for (int[] shape : shapes) {
            int n = 1;
            for (int d : shape) {
                n *= d;
            }
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = rnd.nextFloat() * 200 - 100;
            }
            Path f = dir.resolve("r" + shape.length + "_" + n + ".npy");
            NpyWriter.write(f, shape, v);
            assertEquals(0, (Files.size(f) - 4L * n) % 64, "data starts on a 64-byte boundary");
            NpyArray a = NpyReader.read(f);
            assertArrayEquals(shape, a.shape(), Arrays.toString(shape));
            assertArrayEquals(v, a.values(), Arrays.toString(shape));
            assertEquals(NpyDType.FLOAT32, a.storedAs());
        }
    }

    @Test
    void readsVersions2And3AndOtherDtypes() throws Exception {
        ByteBuffer f8 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.25).putDouble(-3);
        NpyArray a = NpyReader.read(file(npy(2, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", f8.array())));
        assertArrayEquals(new float[] {0.25f, -3f}, a.values());
        assertEquals(NpyDType.FLOAT64, a.storedAs());

        ByteBuffer be = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putFloat(1.5f).putFloat(7f);
        a = NpyReader.read(file(npy(3, "{\"descr\": \">f4\", \"shape\": (1, 2), \"fortran_order\": False}", be.array())));
        assertArrayEquals(new int[] {1, 2}, a.shape());
        assertArrayEquals(new float[] {1.5f, 7f}, a.values());

        a = NpyReader.read(file(npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (3L,), }",
                new byte[] {0, (byte) 128, (byte) 255})));
        assertArrayEquals(new float[] {0f, 128f, 255f}, a.values());
        assertEquals(NpyDType.UINT8, a.storedAs());
    }

    @Test
    void rejectsWrongMagicAndVersions() throws Exception {
        assertTrue(rejected("hello world".getBytes(StandardCharsets.US_ASCII)).contains("not a .npy file"));
        assertTrue(rejected(new byte[0]).contains("not a .npy file"));
        byte[] b = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new byte[4]);
        b[6] = 4;
        assertTrue(rejected(b).contains("version 4.0 is not supported"));
        b[6] = 1;
        b[7] = 1;
        assertTrue(rejected(b).contains("version 1.1 is not supported"));
        assertTrue(rejected(Arrays.copyOf(b, 8)).contains("truncated"));
    }

    @Test
    void rejectsBadHeaders() throws Exception {
        String[][] cases = {
            {"{'descr': '<f4', 'fortran_order': False, }", "missing shape"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}", "unexpected key 'extra'"},
            {"{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,), }", "expected True or False"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", "non-negative integer"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } x", "after the dictionary"},
            {"{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", "structured arrays"},
            {"{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", "dtype '<i8' is not supported"},
            {"{'descr': '<f4', 'fortran_order': True, 'shape': (1, 1), }", "Fortran order"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999,), }", "larger than"},
        };
        for (String[] c : cases) {
            String m = rejected(npy(1, c[0], new byte[4]));
            assertTrue(m.contains(c[1]), c[0] + " -> " + m);
        }
    }

    @Test
    void checksTheDataLengthBeforeAllocating() throws Exception {
        String m = rejected(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", new byte[20]));
        assertTrue(m.contains("truncated: float32 (2, 3) needs 24 bytes of data, the file holds 20"), m);
        m = rejected(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", new byte[12]));
        assertTrue(m.contains("trailing bytes"), m);
        m = rejected(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }", new byte[8]));
        assertTrue(m.contains("more elements than an array holds"), m);
        m = rejected(npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (30000, 30000), }", new byte[8]));
        assertTrue(m.contains("truncated: float64 (30000, 30000) needs 7200000000 bytes"), m);
    }

    @Test
    void rejectsAHeaderLengthPastTheEndOfTheFile() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(NpyReader.MAGIC);
        b.write(new byte[] {2, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f});
        b.write("{}".getBytes(StandardCharsets.US_ASCII));
        String m = rejected(b.toByteArray());
        assertTrue(m.contains("truncated: the preamble announces a 2147483647-byte header"), m);
    }
}
