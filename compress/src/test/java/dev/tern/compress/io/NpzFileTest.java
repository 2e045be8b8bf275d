package dev.tern.compress.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpzFileTest {
    @TempDir
    Path dir;

    /** The arrays make_fixtures.py writes with numpy 1.24 through savez (stored) and savez_compressed (deflated). */
    @ParameterizedTest
    @ValueSource(strings = {"savez.npz", "savez_compressed.npz"})
    void readsWhatNumpyWrites(String name) throws Exception {
        Path f = dir.resolve(name);
        try (var in = NpzFileTest.class.getResourceAsStream("/npz/" + name)) {
            Files.copy(in, f);
        }
        try (NpzFile npz = NpzFile.open(f)) {
            assertEquals(List.of("x", "pixels", "ids", "ids32", "flags", "targets"), npz.names());
            NpzFile.Member x = npz.member("x");
            assertEquals(NpyDType.FLOAT32, x.dtype());
            assertArrayEquals(new long[] {2, 3}, x.shape());
            float[] xs = new float[6];
            x.read(0, 6, xs, 0);
            assertArrayEquals(new float[] {0f, 1.5f, -2f, 3f, 4f, 5.25f}, xs);
            float[] row1 = new float[3];
            x.read(3, 3, row1, 0);
            assertArrayEquals(new float[] {3f, 4f, 5.25f}, row1);
            NpzFile.Member p = npz.member("pixels");
            assertEquals("uint8 (2, 2, 2, 1)", p.describe());
            assertArrayEquals(new double[] {0, 30, 60, 90, 120, 150, 180, 210}, p.all());
            assertEquals(NpyDType.INT64, npz.member("ids").dtype());
            assertArrayEquals(new double[] {0, 2}, npz.member("ids").all());
            assertArrayEquals(new double[] {1, 0}, npz.member("ids32").all());
            assertEquals(NpyDType.BOOL, npz.member("flags").dtype());
            assertArrayEquals(new double[] {1, 0, 0, 1}, npz.member("flags").all());
            assertArrayEquals(new double[] {0.5, -1.25}, npz.member("targets").all());
        }
    }

    @Test
    void writerRoundTripsAndNumpyStyleMembers() throws Exception {
        Path f = dir.resolve("w.npz");
        NpzWriter.write(f, w -> {
            w.bytes("x", NpyDType.UINT8, new long[] {2, 3}, new byte[] {0, 1, 2, (byte) 200, (byte) 255, 7});
            w.longs("left", new long[] {2}, new long[] {9, 3});
            w.floats("t", new long[] {2, 1}, new float[] {-0.5f, 1e-3f});
        });
        try (NpzFile npz = NpzFile.open(f)) {
            assertArrayEquals(new double[] {0, 1, 2, 200, 255, 7}, npz.member("x").all());
            assertArrayEquals(new double[] {9, 3}, npz.member("left").all());
            float[] t = new float[2];
            npz.member("t").read(0, 2, t, 0);
            assertArrayEquals(new float[] {-0.5f, 1e-3f}, t);
        }
        // no temporary files are left beside it
        try (var s = Files.list(dir)) {
            assertEquals(List.of(f), s.toList());
        }
    }

    @Test
    void aFailingWriterLeavesNothing() {
        Path f = dir.resolve("bad.npz");
        assertThrows(IllegalStateException.class, () -> NpzWriter.write(f, w ->
                w.array("x", NpyDType.FLOAT32, new long[] {4}, out -> out.write(new byte[12]))));
        assertFalse(Files.exists(f));
    }

    @Test
    void truncatedArchiveIsAMessage() throws Exception {
        Path good = dir.resolve("g.npz");
        NpzWriter.write(good, w -> w.floats("x", new long[] {100}, new float[100]));
        byte[] b = Files.readAllBytes(good);
        Path bad = dir.resolve("cut.npz");
        Files.write(bad, Arrays.copyOf(b, b.length / 2));
        FileFormatException e = assertThrows(FileFormatException.class, () -> NpzFile.open(bad));
        assertTrue(e.getMessage().startsWith(bad + ": "), e.getMessage());
    }

    @Test
    void notAZipIsAMessage() throws Exception {
        Path bad = dir.resolve("text.npz");
        Files.writeString(bad, "hello");
        FileFormatException e = assertThrows(FileFormatException.class, () -> NpzFile.open(bad));
        assertTrue(e.getMessage().contains("not a .npz (zip) file"), e.getMessage());
    }

    @Test
    void memberThatIsNotNpyIsNamed() throws Exception {
        Path f = dir.resolve("odd.npz");
        try (var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(f))) {
            z.putNextEntry(new java.util.zip.ZipEntry("readme.txt"));
            z.write("hi".getBytes());
            z.closeEntry();
        }
        FileFormatException e = assertThrows(FileFormatException.class, () -> NpzFile.open(f));
        assertTrue(e.getMessage().contains("member readme.txt: expected only .npy members"), e.getMessage());
    }

    @Test
    void memberWhoseDataIsShortIsNamed() throws Exception {
        Path f = dir.resolve("short.npz");
        byte[] npy = NpyWriter.toBytes(new int[] {4}, new float[4]);
        try (var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(f))) {
            z.putNextEntry(new java.util.zip.ZipEntry("x.npy"));
            z.write(npy, 0, npy.length - 4);
            z.closeEntry();
        }
        FileFormatException e = assertThrows(FileFormatException.class, () -> NpzFile.open(f));
        assertTrue(e.getMessage().contains("member x.npy: truncated: float32 (4,) needs 16 bytes"), e.getMessage());
    }
}
