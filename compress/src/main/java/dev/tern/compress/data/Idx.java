package dev.tern.compress.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST / Fashion-MNIST format), raw or gzip-compressed. Compression is
 * detected from the first two bytes (gzip magic {@code 1f 8b}), never from the file name.
 *
 * <p>Layout: two zero bytes, a type byte, a byte {@code ndims}, then {@code ndims} big-endian
 * int32 dimensions, then the elements in row-major order. Only type {@code 0x08} (unsigned
 * byte) is read; the others (0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64)
 * are rejected by name.
 *
 * <p>The data length is checked against the dimensions before the data array is allocated,
 * so a corrupt header is a {@link DataException}, never an OutOfMemoryError: for a raw file
 * against the file size; for a gzip file against the uncompressed size recorded in the gzip
 * trailer (ISIZE, the size mod 2^32), and when that does not match (a multi-member gzip file,
 * or a real mismatch) by decompressing once without storing to count the bytes. Extra bytes
 * after the data are an error too.
 */
public final class Idx {
    /** The IDX type code of unsigned bytes. */
    public static final int UBYTE = 0x08;
    /** Largest element count a Java array holds. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    private static final int BUFFER = 1 << 16;

    private Idx() {
    }

    /**
     * Reads a whole unsigned-byte IDX file.
     *
     * @throws DataException when the file is not a valid unsigned-byte IDX file, raw or gzip
     * @throws java.nio.file.NoSuchFileException when the file does not exist
     */
    public static IdxArray read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer magic = readAt(ch, 0, (int) Math.min(size, 2));
            boolean gzip = magic.remaining() == 2 && (magic.get(0) & 0xff) == 0x1f && (magic.get(1) & 0xff) == 0x8b;
            return gzip ? readGzip(file, ch, size) : readRaw(file, ch, size);
        }
    }

    private static IdxArray readRaw(Path file, FileChannel ch, long size) throws IOException {
        ByteBuffer pre = readAt(ch, 0, (int) Math.min(size, 4));
        byte[] head = new byte[pre.remaining()];
        pre.get(head);
        int[] dims = parseHeader(file, head, dimsBytes -> {
            long need = 4L + dimsBytes;
            if (size < need) {
                throw fail(file, "truncated header: " + size + " bytes, the header needs " + need);
            }
            ByteBuffer b = readAt(ch, 4, dimsBytes);
            byte[] out = new byte[dimsBytes];
            b.get(out);
            return out;
        });
        long headerLen = 4L + 4L * dims.length;
        long need = elements(file, dims);
        long found = size - headerLen;
        checkLength(file, dims, need, found);
        byte[] data = new byte[(int) need];
        ByteBuffer dst = ByteBuffer.wrap(data);
        long pos = headerLen;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) {
                throw fail(file, "truncated: the file shrank while it was read");
            }
            pos += n;
        }
        return new IdxArray(dims, data);
    }

    private static IdxArray readGzip(Path file, FileChannel ch, long size) throws IOException {
        // ISIZE: the last 4 bytes of a gzip member, little-endian, uncompressed length mod 2^32.
        long isize = -1;
        if (size >= 18) {
            isize = readAt(ch, size - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt(0) & 0xffffffffL;
        }
        try (InputStream in = gunzip(ch)) {
            byte[] head = readUpTo(in, 4);
            int[] dims = parseHeader(file, head, dimsBytes -> {
                byte[] out = readUpTo(in, dimsBytes);
                if (out.length < dimsBytes) {
                    throw fail(file, "truncated header: " + (4 + out.length) + " bytes after decompression, the header needs "
                            + (4 + dimsBytes));
                }
                return out;
            });
            long headerLen = 4L + 4L * dims.length;
            long need = elements(file, dims);
            if (((headerLen + need) & 0xffffffffL) != isize) {
                checkLength(file, dims, need, count(file, in));
                // The trailer disagreed but the count agrees (a multi-member file): read it again, storing.
                try (InputStream again = gunzip(ch)) {
                    skipFully(again, headerLen);
                    return new IdxArray(dims, readData(file, again, dims, need));
                }
            }
            return new IdxArray(dims, readData(file, in, dims, need));
        } catch (ZipException | EOFException e) {
            throw fail(file, "corrupt or truncated gzip data (" + e.getMessage() + ")", e);
        }
    }

    /** What {@link #parseHeader} needs to fetch the dimension bytes after the 4-byte preamble. */
    private interface DimsSource {
        byte[] read(int dimsBytes) throws IOException;
    }

    private static int[] parseHeader(Path file, byte[] head, DimsSource rest) throws IOException {
        if (head.length >= 2 && (head[0] != 0 || head[1] != 0)) {
            throw fail(file, "not an IDX file: it starts with " + hex(Arrays.copyOf(head, 2)) + ", expected 0000 (then a type byte and a rank byte)");
        }
        if (head.length < 4) {
            throw fail(file, "truncated header: " + head.length + " bytes, an IDX header needs at least 4");
        }
        int type = head[2] & 0xff;
        if (type != UBYTE) {
            throw fail(file, "IDX element type 0x" + hex(new byte[] {head[2]}) + " (" + typeName(type)
                    + ") is not supported; expected 0x08 (unsigned byte)");
        }
        int rank = head[3] & 0xff;
        if (rank == 0) {
            throw fail(file, "IDX rank 0: expected at least one dimension");
        }
        ByteBuffer b = ByteBuffer.wrap(rest.read(4 * rank)).order(ByteOrder.BIG_ENDIAN);
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = b.getInt();
            if (dims[i] < 0) {
                throw fail(file, "dimension " + i + " is " + (dims[i] & 0xffffffffL) + ", more than an array can hold");
            }
        }
        return dims;
    }

    private static long elements(Path file, int[] dims) {
        long n = 1;
        for (int d : dims) {
            n *= d;
            if (n > MAX_ELEMENTS) {
                throw fail(file, "dims " + Arrays.toString(dims) + " hold more than " + MAX_ELEMENTS
                        + " elements, the most one Java array holds");
            }
        }
        return n;
    }

    private static void checkLength(Path file, int[] dims, long need, long found) {
        if (found < need) {
            throw fail(file, "truncated: dims " + Arrays.toString(dims) + " need " + need + " data bytes, found " + found);
        }
        if (found > need) {
            throw fail(file, "dims " + Arrays.toString(dims) + " need " + need + " data bytes, found " + found
                    + " (" + (found - need) + " extra bytes after the data)");
        }
    }

    private static byte[] readData(Path file, InputStream in, int[] dims, long need) throws IOException {
        byte[] data = new byte[(int) need];
        int off = 0;
        while (off < data.length) {
            int n = in.read(data, off, data.length - off);
            if (n < 0) {
                throw fail(file, "truncated: dims " + Arrays.toString(dims) + " need " + need + " data bytes, found " + off);
            }
            off += n;
        }
        if (in.read() >= 0) {
            long extra = 1 + count(file, in);
            throw fail(file, "dims " + Arrays.toString(dims) + " need " + need + " data bytes, found " + (need + extra)
                    + " (" + extra + " extra bytes after the data)");
        }
        return data;
    }

    /** Counts the bytes left in {@code in} without storing them. */
    private static long count(Path file, InputStream in) throws IOException {
        byte[] buf = new byte[BUFFER];
        long total = 0;
        for (int n; (n = in.read(buf)) >= 0; ) {
            total += n;
        }
        return total;
    }

    /** A decompressing stream from the start of the file; closing it closes {@code ch} (the caller owns both). */
    private static InputStream gunzip(FileChannel ch) throws IOException {
        return new GZIPInputStream(new BufferedInputStream(Channels.newInputStream(ch.position(0)), BUFFER), BUFFER);
    }

    private static byte[] readUpTo(InputStream in, int n) throws IOException {
        byte[] out = new byte[n];
        int off = 0;
        while (off < n) {
            int r = in.read(out, off, n - off);
            if (r < 0) {
                return Arrays.copyOf(out, off);
            }
            off += r;
        }
        return out;
    }

    private static void skipFully(InputStream in, long n) throws IOException {
        if (readUpTo(in, (int) n).length != n) {
            throw new EOFException("stream ended inside the header on the second read");
        }
    }

    private static ByteBuffer readAt(FileChannel ch, long pos, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) {
                break;
            }
        }
        return b.flip();
    }

    static String typeName(int type) {
        switch (type) {
            case 0x08: return "unsigned byte";
            case 0x09: return "signed byte";
            case 0x0B: return "int16";
            case 0x0C: return "int32";
            case 0x0D: return "float32";
            case 0x0E: return "float64";
            default: return "not an IDX type";
        }
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return sb.toString();
    }

    private static DataException fail(Path file, String message) {
        return new DataException(file + ": " + message);
    }

    private static DataException fail(Path file, String message, Throwable cause) {
        return new DataException(file + ": " + message, cause);
    }
}
