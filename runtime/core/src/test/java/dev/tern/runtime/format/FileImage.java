package dev.tern.runtime.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A test-side decoder of the {@code .tern} container, written from the layout that
 * TernWriter documents (not from its constants), so that the tests check the bytes against
 * an independent reading:
 * <pre>
 * header (64 bytes, little-endian):
 *   0  magic 89 54 45 52 4E 0D 0A 1A      8  u16 major   10 u16 minor   12 u32 flags
 *   16 u64 file size    24 u32 section count    28 u32 section table offset
 *   32..55 reserved     56 u32 CRC32C of the section table    60 u32 CRC32C of bytes 0..59
 * section table: count entries of 32 bytes:
 *   u32 fourcc id, u32 flags, u64 offset, u64 length, u32 CRC32C of the section, u32 reserved
 * </pre>
 * It can also patch bytes and recompute every checksum, so that a test can make a file
 * whose checksums are right and whose content is wrong.
 */
final class FileImage {
    static final int HEADER = 64;
    static final int ENTRY = 32;

    final byte[] bytes;

    FileImage(byte[] bytes) {
        this.bytes = bytes.clone();
    }

    ByteBuffer le() {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    int sectionCount() {
        return le().getInt(24);
    }

    int tableOffset() {
        return le().getInt(28);
    }

    /** One section table entry. */
    static final class Section {
        final int index;
        final String id;
        final int flags;
        final long offset;
        final long length;
        final int crc;

        Section(int index, String id, int flags, long offset, long length, int crc) {
            this.index = index;
            this.id = id;
            this.flags = flags;
            this.offset = offset;
            this.length = length;
            this.crc = crc;
        }

        @Override
        public String toString() {
            return id + "@" + offset + "+" + length;
        }
    }

    List<Section> sections() {
        ByteBuffer b = le();
        List<Section> out = new ArrayList<>();
        for (int i = 0; i < sectionCount(); i++) {
            int e = tableOffset() + i * ENTRY;
            byte[] id = new byte[4];
            for (int k = 0; k < 4; k++) {
                id[k] = bytes[e + k];
            }
            out.add(new Section(i, new String(id, StandardCharsets.US_ASCII), b.getInt(e + 4), b.getLong(e + 8),
                    b.getLong(e + 16), b.getInt(e + 24)));
        }
        return out;
    }

    Section section(String id) {
        for (Section s : sections()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new AssertionError("no section " + id + " in " + sections());
    }

    static int crc32c(byte[] b, long off, long len) {
        CRC32C c = new CRC32C();
        c.update(b, (int) off, (int) len);
        return (int) c.getValue();
    }

    /** Recomputes every section CRC, the table CRC and the header CRC. */
    FileImage fixChecksums() {
        ByteBuffer b = le();
        for (Section s : sections()) {
            b.putInt(tableOffset() + s.index * ENTRY + 24, crc32c(bytes, s.offset, s.length));
        }
        b.putInt(56, crc32c(bytes, tableOffset(), (long) sectionCount() * ENTRY));
        b.putInt(60, crc32c(bytes, 0, 60));
        return this;
    }

    /** Recomputes the table and header CRCs (after patching a section table entry). */
    FileImage fixTableChecksums() {
        le().putInt(56, crc32c(bytes, tableOffset(), (long) sectionCount() * ENTRY));
        return fixHeaderChecksum();
    }

    /** Recomputes only the header CRC (after patching header fields). */
    FileImage fixHeaderChecksum() {
        le().putInt(60, crc32c(bytes, 0, 60));
        return this;
    }

    FileImage putInt(long at, int v) {
        le().putInt((int) at, v);
        return this;
    }

    FileImage putLong(long at, long v) {
        le().putLong((int) at, v);
        return this;
    }

    FileImage putShort(long at, short v) {
        le().putShort((int) at, v);
        return this;
    }

    /** Position of every field of the tensor directory (TDIR), decoded with the documented layout. */
    static final class TensorEntry {
        String name;
        int dtype;
        /** Absolute file position of the shape's rank, and of dims[0]. */
        long rankAt;
        int[] shape;
        long offsetAt;
        long lengthAt;
        long offset;
        long length;
    }

    /**
     * TDIR: u32 count, then per tensor: str name (u32 length + UTF-8), u8 dtype,
     * ints shape (u32 n + n x i32), u8 quantized (if 1: i32 axis, floats scales, ints zero
     * points), u64 offset in DATA, u64 length.
     */
    List<TensorEntry> tensorDirectory() {
        Section tdir = section("TDIR");
        ByteBuffer b = le();
        int p = (int) tdir.offset;
        int n = b.getInt(p);
        p += 4;
        List<TensorEntry> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TensorEntry t = new TensorEntry();
            int len = b.getInt(p);
            t.name = new String(bytes, p + 4, len, StandardCharsets.UTF_8);
            p += 4 + len;
            t.dtype = bytes[p] & 0xff;
            p += 1;
            t.rankAt = p;
            int rank = b.getInt(p);
            t.shape = new int[rank];
            for (int d = 0; d < rank; d++) {
                t.shape[d] = b.getInt(p + 4 + 4 * d);
            }
            p += 4 + 4 * rank;
            int quant = bytes[p] & 0xff;
            p += 1;
            if (quant != 0) {
                p += 4;
                p += 4 + 4 * b.getInt(p);
                p += 4 + 4 * b.getInt(p);
            }
            t.offsetAt = p;
            t.offset = b.getLong(p);
            t.lengthAt = p + 8;
            t.length = b.getLong(p + 8);
            p += 16;
            out.add(t);
        }
        if (p != tdir.offset + tdir.length) {
            throw new AssertionError("TDIR decoded to byte " + p + " but the section ends at " + (tdir.offset + tdir.length));
        }
        return out;
    }
}
