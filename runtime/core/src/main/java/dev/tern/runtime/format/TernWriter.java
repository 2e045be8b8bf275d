package dev.tern.runtime.format;

import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.QuantParams;
import dev.tern.runtime.model.TaskKind;
import dev.tern.runtime.model.TaskSpec;
import dev.tern.runtime.model.Tensor;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link ModelDef} as a {@code .tern} file (layout in docs/FORMAT.md). Output is
 * deterministic: the same model gives the same bytes. {@link #write(ModelDef, Path)} is
 * atomic ({@link AtomicFiles}): a failed or killed run never leaves a partial file at the
 * final path.
 */
public final class TernWriter {
    private TernWriter() {
    }

    /** Writes atomically to {@code path} (replacing it if present). */
    public static void write(ModelDef def, Path path) throws IOException {
        byte[] bytes = toBytes(def);
        writeAtomically(path, bytes);
    }

    /** Writes bytes to {@code path} atomically: {@link AtomicFiles#write}. */
    public static void writeAtomically(Path path, byte[] bytes) throws IOException {
        AtomicFiles.write(path, bytes);
    }

    public static void write(ModelDef def, OutputStream out) throws IOException {
        out.write(toBytes(def));
    }

    /** The file image of {@code def}. */
    public static byte[] toBytes(ModelDef def) {
        byte[] meta = meta(def);
        byte[] graph = graph(def);
        List<Tensor> tensors = new ArrayList<>(def.tensors().values());
        long[] offsets = new long[tensors.size()];
        long[] lengths = new long[tensors.size()];
        boolean[] sparse = new boolean[tensors.size()];
        boolean anySparse = false;
        long dataLen = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            sparse[i] = SparseCodec.prefersSparse(t);
            anySparse |= sparse[i];
            lengths[i] = sparse[i] ? SparseCodec.sparseBytes(t) : t.byteSize();
            dataLen = align(dataLen);
            offsets[i] = dataLen;
            dataLen += lengths[i];
        }
        byte[] tdir = tensorDirectory(tensors, offsets, lengths, sparse);

        byte[] prep = TernFormat.hasPrep(def) ? prep(def) : null;
        int sections = prep == null ? 4 : 5;
        long pos = align(TernFormat.HEADER_SIZE + (long) sections * TernFormat.SECTION_ENTRY_SIZE);
        long metaOff = pos;
        pos += meta.length;
        long prepOff = pos;
        pos += prep == null ? 0 : prep.length;
        long graphOff = pos;
        pos += graph.length;
        long tdirOff = pos;
        pos += tdir.length;
        long dataOff = align(pos);
        long fileSize = dataOff + dataLen;
        if (fileSize > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("model of " + fileSize + " bytes is too large for one file image");
        }

        ByteBuffer f = ByteBuffer.allocate((int) fileSize).order(ByteOrder.LITTLE_ENDIAN);
        put(f, metaOff, meta);
        if (prep != null) {
            put(f, prepOff, prep);
        }
        put(f, graphOff, graph);
        put(f, tdirOff, tdir);
        for (int i = 0; i < tensors.size(); i++) {
            ((Buffer) f).position((int) (dataOff + offsets[i]));
            if (sparse[i]) {
                SparseCodec.encode(tensors.get(i), f);
            } else {
                f.put(tensors.get(i).data());
            }
        }
        ByteBuffer dataView = view(f, dataOff, dataLen);

        ByteBuffer table = ByteBuffer.allocate(sections * TernFormat.SECTION_ENTRY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        entry(table, TernFormat.META, metaOff, meta.length, Checksums.crc32c(meta, 0, meta.length));
        entry(table, TernFormat.GRPH, graphOff, graph.length, Checksums.crc32c(graph, 0, graph.length));
        entry(table, TernFormat.TDIR, tdirOff, tdir.length, Checksums.crc32c(tdir, 0, tdir.length));
        entry(table, TernFormat.DATA, dataOff, dataLen, Checksums.crc32c(dataView));
        if (prep != null) {
            // optional (flags 0): a 1.4 reader skips it and refuses an image of another size, as it always did
            table.putInt(TernFormat.PREP).putInt(0).putLong(prepOff).putLong(prep.length)
                    .putInt(Checksums.crc32c(prep, 0, prep.length)).putInt(0);
        }
        byte[] tableBytes = table.array();
        put(f, TernFormat.HEADER_SIZE, tableBytes);

        ((Buffer) f).position(0);
        f.put(TernFormat.MAGIC);
        f.putShort((short) TernFormat.MAJOR);
        f.putShort((short) Math.max(anySparse ? TernFormat.SPARSE_MINOR : 0, TernFormat.minorFor(def)));
        f.putInt(0); // flags
        f.putLong(fileSize);
        f.putInt(sections);
        f.putInt(TernFormat.HEADER_SIZE); // section table offset
        // bytes 32..55 reserved (zero)
        f.putInt(56, Checksums.crc32c(tableBytes, 0, tableBytes.length));
        byte[] all = f.array();
        f.putInt(60, Checksums.crc32c(all, 0, 60));
        return all;
    }

    /** PREP: i32 entry count; per entry str input name, str key, str value (docs/FORMAT.md). */
    private static byte[] prep(ModelDef def) {
        Encoder e = new Encoder();
        int n = 0;
        for (InputSpec in : def.inputs()) {
            n += in.resize().isEmpty() ? 0 : 1;
        }
        e.i32(n);
        for (InputSpec in : def.inputs()) {
            if (!in.resize().isEmpty()) {
                e.str(in.name()).str("resize").str(in.resize());
            }
        }
        return e.bytes();
    }

    private static byte[] meta(ModelDef def) {
        Encoder e = new Encoder();
        e.str(def.name());
        e.i32(def.inputs().size());
        for (InputSpec in : def.inputs()) {
            e.str(in.name()).ints(in.shape()).str(in.layout()).floats(in.mean()).floats(in.std());
        }
        e.i32(def.tasks().size());
        for (TaskSpec t : def.tasks()) {
            e.str(t.name()).u8(t.kind().code()).str(t.output()).u8(t.logits() ? 1 : 0);
            e.i32(t.labels().size());
            for (String l : t.labels()) {
                e.str(l);
            }
            if (t.kind() == TaskKind.MULTILABEL) {
                float[] th = t.thresholds();
                for (float x : th) {
                    e.f32(x);
                }
            }
        }
        e.i32(def.outputs().size());
        for (String o : def.outputs()) {
            e.str(o);
        }
        e.i32(def.provenance().size());
        for (Map.Entry<String, String> p : def.provenance().entrySet()) {
            e.str(p.getKey()).str(p.getValue());
        }
        return e.bytes();
    }

    private static byte[] graph(ModelDef def) {
        Encoder e = new Encoder();
        e.i32(def.nodes().size());
        for (Node n : def.nodes()) {
            e.str(n.name()).u16(n.op().code());
            e.i32(n.inputs().size());
            for (String in : n.inputs()) {
                e.str(in);
            }
            e.str(n.output());
            Attributes a = n.attributes();
            List<String> keys = new ArrayList<>();
            for (String k : a.keys()) {
                keys.add(k);
            }
            e.i32(keys.size());
            for (String k : keys) {
                e.str(k);
                Object v = a.get(k);
                if (v instanceof Integer) {
                    e.u8(TernFormat.ATTR_INT).i32((Integer) v);
                } else if (v instanceof Float) {
                    e.u8(TernFormat.ATTR_FLOAT).f32((Float) v);
                } else if (v instanceof String) {
                    e.u8(TernFormat.ATTR_STRING).str((String) v);
                } else if (v instanceof int[]) {
                    e.u8(TernFormat.ATTR_INTS).ints((int[]) v);
                } else if (v instanceof float[]) {
                    e.u8(TernFormat.ATTR_FLOATS).floats((float[]) v);
                } else {
                    throw new IllegalArgumentException("node '" + n.name() + "': attribute '" + k + "' has unsupported type "
                            + v.getClass().getSimpleName());
                }
            }
        }
        return e.bytes();
    }

    private static byte[] tensorDirectory(List<Tensor> tensors, long[] offsets, long[] lengths, boolean[] sparse) {
        Encoder e = new Encoder();
        e.i32(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            e.str(t.name()).u8(t.dtype().code() | (sparse[i] ? TernFormat.SPARSE_BIT : 0)).ints(t.shape());
            QuantParams q = t.quant();
            if (q == null) {
                e.u8(0);
            } else {
                if (t.dtype() == DType.FLOAT32) {
                    throw new IllegalArgumentException("tensor '" + t.name() + "' is float32 but has quantization parameters");
                }
                e.u8(1).i32(q.axis()).floats(q.scales()).ints(q.zeroPoints());
            }
            e.i64(offsets[i]).i64(lengths[i]);
        }
        return e.bytes();
    }

    private static void entry(ByteBuffer table, int id, long offset, long length, int crc) {
        table.putInt(id).putInt(TernFormat.FLAG_REQUIRED).putLong(offset).putLong(length).putInt(crc).putInt(0);
    }

    private static void put(ByteBuffer f, long at, byte[] b) {
        ((Buffer) f).position((int) at);
        f.put(b);
    }

    private static ByteBuffer view(ByteBuffer f, long off, long len) {
        ByteBuffer d = f.duplicate();
        ((Buffer) d).position((int) off);
        ((Buffer) d).limit((int) (off + len));
        return d.slice();
    }

    static long align(long v) {
        long a = TernFormat.ALIGNMENT;
        return (v + a - 1) / a * a;
    }
}
