package dev.tern.runtime.format;

import dev.tern.runtime.Backend;
import dev.tern.runtime.Session;
import dev.tern.runtime.SessionOptions;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.TestModels;
import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.QuantParams;
import dev.tern.runtime.model.TaskSpec;
import dev.tern.runtime.model.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Write -> read gives the same model and the same outputs bit for bit; the bytes follow the documented layout. */
class FormatRoundTripTest {
    static final long SEED = 20240611L;

    static Iterable<Backend> backends() {
        return TestModels.backends();
    }

    /** The all-ops model plus an int8 per-channel tensor, an int32 tensor and float / float[] attributes. */
    static ModelDef richModel(long seed) {
        ModelDef base = TestModels.allOps(seed);
        List<Tensor> tensors = new ArrayList<>(base.tensors().values());
        ByteBuffer q = ByteBuffer.allocate(6);
        q.put(new byte[] {-127, -1, 0, 1, 64, 127}).flip();
        tensors.add(new Tensor("extra/int8", DType.INT8, new int[] {3, 2}, q,
                new QuantParams(new float[] {0.5f, 0.25f, 0.125f}, new int[] {0, 0, 0}, 0)));
        ByteBuffer i32 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        i32.putInt(-7).putInt(Integer.MAX_VALUE).flip();
        tensors.add(new Tensor("extra/int32", DType.INT32, new int[] {2}, i32, QuantParams.perTensor(0.01f, -3)));
        List<Node> nodes = new ArrayList<>(base.nodes());
        Node relu = nodes.stream().filter(n -> n.op() == OpType.RELU).findFirst().orElseThrow();
        nodes.set(nodes.indexOf(relu), new Node(relu.name(), relu.op(), relu.inputs(), relu.output(),
                Attributes.builder().put("note", 1.5f).put("coefficients", new float[] {0.25f, -2f, Float.MIN_VALUE})
                        .put("comment", "caf\u00e9 \u2713").put("ids", new int[] {-1, 0, 7}).put("n", 42).build()));
        return new ModelDef(base.name(), base.inputs(), tensors, nodes, base.tasks(), base.outputs(), base.provenance());
    }

    private static float[][] inputs(long seed, int count, int batch) {
        Random rnd = new Random(seed);
        float[][] in = new float[count][];
        for (int i = 0; i < count; i++) {
            in[i] = TestModels.random(rnd, TestModels.ALL_OPS_INPUT_SIZE * batch, 2f);
        }
        return in;
    }

    /** All task values and the extra graph output of every sample, for each input. */
    private static List<float[]> outputs(TernModel m, float[][] inputs, int batch) {
        List<float[]> out = new ArrayList<>();
        try (Session s = m.newSession(SessionOptions.defaults().withMaxBatch(batch))) {
            for (float[] x : inputs) {
                out.add(TestModels.runAll(s, x));
                for (int i = 0; i < batch; i++) {
                    out.add(s.output("cat2", i));
                }
            }
        }
        return out;
    }

    private static void assertSameOutputs(List<float[]> expected, List<float[]> actual, String what) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            TestModels.assertBitwiseEquals(expected.get(i), actual.get(i), what + ", output block " + i + ", seed " + SEED);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void roundTripThroughBytesFileBufferAndStreamGivesIdenticalOutputs(Backend backend, @TempDir Path dir)
            throws IOException {
        ModelDef def = richModel(SEED);
        byte[] bytes = TernWriter.toBytes(def);
        Path file = dir.resolve("model.tern");
        TernWriter.write(def, file);
        assertArrayEquals(bytes, Files.readAllBytes(file), "file bytes equal toBytes()");

        float[][] in = inputs(SEED + 1, 4, 3);
        List<float[]> expected = outputs(TernModel.of(def, backend), in, 3);
        assertSameOutputs(expected, outputs(TernModel.load(file, backend), in, 3), "load(Path)");
        assertSameOutputs(expected, outputs(TernModel.load(ByteBuffer.wrap(bytes), backend), in, 3), "load(ByteBuffer)");
        assertSameOutputs(expected, outputs(TernModel.load(new ByteArrayInputStream(bytes), backend), in, 3),
                "load(InputStream)");
        assertSameOutputs(expected, outputs(TernModel.of(TernReader.read(ByteBuffer.wrap(bytes)), backend), in, 3),
                "TernReader.read(ByteBuffer)");
        assertEquals(bytes.length, TernModel.load(file, backend).sizeBytes());
    }

    @Test
    void loadPathWithDefaultBackend(@TempDir Path dir) throws IOException {
        ModelDef def = TestModels.allOps(SEED);
        Path file = dir.resolve("m.tern");
        TernWriter.write(def, file);
        TernModel loaded = TernModel.load(file);
        assertEquals(TernModel.defaultBackend(), loaded.backend());
        float[][] in = inputs(SEED + 2, 3, 1);
        assertSameOutputs(outputs(TernModel.of(def, loaded.backend()), in, 1), outputs(loaded, in, 1), "load(Path)");
    }

