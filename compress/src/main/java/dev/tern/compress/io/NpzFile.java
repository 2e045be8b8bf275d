package dev.tern.compress.io;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;

/**
 * A NumPy {@code .npz} file ({@code numpy.savez} or {@code savez_compressed}): a zip of
 * {@code .npy} members, opened without reading any member's data. Members stored uncompressed
 * ({@code savez}) are read in place, element ranges at a time, so a file larger than memory is
 * never held whole; a deflated member ({@code savez_compressed}) is inflated once into a
 * temporary file (deleted by {@link #close()}) and read the same way. Every member's header,
 * dtype and length are checked at open. Zip64 archives (NumPy writes them) are read.
 * Thread-safe for reads after open (positional reads of a {@link FileChannel}).
 */
public final class NpzFile implements Closeable {
    private final Path file;
    private final FileChannel channel;
    private final Map<String, Member> members;
    private final List<Path> temporaries = new ArrayList<>();

    private NpzFile(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
        this.members = new LinkedHashMap<>();
    }

    /**
     * Opens {@code file} and checks every member: a {@code .npy} of a known dtype, in C order,
     * whose data length matches its shape.
     *
     * @throws FileFormatException naming the file and member when it is not such an archive
     * @throws java.nio.file.NoSuchFileException when the file does not exist
     */
    public static NpzFile open(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        NpzFile npz = new NpzFile(file, ch);
        try {
            npz.readMembers();
            return npz;
        } catch (IOException | RuntimeException e) {
            npz.close();
            throw e;
        }
    }

    private void readMembers() throws IOException {
        ZipFile zip;
        try {
            zip = ZipFile.builder().setPath(file).get();
        } catch (IOException e) {
            if (e instanceof java.nio.file.NoSuchFileException) {
                throw e;
            }
            throw new FileFormatException(file + ": not a .npz (zip) file: " + e.getMessage());
        }
        try (zip) {
            for (Enumeration<ZipArchiveEntry> en = zip.getEntries(); en.hasMoreElements(); ) {
                ZipArchiveEntry e = en.nextElement();
                if (e.isDirectory()) {
                    continue;
                }
                String name = e.getName();
                String where = file + " member " + name;
                if (!name.endsWith(".npy")) {
                    throw new FileFormatException(where + ": expected only .npy members (numpy.savez writes NAME.npy)");
                }
                String key = name.substring(0, name.length() - 4);
                if (members.containsKey(key)) {
                    throw new FileFormatException(where + ": the archive holds two members named " + name);
                }
                FileChannel source;
                long base;
                long size;
                if (e.getMethod() == ZipEntry.STORED) {
                    source = channel;
                    base = e.getDataOffset();
                    size = e.getSize();
                    if (base < 0 || size < 0 || base + size > channel.size()) {
                        throw new FileFormatException(where + ": truncated: the member's " + size + " bytes at offset " + base
                                + " run past the end of the " + channel.size() + "-byte file");
                    }
                } else if (zip.canReadEntryData(e)) {
                    Path tmp = Files.createTempFile("tern-npz-", ".npy");
                    temporaries.add(tmp);
                    try (InputStream in = zip.getInputStream(e); OutputStream out = Files.newOutputStream(tmp)) {
                        in.transferTo(out);
                    } catch (IOException x) {
                        throw new FileFormatException(where + ": cannot inflate: " + x.getMessage());
                    }
                    source = FileChannel.open(tmp, StandardOpenOption.READ);
                    base = 0;
                    size = source.size();
                } else {
                    throw new FileFormatException(where + ": compression method " + e.getMethod()
                            + " is not supported; expected stored (numpy.savez) or deflated (numpy.savez_compressed)");
                }
                NpyReader.Layout l = NpyReader.layout(source, base, size, where);
                if (l.dtype == null) {
                    throw new FileFormatException(where + ": dtype '" + l.header.descr + "' is not supported; expected "
                            + "float32, float64, uint8, int8/16/32/64, uint16/32 or bool");
                }
                NpyReader.checkLength(where, l, base + size - l.dataOffset);
                members.put(key, new Member(key, where, l, source));
            }
        }
    }

    /** The file. */
    public Path file() {
        return file;
    }

    /** The member names (without {@code .npy}), in archive order. */
    public List<String> names() {
        return List.copyOf(members.keySet());
    }

    /** The member {@code name} (without {@code .npy}), or null. */
    public Member member(String name) {
        return members.get(name);
    }

