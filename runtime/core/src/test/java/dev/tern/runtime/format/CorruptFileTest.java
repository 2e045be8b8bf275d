package dev.tern.runtime.format;

import dev.tern.runtime.ModelFormatException;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.TestModels;
import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.ModelDef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Broken files: every one must raise ModelFormatException (never an OutOfMemoryError or an
 * index exception) with a message that says what was expected and what was found.
 */
class CorruptFileTest {
    /** A small model whose first tensor is a rank-2 Dense weight matrix [4, 6]. */
    static ModelDef small() {
        Random rnd = new Random(5);
        ModelBuilder b = new ModelBuilder("small").input("x", -1, 6);
        String h = b.dense("fc", "x", 4, 6, TestModels.random(rnd, 24, 1f), TestModels.random(rnd, 4, 1f), Activation.RELU);
        b.multiclass("cls", h, "a", "b", "c", "d");
        b.provenance("tool", "test");
        return b.build();
    }

    static final byte[] GOOD = TernWriter.toBytes(small());

    static ModelFormatException rejects(byte[] file) {
        ModelFormatException e = assertFormatError(() -> TernReader.read(ByteBuffer.wrap(file)));
        // the same verdict from the stream reader and from TernModel
        assertFormatError(() -> TernReader.read(new ByteArrayInputStream(file)));
        assertFormatError(() -> TernModel.load(ByteBuffer.wrap(file)));
        return e;
    }

    /**
     * Like assertThrows, but an OutOfMemoryError (which JUnit would rethrow, ending the test
     * JVM) becomes an ordinary failure: the reader must check sizes before allocating.
     */
    static ModelFormatException assertFormatError(Executable read) {
        try {
            return assertThrows(ModelFormatException.class, read);
        } catch (OutOfMemoryError oom) {
            throw new AssertionError("OutOfMemoryError instead of ModelFormatException: " + oom.getMessage(), oom);
        }
    }

    static void assertMentions(Throwable e, String... parts) {
        String msg = e.getMessage();
        for (String p : parts) {
            assertTrue(msg.toLowerCase(Locale.ROOT).contains(p.toLowerCase(Locale.ROOT)),
                    "message should mention '" + p + "': " + msg);
        }
    }