    @Test
    void readBackModelEqualsTheOriginalField(@TempDir Path dir) throws IOException {
        ModelDef def = richModel(SEED);
        Path file = dir.resolve("rich.tern");
        TernWriter.write(def, file);
        for (ModelDef back : new ModelDef[] {TernReader.read(file), TernReader.read(ByteBuffer.wrap(TernWriter.toBytes(def)))}) {
            assertEquals(def.name(), back.name());
            assertEquals(def.provenance(), back.provenance());
            assertEquals(def.outputs(), back.outputs());
            assertEquals(def.inputs().size(), back.inputs().size());
            for (int i = 0; i < def.inputs().size(); i++) {
                InputSpec a = def.inputs().get(i);
                InputSpec b = back.inputs().get(i);
                assertEquals(a.name(), b.name());
                assertArrayEquals(a.shape(), b.shape());
                assertEquals(a.layout(), b.layout());
                assertArrayEquals(a.mean(), b.mean());
                assertArrayEquals(a.std(), b.std());
            }
            assertEquals(def.tasks().size(), back.tasks().size());
            for (int i = 0; i < def.tasks().size(); i++) {
                TaskSpec a = def.tasks().get(i);
                TaskSpec b = back.tasks().get(i);
                assertEquals(a.name(), b.name());
                assertEquals(a.kind(), b.kind());
                assertEquals(a.output(), b.output());
                assertEquals(a.logits(), b.logits());
                assertEquals(a.labels(), b.labels());
                assertArrayEquals(a.thresholds(), b.thresholds());
            }
            assertEquals(def.nodes().stream().map(Node::toString).collect(Collectors.toList()),
                    back.nodes().stream().map(Node::toString).collect(Collectors.toList()));
            Node relu = back.nodes().stream().filter(n -> n.op() == OpType.RELU).findFirst().orElseThrow();
            assertEquals(1.5f, relu.attributes().getFloat("note", 0));
            assertArrayEquals(new float[] {0.25f, -2f, Float.MIN_VALUE}, relu.attributes().getFloats("coefficients", null));
            assertEquals("caf\u00e9 \u2713", relu.attributes().getString("comment", null));
            assertArrayEquals(new int[] {-1, 0, 7}, relu.attributes().getInts("ids", null));
            assertEquals(42, relu.attributes().getInt("n", 0));

            assertEquals(new ArrayList<>(def.tensors().keySet()), new ArrayList<>(back.tensors().keySet()));
            for (Tensor a : def.tensors().values()) {
                Tensor b = back.tensor(a.name());
                assertEquals(a.dtype(), b.dtype(), a.name());
                assertArrayEquals(a.shape(), b.shape(), a.name());
                assertEquals(a.data(), b.data(), a.name() + " bytes");
                if (a.quant() == null) {
                    assertNull(b.quant(), a.name());
                } else {
                    assertEquals(a.quant().axis(), b.quant().axis());
                    assertArrayEquals(a.quant().scales(), b.quant().scales());
                    assertArrayEquals(a.quant().zeroPoints(), b.quant().zeroPoints());
                }
            }
            // Re-encoding what was read gives the very same file.
            assertArrayEquals(TernWriter.toBytes(def), TernWriter.toBytes(back));
        }
    }