    /** Every member. */
    public Map<String, Member> members() {
        return Collections.unmodifiableMap(members);
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (Member m : members.values()) {
            if (m.channel != channel) {
                try {
                    m.channel.close();
                } catch (IOException e) {
                    first = first == null ? e : first;
                }
            }
        }
        try {
            channel.close();
        } catch (IOException e) {
            first = first == null ? e : first;
        }
        for (Path t : temporaries) {
            Files.deleteIfExists(t);
        }
        if (first != null) {
            throw first;
        }
    }

    /** One array of the archive; its data is read on demand. */
    public static final class Member {
        private final String name;
        private final String where;
        private final NpyDType dtype;
        private final ByteOrder order;
        private final long[] shape;
        private final long count;
        private final FileChannel channel;
        private final long dataOffset;

        Member(String name, String where, NpyReader.Layout l, FileChannel channel) {
            this.name = name;
            this.where = where;
            this.dtype = l.dtype;
            this.order = NpyDType.order(l.header.descr);
            this.shape = l.header.shape.clone();
            this.count = l.header.elementCount();
            this.channel = channel;
            this.dataOffset = l.dataOffset;
        }

        /** The member's name without {@code .npy}. */
        public String name() {
            return name;
        }

        /** "FILE member NAME.npy", for messages. */
        public String where() {
            return where;
        }

        public NpyDType dtype() {
            return dtype;
        }

        public long[] shape() {
            return shape.clone();
        }

        /** Number of elements. */
        public long count() {
            return count;
        }

        /** E.g. {@code uint8 (10000, 36, 36, 1)}. */
        public String describe() {
            StringBuilder sb = new StringBuilder(dtype.id()).append(" (");
            for (int i = 0; i < shape.length; i++) {
                sb.append(i > 0 ? ", " : "").append(shape[i]);
            }
            return sb.append(shape.length == 1 ? ",)" : ")").toString();
        }

        /**
         * Elements [from, from + n) as doubles (integers exactly, uint8 as 0..255) into
         * {@code dst[off..off+n)}; reads only those bytes.
         */
        public void read(long from, int n, double[] dst, int off) throws IOException {
            ByteBuffer b = bytes(from, n);
            for (int i = 0; i < n; i++) {
                dst[off + i] = get(b, i);
            }
        }

        /** Elements [from, from + n) as floats into {@code dst[off..off+n)}. */
        public void read(long from, int n, float[] dst, int off) throws IOException {
            ByteBuffer b = bytes(from, n);
            if (dtype == NpyDType.FLOAT32) {
                b.asFloatBuffer().get(dst, off, n);
                return;
            }
            for (int i = 0; i < n; i++) {
                dst[off + i] = (float) get(b, i);
            }
        }

        /** The whole member as doubles (for labels: at most {@code Integer.MAX_VALUE - 8} elements). */
        public double[] all() throws IOException {
            if (count > Integer.MAX_VALUE - 8) {
                throw new FileFormatException(where + ": " + describe() + " has more elements than an array holds");
            }
            double[] out = new double[(int) count];
            int step = 1 << 20;
            for (int from = 0; from < out.length; from += step) {
                read(from, Math.min(step, out.length - from), out, from);
            }
            return out;
        }

        private ByteBuffer bytes(long from, int n) throws IOException {
            if (from < 0 || n < 0 || from + n > count) {
                throw new IndexOutOfBoundsException("elements [" + from + ", " + (from + n) + ") of " + count + " in " + where);
            }
            ByteBuffer b = NpyReader.readFully(channel, dataOffset + from * dtype.size(), n * dtype.size());
            return b.order(order);
        }

        private double get(ByteBuffer b, int i) {
            switch (dtype) {
                case FLOAT32:
                    return b.getFloat(4 * i);
                case FLOAT64:
                    return b.getDouble(8 * i);
                case UINT8:
                    return b.get(i) & 0xff;
                case INT8:
                    return b.get(i);
                case BOOL:
                    return b.get(i) != 0 ? 1 : 0;
                case INT16:
                    return b.getShort(2 * i);
                case UINT16:
                    return b.getShort(2 * i) & 0xffff;
                case INT32:
                    return b.getInt(4 * i);
                case UINT32:
                    return b.getInt(4 * i) & 0xffffffffL;
                case INT64:
                    return b.getLong(8 * i);
                default:
                    throw new IllegalStateException(dtype.toString());
            }
        }
    }
}
