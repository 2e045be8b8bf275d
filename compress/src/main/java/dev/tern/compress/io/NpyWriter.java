package dev.tern.compress.io;

import dev.tern.runtime.format.AtomicFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Writes float32 arrays as NumPy {@code .npy} files (format 1.0, little-endian, C order),
 * byte for byte as {@code numpy.save} does: the header is padded with spaces and a newline
 * so that the data starts at a multiple of 64 bytes.
 */
public final class NpyWriter {
    private static final int ALIGN = 64;

    private NpyWriter() {
    }

    /**
     * Writes atomically (a synced temporary file renamed over {@code file}), creating the
     * parent directories; a failed write never leaves a partial file at {@code file}.
     */
    public static void write(Path file, int[] shape, float[] values) throws IOException {
        AtomicFiles.write(file, toBytes(shape, values));
    }

    /** The file image of a float32 array. */
    public static byte[] toBytes(int[] shape, float[] values) {
        long[] dims = new long[shape.length];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            dims[i] = shape[i];
            n *= shape[i];
        }
        if (n != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " elements, got "
                    + values.length + " values");
        }
        byte[] header = header("<f4", dims);
        int dataOffset = header.length;
        if (values.length > (Integer.MAX_VALUE - 8 - dataOffset) / 4) {
            throw new IllegalArgumentException(values.length + " floats do not fit in one .npy byte array");
        }
        ByteBuffer b = ByteBuffer.allocate(dataOffset + values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put(header);
        b.asFloatBuffer().put(values);
        return b.array();
    }

    /**
     * The preamble and header of a version 1.0 {@code .npy} of {@code descr} and {@code shape},
     * padded so the data starts at a multiple of 64 bytes, as NumPy writes it.
     */
    static byte[] header(String descr, long[] shape) {
        String dict = new NpyHeader(descr, false, shape).format();
        int unpadded = NpyReader.MAGIC.length + 4 + dict.length() + 1;
        int padding = (ALIGN - unpadded % ALIGN) % ALIGN;
        String header = dict + " ".repeat(padding) + "\n";
        if (header.length() > 0xffff) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " makes a header too long for .npy 1.0");
        }
        ByteBuffer b = ByteBuffer.allocate(NpyReader.MAGIC.length + 4 + header.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(NpyReader.MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1));
        return b.array();
    }
}