    @Test
    void writerIsDeterministic(@TempDir Path dir) throws IOException {
        byte[] first = TernWriter.toBytes(richModel(SEED));
        assertArrayEquals(first, TernWriter.toBytes(richModel(SEED)), "two models built from one seed");
        ModelDef def = richModel(SEED);
        assertArrayEquals(TernWriter.toBytes(def), TernWriter.toBytes(def), "one model written twice");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TernWriter.write(def, out);
        assertArrayEquals(first, out.toByteArray(), "write(OutputStream)");
        Path a = dir.resolve("a.tern");
        Path b = dir.resolve("b.tern");
        TernWriter.write(def, a);
        TernWriter.write(def, b);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "two files");
        assertTrue(!Arrays.equals(first, TernWriter.toBytes(richModel(SEED + 1))), "another seed gives other bytes");
    }

    @Test
    void writeReplacesAtomicallyAndLeavesNoTemporaryFiles(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("sub").resolve("m.tern");
        TernWriter.write(TestModels.allOps(1), file);
        TernWriter.write(richModel(2), file);
        assertArrayEquals(TernWriter.toBytes(richModel(2)), Files.readAllBytes(file));
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.collect(Collectors.toList()), "no temporary file left beside the model");
        }
    }

    @Test
    void headerAndSectionTableFollowTheDocumentedLayout() {
        byte[] bytes = TernWriter.toBytes(richModel(SEED));
        FileImage f = new FileImage(bytes);
        ByteBuffer b = f.le();
        assertArrayEquals(new byte[] {(byte) 0x89, 'T', 'E', 'R', 'N', '\r', '\n', 0x1A}, Arrays.copyOf(bytes, 8), "magic");
        assertEquals(1, b.getShort(8), "major version");
        assertEquals(1, b.getShort(10), "minor version (1.1: the model holds int8 and int32 tensors)");
        assertEquals(0, new FileImage(TernWriter.toBytes(TestModels.allOps(1))).le().getShort(10),
                "a float32-only model is written as 1.0, readable by 1.0 readers");
        assertEquals(3, new FileImage(TernWriter.toBytes(TestModels.since13Ops(1))).le().getShort(10),
                "a model with an op added in 1.3 (hard_sigmoid on) is written as 1.3");
        assertEquals(3, new FileImage(TernWriter.toBytes(TestModels.sparsified(TestModels.since13OpsInt8(1), 0.9, 1)))
                .le().getShort(10), "and as 1.3, not 1.2, when it also stores a tensor sparse");
        assertEquals(dev.tern.runtime.model.OpType.HARD_SIGMOID, TernReader.read(ByteBuffer.wrap(
                TernWriter.toBytes(TestModels.since13Ops(1)))).nodes().get(1).op(), "and read back");
        assertEquals(bytes.length, b.getLong(16), "file size field");
        for (int i = 32; i < 56; i++) {
            assertEquals(0, bytes[i], "reserved header byte " + i);
        }
        List<FileImage.Section> sections = f.sections();
        assertEquals(List.of("META", "GRPH", "TDIR", "DATA"),
                sections.stream().map(s -> s.id).collect(Collectors.toList()));
        long end = f.tableOffset() + (long) sections.size() * FileImage.ENTRY;
        for (FileImage.Section s : sections) {
            assertEquals(1, s.flags, s.id + " is flagged required");
            assertTrue(s.offset >= end, s + " starts after the previous section (" + end + ")");
            assertTrue(s.offset + s.length <= bytes.length, s + " lies inside the file");
            end = s.offset + s.length;
        }
        assertEquals(bytes.length, end, "DATA ends the file");
    }

    @Test
    void everySectionCarriesItsCrc32c() {
        byte[] bytes = TernWriter.toBytes(richModel(SEED));
        FileImage f = new FileImage(bytes);
        for (FileImage.Section s : f.sections()) {
            assertEquals(FileImage.crc32c(bytes, s.offset, s.length), s.crc, "CRC32C of section " + s);
        }
        assertEquals(FileImage.crc32c(bytes, f.tableOffset(), (long) f.sectionCount() * FileImage.ENTRY),
                f.le().getInt(56), "CRC32C of the section table");
        assertEquals(FileImage.crc32c(bytes, 0, 60), f.le().getInt(60), "CRC32C of the header");
        // fixChecksums() recomputes exactly what the writer wrote
        assertArrayEquals(bytes, new FileImage(bytes).fixChecksums().bytes);
    }

    @Test
    void tensorBlobsAre64ByteAlignedInTheFile() {
        ModelDef def = richModel(SEED);
        byte[] bytes = TernWriter.toBytes(def);
        FileImage f = new FileImage(bytes);
        FileImage.Section data = f.section("DATA");
        assertEquals(0, data.offset % 64, "DATA section offset " + data.offset);
        List<FileImage.TensorEntry> dir = f.tensorDirectory();
        assertEquals(new ArrayList<>(def.tensors().keySet()), dir.stream().map(t -> t.name).collect(Collectors.toList()));
        EnumSet<DType> seen = EnumSet.noneOf(DType.class);
        for (FileImage.TensorEntry t : dir) {
            long at = data.offset + t.offset;
            assertEquals(0, at % 64, "tensor " + t.name + " starts at file offset " + at);
            Tensor expected = def.tensor(t.name);
            assertEquals(expected.dtype().code(), t.dtype);
            assertArrayEquals(expected.shape(), t.shape);
            assertEquals(expected.byteSize(), t.length);
            assertEquals(expected.data(), ByteBuffer.wrap(bytes, (int) at, (int) t.length), "bytes of " + t.name);
            seen.add(expected.dtype());
        }
        assertEquals(EnumSet.allOf(DType.class), seen, "the model holds every dtype");
    }

    @Test
    void paddingBytesAreZero() {
        ModelDef def = richModel(SEED);
        byte[] bytes = TernWriter.toBytes(def);
        FileImage f = new FileImage(bytes);
        boolean[] used = new boolean[bytes.length];
        Arrays.fill(used, 0, f.tableOffset() + f.sectionCount() * FileImage.ENTRY, true);
        for (FileImage.Section s : f.sections()) {
            if (!s.id.equals("DATA")) {
                Arrays.fill(used, (int) s.offset, (int) (s.offset + s.length), true);
            }
        }
        long data = f.section("DATA").offset;
        for (FileImage.TensorEntry t : f.tensorDirectory()) {
            Arrays.fill(used, (int) (data + t.offset), (int) (data + t.offset + t.length), true);
        }
        int padding = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (!used[i]) {
                padding++;
                assertEquals(0, bytes[i], "padding byte at file offset " + i);
            }
        }
        assertTrue(padding > 0, "the rich model has padding between blobs");
    }
}