    /** Issue 18: a CRC-valid file with a NaN weight loaded; every output it reached was NaN. */
    @ParameterizedTest
    @ValueSource(floats = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY})
    void nonFiniteWeightIsRejectedAtLoad(float bad) {
        FileImage f = new FileImage(GOOD);
        FileImage.TensorEntry w = f.tensorDirectory().get(0);
        long data = f.section("DATA").offset;
        f.le().putFloat((int) (data + w.offset + 4 * 5), bad);
        ModelFormatException e = rejects(f.fixChecksums().bytes);
        assertMentions(e, "tensor '" + w.name + "'", "index 5", "weights must be finite");
    }

    /** docs/FORMAT.md: header flags, header bytes 32-55 and each entry's bytes 28-31 are reserved, zero. */
    @ParameterizedTest
    @ValueSource(ints = {12, 15, 32, 40, 55})
    void nonZeroReservedHeaderBytesAreRejected(int at) {
        FileImage f = new FileImage(GOOD);
        f.bytes[at] = 1;
        ModelFormatException e = rejects(f.fixHeaderChecksum().bytes);
        assertMentions(e, "reserved", "must be 0");
        assertMentions(e, at < 16 ? "flags (bytes 12-15)" : "at byte " + at);
    }

    @Test
    void nonZeroReservedSectionEntryBytesAreRejected() {
        FileImage f = new FileImage(GOOD);
        f.putInt(f.tableOffset() + FileImage.ENTRY + 28, 7).fixTableChecksums();
        assertMentions(rejects(f.bytes), "section table entry 1", "bytes 28-31 are reserved", "00000007");
    }

    @Test
    void readHeaderChecksOnlyTheHeaderAndNamesTheFile(@TempDir Path dir) throws IOException {
        Path good = Files.write(dir.resolve("good.tern"), GOOD);
        FileHeader h = TernReader.readHeader(good);
        assertEquals(TernFormat.MAJOR, h.major());
        assertEquals(h.major() + "." + h.minor(), h.version());
        assertEquals(GOOD.length, h.fileSize());
        FileImage f = new FileImage(GOOD);
        f.bytes[44] = 9;
        Path bad = Files.write(dir.resolve("bad.tern"), f.fixHeaderChecksum().bytes);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> TernReader.readHeader(bad));
        assertMentions(e, bad.toString(), "at byte 44");
        Path shortFile = Files.write(dir.resolve("short.tern"), Arrays.copyOf(GOOD, 20));
        assertMentions(assertThrows(ModelFormatException.class, () -> TernReader.readHeader(shortFile)), "truncated: 20 bytes");
    }

    @Test
    void goodFileReads() {
        assertEquals("small", TernReader.read(ByteBuffer.wrap(GOOD)).name());
    }

    /** Cut points: empty, inside the magic, inside the header, inside the section table, inside META, GRPH, TDIR and DATA. */
    @Test
    void truncatedFiles() {
        FileImage f = new FileImage(GOOD);
        List<FileImage.Section> s = f.sections();
        int table = f.tableOffset();
        int[] cuts = {0, 5, 10, 40, 63, 64, table + 17, table + 4 * 32 - 1,
            (int) s.get(0).offset + 3, (int) s.get(1).offset + 5, (int) s.get(2).offset + 7,
            (int) s.get(3).offset + 1, GOOD.length - 1};
        for (int cut : cuts) {
            ModelFormatException e = rejects(Arrays.copyOf(GOOD, cut));
            assertMentions(e, "truncated", Integer.toString(cut));
            if (cut >= 64) {
                assertMentions(e, Integer.toString(GOOD.length)); // expected size from the header vs found
            }
        }
    }

    @Test
    void trailingBytesAreRejected() {
        byte[] longer = Arrays.copyOf(GOOD, GOOD.length + 3);
        assertMentions(rejects(longer), "trailing", Integer.toString(GOOD.length), Integer.toString(GOOD.length + 3));
    }

    @Test
    void flippedByteInEachSectionIsACrcError() {
        FileImage f = new FileImage(GOOD);
        for (FileImage.Section s : f.sections()) {
            for (long at : new long[] {s.offset, s.offset + s.length / 2, s.offset + s.length - 1}) {
                byte[] bad = GOOD.clone();
                bad[(int) at] ^= 0x10;
                ModelFormatException e = rejects(bad);
                assertMentions(e, "corrupt", "section " + s.id, "CRC32C");
                assertMentions(e, String.format("%08x", s.crc)); // the expected checksum, and the one found
                assertMentions(e, String.format("%08x", FileImage.crc32c(bad, s.offset, s.length)));
            }
        }
    }

    @Test
    void flippedByteInHeaderOrSectionTableIsACrcError() {
        byte[] header = GOOD.clone();
        header[20] ^= 1; // file size field
        assertMentions(rejects(header), "corrupt header", "CRC32C");
        byte[] reserved = GOOD.clone();
        reserved[40] ^= 1;
        assertMentions(rejects(reserved), "corrupt header");
        byte[] table = GOOD.clone();
        table[new FileImage(GOOD).tableOffset() + 32 + 9] ^= 1; // GRPH offset
        assertMentions(rejects(table), "corrupt section table", "CRC32C");
    }

    @Test
    void wrongMagic() {
        byte[] bad = GOOD.clone();
        bad[1] = 'X';
        assertMentions(rejects(bad), "not a .tern model", "89584552", "895445524e0d0a1a"); // found, expected
        byte[] text = "PK\u0003\u0004 a zip file, not a model at all ........................".getBytes(StandardCharsets.ISO_8859_1);
        assertMentions(rejects(text), "not a .tern model", "504b0304");
    }

    @Test
    void newerMajorVersion() {
        FileImage f = new FileImage(GOOD).putShort(8, (short) 2).fixHeaderChecksum();
        assertMentions(rejects(f.bytes), "version 2.0", "newer", "1.x");
        FileImage old = new FileImage(GOOD).putShort(8, (short) 0).fixHeaderChecksum();
        assertMentions(rejects(old.bytes), "version 0.0", "1.x");
    }

    @Test
    void newerMinorVersionOfTheSameMajorIsRead() {
        FileImage f = new FileImage(GOOD).putShort(10, (short) 7).fixHeaderChecksum();
        assertEquals("small", TernReader.read(ByteBuffer.wrap(f.bytes)).name());
    }

    @Test
    void unknownRequiredSectionIsRejectedAndUnknownOptionalOneSkipped() {
        FileImage f = new FileImage(GOOD);
        int entry = f.tableOffset(); // META's entry
        byte[] renamed = f.bytes.clone();
        System.arraycopy("XTRA".getBytes(StandardCharsets.US_ASCII), 0, renamed, entry, 4);
        ModelFormatException e = rejects(new FileImage(renamed).fixChecksums().bytes);
        assertMentions(e, "XTRA", "unknown", "upgrade");
        FileImage optional = new FileImage(renamed).putInt(entry + 4, 0).fixChecksums();
        // META is now an optional unknown section: skipped, so META is missing.
        assertMentions(rejects(optional.bytes), "required section META is missing");
    }

    // ------------------------------------------------------------------ content errors behind valid CRCs

    @Test
    void absurdTensorShapeIsAFormatErrorNotOutOfMemory() {
        FileImage f = new FileImage(GOOD);
        FileImage.TensorEntry w = f.tensorDirectory().get(0);
        assertArrayEquals(new int[] {4, 6}, w.shape, "first tensor is fc/weights");
        f.putInt(w.rankAt + 4, 1 << 20).putInt(w.rankAt + 8, 1 << 20).fixChecksums();
        ModelFormatException e = rejects(f.bytes);
        assertMentions(e, "TDIR", "fc/weights", "[1048576, 1048576]", "more than 2147483647");
    }

    @Test
    void hugeButCountableTensorMustFitTheDataSection() {
        // [32768, 32768] float32 = 4 GiB: a count that fits an int, bytes that do not fit the file.
        FileImage f = new FileImage(GOOD);
        FileImage.TensorEntry w = f.tensorDirectory().get(0);
        f.putInt(w.rankAt + 4, 1 << 15).putInt(w.rankAt + 8, 1 << 15).fixChecksums();
        assertMentions(rejects(f.bytes), "fc/weights", "needs 4294967296 bytes", "says 96");
        FileImage g = new FileImage(GOOD);
        g.putInt(w.rankAt + 4, 1 << 15).putInt(w.rankAt + 8, 1 << 15).putLong(w.lengthAt, 1L << 32).fixChecksums();
        assertMentions(rejects(g.bytes), "fc/weights", "4294967296 bytes", "outside", "DATA");
    }

    @Test
    void negativeDimensionAndMisplacedTensor() {
        FileImage.TensorEntry w = new FileImage(GOOD).tensorDirectory().get(0);
        FileImage neg = new FileImage(GOOD).putInt(w.rankAt + 4, -4).fixChecksums();
        assertMentions(rejects(neg.bytes), "fc/weights", "negative dimension");
        FileImage misaligned = new FileImage(GOOD).putLong(w.offsetAt, 4).fixChecksums();
        assertMentions(rejects(misaligned.bytes), "fc/weights", "aligned");
        FileImage outside = new FileImage(GOOD).putLong(w.offsetAt, 1L << 40).fixChecksums();
        assertMentions(rejects(outside.bytes), "fc/weights", "outside", "DATA");
    }

    /** Counts of 2^31 - 1 items (strings, tensors, nodes) in a few hundred bytes. */
    @ParameterizedTest
    @ValueSource(strings = {"META", "GRPH", "TDIR"})
    void countOf2To31Minus1IsAFormatErrorNotOutOfMemory(String section) {
        // The first field of each section is a count: META the model name's length,
        // GRPH the node count, TDIR the tensor count.
        FileImage f = new FileImage(GOOD);
        f.putInt(f.section(section).offset, Integer.MAX_VALUE).fixChecksums();
        ModelFormatException e = rejects(f.bytes);
        assertMentions(e, "section " + section, "2147483647", "left");
    }

    @Test
    void labelCountOf2To31Minus1() {
        // META: str name, u32 inputs, input {str name, ints shape, str layout, floats mean, floats std},
        // u32 tasks, task {str name, u8 kind, str output, u8 logits, u32 label count, ...}
        FileImage f = new FileImage(GOOD);
        ByteBuffer b = f.le();
        int p = (int) f.section("META").offset;
        p += 4 + b.getInt(p);                 // model name
        p += 4;                               // input count
        p += 4 + b.getInt(p);                 // input name
        p += 4 + 4 * b.getInt(p);             // shape
        p += 4 + b.getInt(p);                 // layout
        p += 4 + 4 * b.getInt(p);             // mean
        p += 4 + 4 * b.getInt(p);             // std
        p += 4;                               // task count
        p += 4 + b.getInt(p);                 // task name
        p += 1;                               // kind
        p += 4 + b.getInt(p);                 // output
        p += 1;                               // logits flag
        assertEquals(4, b.getInt(p), "label count of task 'cls'");
        f.putInt(p, Integer.MAX_VALUE).fixChecksums();
        assertMentions(rejects(f.bytes), "META", "2147483647 labels", "left");
        FileImage neg = new FileImage(GOOD).putInt(p, -1).fixChecksums();
        assertMentions(rejects(neg.bytes), "META", "negative");
    }

    @Test
    void absurdSectionTableIsRejected() {
        FileImage many = new FileImage(GOOD).putInt(24, Integer.MAX_VALUE).fixHeaderChecksum();
        assertMentions(rejects(many.bytes), "section count 2147483647", "1024");
        FileImage outside = new FileImage(GOOD).putInt(28, GOOD.length - 8).fixHeaderChecksum();
        assertMentions(rejects(outside.bytes), "section table", "outside", Integer.toString(GOOD.length));
        FileImage f = new FileImage(GOOD);
        FileImage.Section data = f.section("DATA");
        f.putLong(f.tableOffset() + data.index * FileImage.ENTRY + 16, Long.MAX_VALUE).fixTableChecksums();
        assertMentions(rejects(f.bytes), "section DATA", "outside", Long.toString(Long.MAX_VALUE));
    }

    @Test
    void danglingNameInsideAValidFileIsAFormatError() {
        // Rename the Dense node's input "x" to "y" in GRPH: decodes, CRCs right, but inconsistent.
        FileImage f = new FileImage(GOOD);
        FileImage.Section g = f.section("GRPH");
        byte[] needle = {1, 0, 0, 0, 'x'};
        int at = indexOf(f.bytes, needle, (int) g.offset, (int) (g.offset + g.length));
        assertTrue(at > 0, "found input name 'x' in GRPH");
        f.bytes[at + 4] = 'y';
        f.fixChecksums();
        ModelFormatException e = rejects(f.bytes);
        assertMentions(e, "inconsistent model", "node 'fc'", "'y'");
    }

    @Test
    void unknownOpCodeSaysUpgrade() {
        FileImage f = new FileImage(GOOD);
        FileImage.Section g = f.section("GRPH");
        int p = (int) g.offset + 4;           // node count
        p += 4 + f.le().getInt(p);            // node name
        assertEquals(1, f.le().getShort(p), "Dense op code");
        f.putShort(p, (short) 999).fixChecksums();
        assertMentions(rejects(f.bytes), "op code 999", "upgrade");
    }

    @Test
    void missingFileIsNoSuchFile(@TempDir Path dir) {
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> TernModel.load(dir.resolve("nope.tern")));
        assertTrue(e.getMessage().contains("nope.tern"), e.getMessage());
    }

    @Test
    void truncatedFileOnDisk(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("cut.tern");
        Files.write(p, Arrays.copyOf(GOOD, GOOD.length / 2));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> TernModel.load(p));
        assertMentions(e, "truncated", Integer.toString(GOOD.length), Integer.toString(GOOD.length / 2));
    }

    /**
     * Any changed byte that a checksum covers (header, table, sections) is caught. The
     * alignment padding between TDIR and DATA is covered by no checksum and is not read.
     */
    @Test
    void randomSingleByteCorruptionsAreAlwaysFormatErrors() {
        long seed = 99;
        Random rnd = new Random(seed);
        FileImage f = new FileImage(GOOD);
        boolean[] covered = new boolean[GOOD.length];
        Arrays.fill(covered, 0, f.tableOffset() + f.sectionCount() * FileImage.ENTRY, true);
        for (FileImage.Section s : f.sections()) {
            Arrays.fill(covered, (int) s.offset, (int) (s.offset + s.length), true);
        }
        for (int i = 0; i < 300; i++) {
            byte[] bad = GOOD.clone();
            int at = rnd.nextInt(bad.length);
            if (!covered[at]) {
                bad[at] ^= 0x5a;
                assertEquals("small", TernReader.read(ByteBuffer.wrap(bad)).name(), "padding byte " + at + " is not read");
                continue;
            }
            bad[at] ^= (byte) (1 + rnd.nextInt(255));
            try {
                TernReader.read(ByteBuffer.wrap(bad));
                throw new AssertionError("corruption at byte " + at + " went unnoticed (seed " + seed + ")");
            } catch (ModelFormatException expected) {
                // what must happen
            }
        }
    }

    private static int indexOf(byte[] hay, byte[] needle, int from, int to) {
        outer:
        for (int i = from; i <= to - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
