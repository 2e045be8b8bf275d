package dev.tern.runtime.format;

import dev.tern.runtime.Backend;
import dev.tern.runtime.ModelFormatException;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.TestModels;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sparse tensor storage (format 1.2): a bitmask and the stored elements. Pruned weights
 * read back bit for bit, the writer picks sparse only where it saves an eighth, only files
 * with a sparse tensor say 1.2, and a bad bitmask or length is a format error. The fixture
 * {@code sparse-int8-1.2.tern} is {@code sparsified(allOpsInt8(2024), 0.7, 5)}; later readers
 * must give its recorded int8 bytes (regenerate with {@code -Dtern.golden.regenerate=true}).
 */
class SparseStorageTest {
    static final String MODEL = "/dev/tern/runtime/golden/sparse-int8-1.2.tern";
    static final String EXPECTED = "/dev/tern/runtime/golden/sparse-int8-1.2.expected";

    static ModelDef sparseFloat() {
        ModelDef def = TestModels.sparsified(TestModels.allOps(7), 0.8, 3);
        // a -0.0 weight must survive (stored, since its sign bit is set)
        List<Tensor> ts = new ArrayList<>();
        for (Tensor t : def.tensors().values()) {
            if (t.name().equals(def.nodes().stream().filter(n -> n.name().equals("r_fc1")).findFirst().get().input(1))) {
                float[] w = t.floats();
                w[5] = -0f;
                w[6] = 0f;
                t = Tensor.ofFloats(t.name(), t.shape(), w);
            }
            ts.add(t);
        }
        return new ModelDef(def.name(), def.inputs(), ts, def.nodes(), def.tasks(), def.outputs(), def.provenance());
    }

    @Test
    void prunedWeightsReadBackBitForBitAndAreStoredSparse() {
        ModelDef def = sparseFloat();
        byte[] file = TernWriter.toBytes(def);
        byte[] denseFile = TernWriter.toBytes(TestModels.allOps(7));
        assertEquals(2, ByteBuffer.wrap(file).order(java.nio.ByteOrder.LITTLE_ENDIAN).getShort(10), "minor version");
        assertTrue(file.length < denseFile.length, file.length + " vs " + denseFile.length);
        ModelDef back = TernReader.read(ByteBuffer.wrap(file));
        int sparse = 0;
        for (Tensor t : def.tensors().values()) {
            Tensor r = back.tensor(t.name());
            assertEquals(t.dtype(), r.dtype());
            assertArrayEquals(t.shape(), r.shape());
            byte[] a = new byte[t.byteSize()];
            byte[] b = new byte[r.byteSize()];
            t.data().get(a);
            r.data().get(b);
            assertArrayEquals(a, b, t.name());
            assertEquals(SparseCodec.prefersSparse(t) ? Tensor.Storage.SPARSE : Tensor.Storage.DENSE, r.storage(), t.name());
            sparse += r.storage() == Tensor.Storage.SPARSE ? 1 : 0;
        }
        assertTrue(sparse >= 4, sparse + " sparse tensors");
        assertArrayEquals(file, TernWriter.toBytes(back), "rewriting what was read gives the same bytes");
    }

    @Test
    void denseModelsKeepTheirOldMinorVersion() {
        assertEquals(0, ByteBuffer.wrap(TernWriter.toBytes(TestModels.allOps(7))).order(java.nio.ByteOrder.LITTLE_ENDIAN).getShort(10));
        assertEquals(1, ByteBuffer.wrap(TernWriter.toBytes(TestModels.allOpsInt8(7))).order(java.nio.ByteOrder.LITTLE_ENDIAN).getShort(10));
    }

    @Test
    void sparseWhenItSavesAnEighth() {
        // 64 floats: 256 bytes dense; sparse = 8 mask bytes + 4 per stored value, at most 224 bytes
        for (int nnz = 0; nnz <= 64; nnz++) {
            float[] w = new float[64];
            for (int i = 0; i < nnz; i++) {
                w[(i * 37) % 64] = i + 1;
            }
            Tensor t = Tensor.ofFloats("w", new int[] {8, 8}, w);
            assertEquals(8 + 4L * nnz, SparseCodec.sparseBytes(t));
            assertEquals(nnz <= 54, SparseCodec.prefersSparse(t), "nnz " + nnz);
        }
        // int8: 64 bytes dense; sparse = 8 + nnz, at most 56
        byte[] q = new byte[64];
        for (int i = 0; i < 48; i++) {
            q[i] = 1;
        }
        Tensor t = Tensor.ofInt8("q", new int[] {64}, q, new dev.tern.runtime.model.QuantParams(new float[] {1f}, new int[] {0}, -1));
        assertTrue(SparseCodec.prefersSparse(t));
        assertEquals(0, SparseCodec.sparseBytes(Tensor.ofFloats("e", new int[] {0}, new float[0])) - SparseCodec.maskBytes(0));
    }

