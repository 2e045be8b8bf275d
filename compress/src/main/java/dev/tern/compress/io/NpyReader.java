package dev.tern.compress.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0; C order; float32,
 * float64 or uint8 in either byte order) into float arrays. Strict: the magic, the version,
 * the header dictionary and the data length are all checked, and the data length is
 * compared with the file size before anything is allocated, so an absurd shape is an
 * error message, never an OutOfMemoryError.
 */
public final class NpyReader {
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** NumPy itself refuses larger headers by default; a real header is under 200 bytes. */
    static final int MAX_HEADER = 1 << 16;
    /** Largest element count a Java float array holds. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private NpyReader() {
    }

    /**
     * Reads the whole array.
     *
     * @throws FileFormatException when the file is not a valid .npy of a supported type
     * @throws java.nio.file.NoSuchFileException when the file does not exist
     */
    public static NpyArray read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            Layout l = layout(ch, 0, size, file.toString());
            NpyHeader header = l.header;
            NpyDType dtype = l.dtype;
            if (dtype == null || !dtype.isSample()) {
                throw fail(file, "dtype '" + header.descr + "' is not supported; expected float32 ('<f4'), float64 ('<f8') or uint8 ('|u1')");
            }
            long count = header.elementCount();
            long available = size - l.dataOffset;
            if (count < 0 || count > MAX_ELEMENTS) {
                throw fail(file, dtype.id() + " " + header.shapeString() + " has more elements than an array holds ("
                        + MAX_ELEMENTS + "); the file holds " + available + " bytes of data");
            }
            checkLength(file.toString(), l, available);
            ByteBuffer data = readFully(ch, l.dataOffset, (int) (count * dtype.size())).order(NpyDType.order(header.descr));
            int[] shape = new int[header.shape.length];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = (int) header.shape[i];
            }
            return new NpyArray(shape, dtype, toFloats(data, dtype, (int) count));
        }
    }

    /** Where an array's data starts and what it holds; {@code dtype} null when not one of {@link NpyDType}. */
    static final class Layout {
        final NpyHeader header;
        final NpyDType dtype;
        /** Offset of the first element from the start of the channel. */
        final long dataOffset;

        Layout(NpyHeader header, NpyDType dtype, long dataOffset) {
            this.header = header;
            this.dtype = dtype;
            this.dataOffset = dataOffset;
        }
    }

    /**
     * Reads and checks the preamble and header of an array stored at {@code [base, base + size)}
     * of {@code ch} ({@code where} names it in messages): magic, version, the dictionary, C order.
     */
    static Layout layout(FileChannel ch, long base, long size, String where) throws IOException {
        ByteBuffer pre = readFully(ch, base, (int) Math.min(size, 12));
        byte[] magic = new byte[Math.min(pre.remaining(), MAGIC.length)];
        pre.get(0, magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw fail(where, "not a .npy file: it starts with " + Hex.of(magic) + ", expected " + Hex.of(MAGIC)
                    + " (\\x93NUMPY)");
        }
        if (size < 10) {
            throw fail(where, "truncated: " + size + " bytes, a .npy preamble needs 10");
        }
        int major = pre.get(6) & 0xff;
        int minor = pre.get(7) & 0xff;
        if (major < 1 || major > 3 || minor != 0) {
            throw fail(where, ".npy format version " + major + "." + minor + " is not supported; this reader reads 1.0, 2.0 and 3.0");
        }
        int preamble = major == 1 ? 10 : 12;
        if (size < preamble) {
            throw fail(where, "truncated: " + size + " bytes, a version " + major + ".0 preamble needs " + preamble);
        }
        pre.order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = major == 1 ? pre.getShort(8) & 0xffff : pre.getInt(8) & 0xffffffffL;
        if (headerLen > size - preamble) {
            throw fail(where, "truncated: the preamble announces a " + headerLen + "-byte header, the file holds "
                    + (size - preamble) + " bytes after it");
        }
        if (headerLen > MAX_HEADER) {
            throw fail(where, "the header is " + headerLen + " bytes, more than the " + MAX_HEADER + " this reader accepts");
        }
        byte[] headerBytes = new byte[(int) headerLen];
        readFully(ch, base + preamble, (int) headerLen).get(headerBytes);
        String text = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        NpyHeader header;
        try {
            header = NpyHeader.parse(text);
        } catch (IllegalArgumentException e) {
            throw fail(where, "bad header " + quote(text) + ": " + e.getMessage());
        }
        if (header.fortranOrder && header.shape.length > 1) {
            throw fail(where, "array is in Fortran order; save it in C order (numpy.ascontiguousarray)");
        }
        return new Layout(header, NpyDType.parse(header.descr), base + preamble + headerLen);
    }

    /** Checks that the data after the header is exactly what the dtype and shape need. */
    static void checkLength(String where, Layout l, long available) throws FileFormatException {
        long count = l.header.elementCount();
        long expected = count < 0 ? Long.MAX_VALUE : count * l.dtype.size();
        if (expected != available) {
            throw fail(where, (available < expected ? "truncated" : "trailing bytes") + ": " + l.dtype.id() + " "
                    + l.header.shapeString() + " needs " + expected + " bytes of data, the file holds " + available);
        }
    }

    private static float[] toFloats(ByteBuffer data, NpyDType dtype, int count) {
        float[] out = new float[count];
        switch (dtype) {
            case FLOAT32:
                data.asFloatBuffer().get(out);
                break;
            case FLOAT64:
                for (int i = 0; i < count; i++) {
                    out[i] = (float) data.getDouble(i * 8);
                }
                break;
            default:
                for (int i = 0; i < count; i++) {
                    out[i] = data.get(i) & 0xff;
                }
                break;
        }
        return out;
    }

    static ByteBuffer readFully(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            int n = ch.read(b, position + b.position());
            if (n < 0) {
                throw new IOException("file shrank while it was read");
            }
        }
        b.flip();
        return b;
    }

    private static String quote(String header) {
        String t = header.strip();
        return t.length() > 80 ? t.substring(0, 77) + "..." : t;
    }

    private static FileFormatException fail(Path file, String message) {
        return fail(file.toString(), message);
    }

    private static FileFormatException fail(String where, String message) {
        return new FileFormatException(where + ": " + message);
    }
}
