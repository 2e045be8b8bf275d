package dev.tern.compress.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static dev.tern.compress.data.IdxBytes.gzip;
import static dev.tern.compress.data.IdxBytes.idx;
import static dev.tern.compress.data.IdxBytes.ramp;
import static dev.tern.compress.data.IdxBytes.ubyte;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxTest {
    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private DataException fails(byte[] bytes) throws IOException {
        Path f = write("bad", bytes);
        return assertThrows(DataException.class, () -> Idx.read(f));
    }

    @Test
    void readsRawRank3() throws Exception {
        byte[] data = ramp(2 * 3 * 4);
        data[5] = (byte) 250; // unsigned values above 127 come back as such
        IdxArray a = Idx.read(write("x-idx3-ubyte", ubyte(new int[] {2, 3, 4}, data)));
        assertArrayEquals(new int[] {2, 3, 4}, a.dims());
        assertEquals(3, a.rank());
        assertEquals(24, a.size());
        assertArrayEquals(data, a.toByteArray());
        assertEquals(250, a.get(5));
        assertEquals(23, a.get(23));
    }

    @Test
    void readsGzipRank1AndDetectsByContentNotName() throws Exception {
        byte[] data = ramp(300);
        byte[] gz = gzip(ubyte(new int[] {300}, data));
        assertEquals(0x1f, gz[0] & 0xff);
        assertEquals(0x8b, gz[1] & 0xff);
        IdxArray named = Idx.read(write("labels-idx1-ubyte.gz", gz));
        IdxArray unnamed = Idx.read(write("labels-idx1-ubyte", gz));
        assertArrayEquals(new int[] {300}, named.dims());
        assertArrayEquals(data, named.toByteArray());
        assertArrayEquals(data, unnamed.toByteArray());
        // and a raw file that is called .gz is read raw
        IdxArray raw = Idx.read(write("raw.gz", ubyte(new int[] {300}, data)));
        assertArrayEquals(data, raw.toByteArray());
    }

    @Test
    void readsMultiMemberGzip() throws Exception {
        // Two concatenated gzip members: the trailer's ISIZE covers only the second, so the reader counts.
        byte[] raw = ubyte(new int[] {4, 5}, ramp(20));
        byte[] first = gzip(Arrays.copyOf(raw, 10));
        byte[] second = gzip(Arrays.copyOfRange(raw, 10, raw.length));
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        IdxArray a = Idx.read(write("multi.gz", both));
        assertArrayEquals(new int[] {4, 5}, a.dims());
        assertArrayEquals(ramp(20), a.toByteArray());
    }

    @Test
    void emptyDimensionGivesEmptyArray() throws Exception {
        IdxArray a = Idx.read(write("empty", ubyte(new int[] {0, 28, 28}, new byte[0])));
        assertArrayEquals(new int[] {0, 28, 28}, a.dims());
        assertEquals(0, a.size());
    }

    @Test
    void holderIsImmutable() throws Exception {
        IdxArray a = Idx.read(write("x", ubyte(new int[] {3}, new byte[] {1, 2, 3})));
        a.dims()[0] = 99;
        a.toByteArray()[0] = 99;
        assertArrayEquals(new int[] {3}, a.dims());
        assertEquals(1, a.get(0));
        assertTrue(a.buffer().isReadOnly());
    }

    @Test
    void truncatedRawDataSaysExpectedAndFound() throws Exception {
        byte[] full = ubyte(new int[] {2, 3, 4}, ramp(24));
        DataException e = fails(Arrays.copyOf(full, full.length - 5));
        assertTrue(e.getMessage().contains("need 24 data bytes, found 19"), e.getMessage());
    }

    @Test
    void truncatedGzipDataSaysExpectedAndFound() throws Exception {
        byte[] full = ubyte(new int[] {2, 3, 4}, ramp(24));
        DataException e = fails(gzip(Arrays.copyOf(full, full.length - 5)));
        assertTrue(e.getMessage().contains("need 24 data bytes, found 19"), e.getMessage());
    }

    @Test
    void cutGzipStreamIsCorrupt() throws Exception {
        byte[] gz = gzip(ubyte(new int[] {1000}, ramp(1000)));
        DataException e = fails(Arrays.copyOf(gz, gz.length / 2));
        assertTrue(e.getMessage().contains("corrupt or truncated gzip"), e.getMessage());
    }

    @Test
    void extraBytesAreAnError() throws Exception {
        byte[] raw = ubyte(new int[] {3}, ramp(5)); // 5 data bytes for dims [3]
        DataException r = fails(raw);
        assertTrue(r.getMessage().contains("need 3 data bytes, found 5 (2 extra"), r.getMessage());
        DataException g = fails(gzip(raw));
        assertTrue(g.getMessage().contains("need 3 data bytes, found 5 (2 extra"), g.getMessage());
    }

    @Test
    void hugeHeaderFailsBeforeAllocating() throws Exception {
        // 60000 x 28 x 28000 = 47e9 elements: more than an array holds; the file is 20 bytes.
        DataException big = fails(ubyte(new int[] {60000, 28, 28000}, new byte[4]));
        assertTrue(big.getMessage().contains("more than " + Idx.MAX_ELEMENTS), big.getMessage());
        // 2e9 elements would fit an array but the file does not hold them: no 2 GB allocation happens.
        DataException raw = fails(ubyte(new int[] {2_000_000_000}, new byte[4]));
        assertTrue(raw.getMessage().contains("need 2000000000 data bytes, found 4"), raw.getMessage());
        DataException gz = fails(gzip(ubyte(new int[] {2_000_000_000}, new byte[4])));
        assertTrue(gz.getMessage().contains("need 2000000000 data bytes, found 4"), gz.getMessage());
        DataException negative = fails(ubyte(new int[] {-1}, new byte[4]));
        assertTrue(negative.getMessage().contains("dimension 0 is 4294967295"), negative.getMessage());
    }

    @Test
    void badMagicIsNamed() throws Exception {
        byte[] b = ubyte(new int[] {3}, ramp(3));
        b[0] = 0x12;
        b[1] = 0x34;
        DataException e = fails(b);
        assertTrue(e.getMessage().contains("not an IDX file: it starts with 1234, expected 0000"), e.getMessage());
        // PNG, say
        DataException png = fails(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        assertTrue(png.getMessage().contains("starts with 8950"), png.getMessage());
    }

    @Test
    void otherElementTypesAreRejectedByName() throws Exception {
        DataException f = fails(idx(0x0D, new int[] {1}, new byte[4]));
        assertTrue(f.getMessage().contains("type 0x0d (float32) is not supported; expected 0x08 (unsigned byte)"), f.getMessage());
        DataException i = fails(gzip(idx(0x0C, new int[] {1}, new byte[4])));
        assertTrue(i.getMessage().contains("0x0c (int32)"), i.getMessage());
        DataException junk = fails(idx(0x42, new int[] {1}, new byte[1]));
        assertTrue(junk.getMessage().contains("0x42 (not an IDX type)"), junk.getMessage());
    }

    @Test
    void shortAndEmptyFiles() throws Exception {
        DataException empty = fails(new byte[0]);
        assertTrue(empty.getMessage().contains("truncated header: 0 bytes"), empty.getMessage());
        DataException three = fails(new byte[] {0, 0, 8});
        assertTrue(three.getMessage().contains("truncated header: 3 bytes, an IDX header needs at least 4"), three.getMessage());
        // Rank 3 announced, only one dimension present.
        DataException dims = fails(new byte[] {0, 0, 8, 3, 0, 0, 0, 1});
        assertTrue(dims.getMessage().contains("truncated header: 8 bytes, the header needs 16"), dims.getMessage());
        DataException gzDims = fails(gzip(new byte[] {0, 0, 8, 3, 0, 0, 0, 1}));
        assertTrue(gzDims.getMessage().contains("truncated header: 8 bytes after decompression, the header needs 16"),
                gzDims.getMessage());
        DataException rank0 = fails(new byte[] {0, 0, 8, 0});
        assertTrue(rank0.getMessage().contains("rank 0"), rank0.getMessage());
    }

    @Test
    void dataExceptionIsATernException() throws Exception {
        DataException e = fails(new byte[0]);
        assertTrue(e instanceof dev.tern.runtime.TernException);
        assertTrue(e.getMessage().startsWith(dir.resolve("bad").toString()), "message names the file: " + e.getMessage());
    }
}
