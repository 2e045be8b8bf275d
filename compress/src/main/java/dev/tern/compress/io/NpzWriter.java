package dev.tern.compress.io;

import dev.tern.runtime.format.AtomicFiles;
import org.apache.commons.compress.archivers.zip.Zip64Mode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipEntry;

/**
 * Writes a {@code .npz} as {@code numpy.savez} does: uncompressed {@code .npy} members (so
 * {@link NpzFile} and NumPy's {@code mmap_mode} can read them in place), zip64 when large.
 * Members are streamed: a member's data never has to be in memory at once. The file appears
 * atomically ({@link AtomicFiles}) when the body returns; a failed body leaves nothing.
 */
public final class NpzWriter {
    /** Writes the members. */
    @FunctionalInterface
    public interface Body {
        void write(NpzWriter npz) throws IOException;
    }

    /** Streams one member's data. */
    @FunctionalInterface
    public interface Data {
        /** Writes exactly the member's element count times its element size, little-endian. */
        void write(OutputStream out) throws IOException;
    }

    private final ZipArchiveOutputStream zip;

    private NpzWriter(ZipArchiveOutputStream zip) {
        this.zip = zip;
    }

    /** Writes {@code file} atomically with the members {@code body} adds. */
    public static void write(Path file, Body body) throws IOException {
        AtomicFiles.write(file, tmp -> {
            try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(tmp)) {
                z.setUseZip64(Zip64Mode.AsNeeded);
                z.setMethod(ZipEntry.STORED);
                body.write(new NpzWriter(z));
                z.finish();
            }
        });
    }

    /** A member {@code name.npy} of {@code dtype} (little-endian) and {@code shape} whose bytes {@code data} streams. */
    public void array(String name, NpyDType dtype, long[] shape, Data data) throws IOException {
        long count = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            count = Math.multiplyExact(count, d);
        }
        ZipArchiveEntry e = new ZipArchiveEntry(name + ".npy");
        e.setMethod(ZipEntry.STORED);
        zip.putArchiveEntry(e);
        zip.write(NpyWriter.header(dtype.descr(), shape));
        long expected = count * dtype.size();
        long[] written = {0};
        OutputStream counting = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                zip.write(b);
                written[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                zip.write(b, off, len);
                written[0] += len;
            }
        };
        data.write(counting);
        if (written[0] != expected) {
            throw new IllegalStateException(name + ": " + dtype.id() + " " + Arrays.toString(shape) + " needs " + expected
                    + " bytes, the writer gave " + written[0]);
        }
        zip.closeArchiveEntry();
    }

    /** A uint8 (or int8, bool) member. */
    public void bytes(String name, NpyDType dtype, long[] shape, byte[] values) throws IOException {
        if (dtype.size() != 1) {
            throw new IllegalArgumentException(dtype.id() + " is not a one-byte type");
        }
        array(name, dtype, shape, out -> out.write(values));
    }

    /** An int64 member. */
    public void longs(String name, long[] shape, long[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        array(name, NpyDType.INT64, shape, out -> out.write(b.array()));
    }

    /** A float32 member. */
    public void floats(String name, long[] shape, float[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        array(name, NpyDType.FLOAT32, shape, out -> out.write(b.array()));
    }
}