    @Test
    void allZeroAndEmptyTensorsRoundTrip() {
        float[] zeros = new float[100];
        Tensor t = Tensor.ofFloats("z", new int[] {100}, zeros);
        ByteBuffer enc = ByteBuffer.allocate((int) SparseCodec.sparseBytes(t));
        SparseCodec.encode(t, enc);
        assertEquals(16, enc.position());
        ((java.nio.Buffer) enc).flip();
        ByteBuffer dec = SparseCodec.decode(enc, 100, 4);
        for (int i = 0; i < 400; i++) {
            assertEquals(0, dec.get(i));
        }
    }

    /** The file of a dense model whose one weight tensor (r_fc1's, 768 floats) is stored sparse. */
    static FileImage oneSparseTensor() {
        return new FileImage(TernWriter.toBytes(sparseFloat()));
    }

    static FileImage.TensorEntry sparseEntry(FileImage f) {
        for (FileImage.TensorEntry e : f.tensorDirectory()) {
            if ((e.dtype & 0x80) != 0 && e.shape.length == 2 && e.shape[1] == 128) {
                return e;
            }
        }
        throw new AssertionError("no sparse r_fc1 weights");
    }

    @Test
    void bitsPastTheLastElementAreAFormatError() {
        // 6 x 128 = 768 elements: a 96-byte mask, no spare bits; make the shape 6 x 127 so
        // the last 6 bits of the mask are past the end, then set one of them
        FileImage f = oneSparseTensor();
        FileImage.TensorEntry e = sparseEntry(f);
        long data = f.section("DATA").offset;
        f.putInt(e.rankAt + 8, 127);
        f.bytes[(int) (data + e.offset + 95)] |= (byte) 0x80;
        ModelFormatException ex = assertThrows(ModelFormatException.class, () -> TernReader.read(ByteBuffer.wrap(f.fixChecksums().bytes)));
        CorruptFileTest.assertMentions(ex, "bitmask", "past the last");
    }

    @Test
    void aLengthThatIsNotMaskPlusValuesIsAFormatError() {
        FileImage f = oneSparseTensor();
        FileImage.TensorEntry e = sparseEntry(f);
        f.putLong(e.lengthAt, e.length - 4);
        ModelFormatException ex = assertThrows(ModelFormatException.class, () -> TernReader.read(ByteBuffer.wrap(f.fixChecksums().bytes)));
        CorruptFileTest.assertMentions(ex, "sparse tensor", "stored elements", String.valueOf(e.length - 4));
        FileImage g = oneSparseTensor();
        g.putLong(sparseEntry(g).lengthAt, 8);
        ex = assertThrows(ModelFormatException.class, () -> TernReader.read(ByteBuffer.wrap(g.fixChecksums().bytes)));
        CorruptFileTest.assertMentions(ex, "shorter than the", "bitmask");
    }

    @Test
    void sparseFixtureGivesItsRecordedInt8BytesOnEveryBackend() throws IOException {
        byte[] file = GoldenFileTest.resource(MODEL);
        assertEquals(2, ByteBuffer.wrap(file).order(java.nio.ByteOrder.LITTLE_ENDIAN).getShort(10));
        String[] expected = new String(GoldenFileTest.resource(EXPECTED), StandardCharsets.US_ASCII).trim().split("\n");
        for (Backend backend : TestModels.backends()) {
            TernModel m = TernModel.load(ByteBuffer.wrap(file), backend);
            long sparse = m.def().tensors().values().stream().filter(t -> t.storage() == Tensor.Storage.SPARSE).count();
            assertTrue(sparse >= 4, sparse + " sparse tensors");
            String[] got = Int8GoldenFileTest.outputs(m);
            for (int i = 0; i < got.length; i++) {
                assertEquals(expected[i].trim(), got[i], backend + ": input " + i);
            }
        }
        assertArrayEquals(file, TernWriter.toBytes(TernReader.read(ByteBuffer.wrap(file))), "this writer writes the fixture's bytes");
    }

    @Test
    @EnabledIfSystemProperty(named = "tern.golden.regenerate", matches = "true")
    void regenerate() throws IOException {
        Path dir = Paths.get("src/test/resources/dev/tern/runtime/golden");
        ModelDef def = TestModels.sparsified(TestModels.allOpsInt8(2024), 0.7, 5);
        TernWriter.write(def, dir.resolve("sparse-int8-1.2.tern"));
        StringBuilder sb = new StringBuilder();
        for (String line : Int8GoldenFileTest.outputs(TernModel.of(def, Backend.REFERENCE))) {
            sb.append(line).append('\n');
        }
        Files.write(dir.resolve("sparse-int8-1.2.expected"), sb.toString().getBytes(StandardCharsets.US_ASCII));
    }
}
