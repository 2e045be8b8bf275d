package dev.tern.runtime.format;

import dev.tern.runtime.InvalidModelException;
import dev.tern.runtime.ModelFormatException;
import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.QuantParams;
import dev.tern.runtime.model.TaskKind;
import dev.tern.runtime.model.TaskSpec;
import dev.tern.runtime.model.Tensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code .tern} files. All validation of the container is here: magic, version,
 * sizes, section bounds, CRC32C of the header, the section table and every section, and
 * every count and offset inside them. Anything wrong is a {@link ModelFormatException}
 * saying what was expected and what was found.
 */
public final class TernReader {
    private TernReader() {
    }

    /** Memory-maps the file (tensor data is read in place, not copied) and decodes it. */
    public static ModelDef read(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new ModelFormatException(path + ": " + size + " bytes is larger than any model this reader accepts (2 GiB)");
            }
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            return read(map);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(path.toString(), null, "no such model file");
        }
    }

    /** Reads a whole stream (at most 2 GiB) and decodes it. */
    public static ModelDef read(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        long total = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            total += n;
            if (total > Integer.MAX_VALUE - 64) {
                throw new ModelFormatException("stream is larger than any model this reader accepts (2 GiB)");
            }
            out.write(buf, 0, n);
        }
        return read(ByteBuffer.wrap(out.toByteArray()).asReadOnlyBuffer());
    }

    /**
     * Reads and checks only the fixed 64-byte header of a file (magic, version, reserved
     * fields, header CRC), without mapping or decoding the rest: for tools that report a
     * file's version. {@link #read(Path)} checks everything.
     */
    public static FileHeader readHeader(Path path) throws IOException {
        byte[] h = new byte[TernFormat.HEADER_SIZE];
        int n = 0;
        try (InputStream in = java.nio.file.Files.newInputStream(path)) {
            for (int r; n < h.length && (r = in.read(h, n, h.length - n)) > 0; ) {
                n += r;
            }
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(path.toString(), null, "no such model file");
        }
        try {
            return header(ByteBuffer.wrap(h, 0, n).slice().order(ByteOrder.LITTLE_ENDIAN), n);
        } catch (ModelFormatException e) {
            throw new ModelFormatException(path + ": " + e.getMessage());
        }
    }

    /**
     * The one parser of the fixed header: magic, major version (bytes 0-11 are frozen, so any
     * version is named before anything else fails), size, header CRC, and the fields
     * docs/FORMAT.md reserves as zero (flags at 12, bytes 32-55), so that a later minor
     * version can give them a meaning without old readers misreading such files.
     */
    static FileHeader header(ByteBuffer f, int size) {
        if (size < 16) {
            throw new ModelFormatException("truncated: " + size + " bytes, a .tern header needs " + TernFormat.HEADER_SIZE);
        }
        byte[] magic = new byte[8];
        for (int i = 0; i < 8; i++) {
            magic[i] = f.get(i);
        }
        if (!Arrays.equals(magic, TernFormat.MAGIC)) {
            throw new ModelFormatException("not a .tern model: the file starts with " + hex(magic) + ", expected "
                    + hex(TernFormat.MAGIC));
        }
        int major = f.getShort(8) & 0xffff;
        int minor = f.getShort(10) & 0xffff;
        if (major != TernFormat.MAJOR) {
            throw new ModelFormatException("format version " + major + "." + minor + " is "
                    + (major > TernFormat.MAJOR ? "newer than" : "not supported by") + " this reader, which reads "
                    + TernFormat.MAJOR + ".x" + (major > TernFormat.MAJOR ? "; upgrade Tern" : ""));
        }
        if (size < TernFormat.HEADER_SIZE) {
            throw new ModelFormatException("truncated: " + size + " bytes, a .tern header needs " + TernFormat.HEADER_SIZE);
        }
        int headerCrc = f.getInt(60);
        int actualHeaderCrc = Checksums.crc32c(slice(f, 0, 60));
        if (headerCrc != actualHeaderCrc) {
            throw new ModelFormatException("corrupt header: CRC32C is " + hex32(actualHeaderCrc) + ", the header says "
                    + hex32(headerCrc));
        }
        if (f.getInt(12) != 0) {
            throw new ModelFormatException("header flags (bytes 12-15) are reserved and must be 0, found " + hex32(f.getInt(12)));
        }
        for (int i = 32; i < 56; i++) {
            if (f.get(i) != 0) {
                throw new ModelFormatException("header bytes 32-55 are reserved and must be 0, found "
                        + String.format("0x%02x", f.get(i) & 0xff) + " at byte " + i);
            }
        }
        return new FileHeader(major, minor, f.getLong(16), f.getInt(24));
    }

    /** Decodes the bytes between position and limit. Tensors share (not copy) read-only buffers. */
    public static ModelDef read(ByteBuffer buffer) {
        ByteBuffer f = buffer.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (!f.isReadOnly()) {
            f = f.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
        int size = f.remaining();
        FileHeader header = header(f, size);
        int major = header.major();
        int minor = header.minor();
        long declared = f.getLong(16);
        if (declared != size) {
            throw new ModelFormatException((declared > size ? "truncated" : "trailing bytes") + ": the header says "
                    + declared + " bytes, found " + size);
        }
        int sections = f.getInt(24);
        int tableOff = f.getInt(28);
        if (sections < 1 || sections > TernFormat.MAX_SECTIONS) {
            throw new ModelFormatException("bad section count " + sections + ", expected 1 to " + TernFormat.MAX_SECTIONS);
        }
        long tableLen = (long) sections * TernFormat.SECTION_ENTRY_SIZE;
        if (tableOff < TernFormat.HEADER_SIZE || tableOff + tableLen > size) {
            throw new ModelFormatException("section table (" + tableLen + " bytes at " + tableOff + ") lies outside the "
                    + size + "-byte file");
        }
        int tableCrc = Checksums.crc32c(slice(f, tableOff, tableLen));
        if (tableCrc != f.getInt(56)) {
            throw new ModelFormatException("corrupt section table: CRC32C is " + hex32(tableCrc) + ", the header says "
                    + hex32(f.getInt(56)));
        }
        Map<Integer, ByteBuffer> found = new LinkedHashMap<>();
        long dataOffset = -1;
        for (int i = 0; i < sections; i++) {
            int e = tableOff + i * TernFormat.SECTION_ENTRY_SIZE;
            int id = f.getInt(e);
            int flags = f.getInt(e + 4);
            long off = f.getLong(e + 8);
            long len = f.getLong(e + 16);
            int crc = f.getInt(e + 24);
            String name = TernFormat.fourccName(id);
            if (f.getInt(e + 28) != 0) {
                throw new ModelFormatException("section table entry " + i + " (" + name + "): bytes 28-31 are reserved and must be 0, found "
                        + hex32(f.getInt(e + 28)));
            }
            if (off < tableOff + tableLen || len < 0 || off > size || len > size - off) {
                throw new ModelFormatException("section " + name + " (" + len + " bytes at " + off + ") lies outside the "
                        + size + "-byte file");
            }
            ByteBuffer body = slice(f, off, len);
            int actual = Checksums.crc32c(body);
            if (actual != crc) {
                throw new ModelFormatException("corrupt section " + name + ": CRC32C is " + hex32(actual)
                        + ", the section table says " + hex32(crc));
            }
            boolean known = id == TernFormat.META || id == TernFormat.GRPH || id == TernFormat.TDIR || id == TernFormat.DATA
                    || id == TernFormat.PREP;
            if (!known) {
                if ((flags & TernFormat.FLAG_REQUIRED) != 0) {
                    throw new ModelFormatException("required section " + name + " is unknown to this reader (format "
                            + major + "." + minor + "); upgrade Tern");
                }
                continue;
            }
            if (found.put(id, body) != null) {
                throw new ModelFormatException("section " + name + " appears twice");
            }
            if (id == TernFormat.DATA) {
                dataOffset = off;
                if (off % TernFormat.ALIGNMENT != 0) {
                    throw new ModelFormatException("section DATA starts at " + off + ", not a multiple of "
                            + TernFormat.ALIGNMENT);
                }
            }
        }
        for (int id : new int[] {TernFormat.META, TernFormat.GRPH, TernFormat.TDIR, TernFormat.DATA}) {
            if (!found.containsKey(id)) {
                throw new ModelFormatException("required section " + TernFormat.fourccName(id) + " is missing");
            }
        }
        List<Tensor> tensors = tensors(new Decoder(found.get(TernFormat.TDIR), "TDIR"), found.get(TernFormat.DATA));
        List<Node> nodes = nodes(new Decoder(found.get(TernFormat.GRPH), "GRPH"));
        Decoder m = new Decoder(found.get(TernFormat.META), "META");
        String name = m.str("model name");
        List<InputSpec> inputs = new ArrayList<>();
        int nIn = m.count("inputs", 20);
        for (int i = 0; i < nIn; i++) {
            String in = m.str("input name");
            int[] shape = m.ints("input shape");
            String layout = m.str("input layout");
            float[] mean = m.floats("input mean");
            float[] std = m.floats("input std");
            try {
                inputs.add(new InputSpec(in, shape, layout, mean, std));
            } catch (IllegalArgumentException e) {
                throw m.fail(e.getMessage());
            }
        }
        if (found.containsKey(TernFormat.PREP)) {
            prep(new Decoder(found.get(TernFormat.PREP), "PREP"), inputs);
        }
        List<TaskSpec> tasks = new ArrayList<>();
        int nTasks = m.count("tasks", 14);
        for (int i = 0; i < nTasks; i++) {
            String tn = m.str("task name");
            int kindCode = m.u8("task kind");
            TaskKind kind = TaskKind.fromCode(kindCode);
            if (kind == null) {
                throw m.fail("task '" + tn + "' has unknown kind code " + kindCode);
            }
            String out = m.str("task output");
            boolean logits = m.u8("task logits flag") != 0;
            int nLabels = m.count("labels", 4);
            List<String> labels = new ArrayList<>();
            for (int j = 0; j < nLabels; j++) {
                labels.add(m.str("label"));
            }
            float[] thresholds = null;
            if (kind == TaskKind.MULTILABEL) {
                thresholds = new float[nLabels];
                for (int j = 0; j < nLabels; j++) {
                    thresholds[j] = m.f32("threshold");
                }
            }
            try {
                tasks.add(new TaskSpec(tn, kind, out, logits, labels, thresholds));
            } catch (IllegalArgumentException e) {
                throw m.fail(e.getMessage());
            }
        }
        List<String> outputs = new ArrayList<>();
        int nOut = m.count("outputs", 4);
        for (int i = 0; i < nOut; i++) {
            outputs.add(m.str("output name"));
        }
        Map<String, String> provenance = new LinkedHashMap<>();
        int nProv = m.count("provenance entries", 8);
        for (int i = 0; i < nProv; i++) {
            provenance.put(m.str("provenance key"), m.str("provenance value"));
        }
        m.end();
        try {
            return new ModelDef(name, inputs, tensors, nodes, tasks, outputs, provenance);
        } catch (InvalidModelException | IllegalArgumentException e) {
            throw new ModelFormatException("inconsistent model: " + e.getMessage());
        }
    }

    private static List<Tensor> tensors(Decoder d, ByteBuffer data) {
        int n = d.count("tensors", 30);
        List<Tensor> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String name = d.str("tensor name");
            int code = d.u8("tensor dtype");
            boolean sparse = (code & TernFormat.SPARSE_BIT) != 0;
            DType dtype = DType.fromCode(code & ~TernFormat.SPARSE_BIT);
            if (dtype == null) {
                throw d.fail("tensor '" + name + "' has unknown dtype code " + code);
            }
            int[] shape = d.ints("tensor shape");
            long count;
            try {
                count = Tensor.elementCount(shape);
            } catch (IllegalArgumentException e) {
                throw d.fail("tensor '" + name + "': " + e.getMessage());
            }
            QuantParams quant = null;
            if (d.u8("quantization flag") != 0) {
                int axis = d.i32("quantization axis");
                float[] scales = d.floats("scales");
                int[] zps = d.ints("zero points");
                try {
                    quant = new QuantParams(scales, zps, axis);
                } catch (IllegalArgumentException e) {
                    throw d.fail("tensor '" + name + "': " + e.getMessage());
                }
            }
            long off = d.i64("tensor offset");
            long len = d.i64("tensor length");
            long expected = count * dtype.size();
            if (!sparse && len != expected) {
                throw d.fail("tensor '" + name + "' " + dtype.id() + Arrays.toString(shape) + " needs " + expected
                        + " bytes, the directory says " + len);
            }
            if (off < 0 || off % TernFormat.ALIGNMENT != 0 || off > data.remaining() || len > data.remaining() - off) {
                throw d.fail("tensor '" + name + "' (" + len + " bytes at " + off + ") lies outside the "
                        + data.remaining() + "-byte DATA section or is not " + TernFormat.ALIGNMENT + "-byte aligned");
            }
            try {
                if (sparse) {
                    ByteBuffer dense = SparseCodec.decode(slice(data, off, len), (int) count, dtype.size());
                    out.add(new Tensor(name, dtype, shape, dense, quant).storedAs(Tensor.Storage.SPARSE));
                } else {
                    out.add(new Tensor(name, dtype, shape, slice(data, off, len), quant));
                }
            } catch (IllegalArgumentException e) {
                throw d.fail((sparse ? "sparse tensor '" + name + "': " : "") + e.getMessage());
            }
        }
        d.end();
        return out;
    }

    private static List<Node> nodes(Decoder d) {
        int n = d.count("nodes", 18);
        List<Node> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String name = d.str("node name");
            int code = d.u16("op code");
            OpType op = OpType.fromCode(code);
            if (op == null) {
                throw d.fail("node '" + name + "' has op code " + code + ", unknown to this reader; upgrade Tern");
            }
            int nIn = d.count("node inputs", 4);
            List<String> inputs = new ArrayList<>(nIn);
            for (int j = 0; j < nIn; j++) {
                inputs.add(d.str("node input"));
            }
            String output = d.str("node output");
            int nAttr = d.count("attributes", 5);
            Attributes.Builder a = Attributes.builder();
            for (int j = 0; j < nAttr; j++) {
                String key = d.str("attribute name");
                int type = d.u8("attribute type");
                switch (type) {
                    case TernFormat.ATTR_INT: a.put(key, d.i32("int attribute")); break;
                    case TernFormat.ATTR_FLOAT: a.put(key, d.f32("float attribute")); break;
                    case TernFormat.ATTR_STRING: a.put(key, d.str("string attribute")); break;
                    case TernFormat.ATTR_INTS: a.put(key, d.ints("int[] attribute")); break;
                    case TernFormat.ATTR_FLOATS: a.put(key, d.floats("float[] attribute")); break;
                    default: throw d.fail("node '" + name + "': attribute '" + key + "' has unknown type " + type);
                }
            }
            try {
                out.add(new Node(name, op, inputs, output, a.build()));
            } catch (IllegalArgumentException e) {
                throw d.fail(e.getMessage());
            }
        }
        d.end();
        return out;
    }

    private static ByteBuffer slice(ByteBuffer f, long off, long len) {
        ByteBuffer d = f.duplicate();
        ((Buffer) d).limit((int) (off + len));
        ((Buffer) d).position((int) off);
        return d.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x & 0xff));
        }
        return sb.toString();
    }

    private static String hex32(int v) {
        return String.format("%08x", v);
    }

    /**
     * PREP (1.5, optional): per entry an input's name, a key and a value; the only key is
     * {@code resize} (bilinear or nearest). An unknown input or key, a bad value or an input
     * named twice is a format error: a preprocessing step this reader cannot apply must not be
     * skipped silently.
     */
    private static void prep(Decoder d, List<InputSpec> inputs) {
        int n = d.count("PREP entries", 12);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < n; i++) {
            String in = d.str("PREP input name");
            String key = d.str("PREP key");
            String value = d.str("PREP value");
            int at = -1;
            for (int j = 0; j < inputs.size(); j++) {
                if (inputs.get(j).name().equals(in)) {
                    at = j;
                }
            }
            if (at < 0) {
                throw d.fail("PREP entry " + i + " names input '" + in + "', which the model does not have");
            }
            if (!key.equals("resize")) {
                throw d.fail("PREP entry " + i + " has key '" + key + "'; this reader knows only 'resize'");
            }
            if (!seen.add(in + "\u0000" + key)) {
                throw d.fail("PREP gives input '" + in + "' key '" + key + "' twice");
            }
            try {
                inputs.set(at, inputs.get(at).withResize(value));
            } catch (IllegalArgumentException e) {
                throw d.fail(e.getMessage());
            }
        }
        d.end();
    }
}
