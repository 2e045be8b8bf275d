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
            ByteBuffer pre = readFully(ch, 0, (int) Math.min(size, 12));
            byte[] magic = new byte[Math.min(pre.remaining(), MAGIC.length)];
            pre.get(0, magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw fail(file, "not a .npy file: it starts with " + Hex.of(magic) + ", expected " + Hex.of(MAGIC)
                        + " (\\x93NUMPY)");
            }
            if (size < 10) {
                throw fail(file, "truncated: " + size + " bytes, a .npy preamble needs 10");
            }
            int major = pre.get(6) & 0xff;
            int minor = pre.get(7) & 0xff;
            if (major < 1 || major > 3 || minor != 0) {
                throw fail(file, ".npy format version " + major + "." + minor + " is not supported; this reader reads 1.0, 2.0 and 3.0");
            }
            int preamble = major == 1 ? 10 : 12;
            if (size < preamble) {
                throw fail(file, "truncated: " + size + " bytes, a version " + major + ".0 preamble needs " + preamble);
            }
            pre.order(ByteOrder.LITTLE_ENDIAN);
            long headerLen = major == 1 ? pre.getShort(8) & 0xffff : pre.getInt(8) & 0xffffffffL;
            if (headerLen > size - preamble) {
                throw fail(file, "truncated: the preamble announces a " + headerLen + "-byte header, the file holds "
                        + (size - preamble) + " bytes after it");
            }
            if (headerLen > MAX_HEADER) {
                throw fail(file, "the header is " + headerLen + " bytes, more than the " + MAX_HEADER + " this reader accepts");
            }
            byte[] headerBytes = new byte[(int) headerLen];
            readFully(ch, preamble, (int) headerLen).get(headerBytes);
            String text = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            NpyHeader header;
            try {
                header = NpyHeader.parse(text);
            } catch (IllegalArgumentException e) {
                throw fail(file, "bad header " + quote(text) + ": " + e.getMessage());
            }
            NpyDType dtype = NpyDType.parse(header.descr);
            if (dtype == null) {
                throw fail(file, "dtype '" + header.descr + "' is not supported; expected float32 ('<f4'), float64 ('<f8') or uint8 ('|u1')");
            }
            if (header.fortranOrder && header.shape.length > 1) {
                throw fail(file, "array is in Fortran order; save it in C order (numpy.ascontiguousarray)");
            }
            long dataOffset = preamble + headerLen;
            long count = header.elementCount();
            long available = size - dataOffset;
            if (count < 0 || count > MAX_ELEMENTS) {
                throw fail(file, dtype.id() + " " + header.shapeString() + " has more elements than an array holds ("
                        + MAX_ELEMENTS + "); the file holds " + available + " bytes of data");
            }
            long expected = count * dtype.size();
            if (expected != available) {
                throw fail(file, (available < expected ? "truncated" : "trailing bytes") + ": " + dtype.id() + " "
                        + header.shapeString() + " needs " + expected + " bytes of data, the file holds " + available);
            }
            ByteBuffer data = readFully(ch, dataOffset, (int) expected).order(NpyDType.order(header.descr));
            int[] shape = new int[header.shape.length];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = (int) header.shape[i];
            }
            return new NpyArray(shape, dtype, toFloats(data, dtype, (int) count));
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

    private static ByteBuffer readFully(FileChannel ch, long position, int length) throws IOException {
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
        return new FileFormatException(file + ": " + message);
    }
}
