package dev.tern.runtime.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * Files written whole or not at all: the bytes go to a temporary file beside the target
 * ({@code .NAME.<16 hex>.tmp}), are synced, and the temporary file is renamed over the
 * target, so a reader sees the old file or the new one, never half of one, and an input file
 * given as the output is only replaced once the new bytes are safely on disk.
 *
 * <p>Every failure is a {@link FileSystemException} naming the path: the target is a
 * directory, its folder cannot be created or written, or the disk is full ("No space left on
 * device" alone does not say which of a job's outputs it was). {@link #checkWritable} runs
 * the same checks without writing, for commands that must refuse a bad output path before
 * minutes of work.
 *
 * <p>A process killed between creating the temporary file and the rename (SIGKILL, power
 * loss) leaves that file behind. Each write removes such leftovers of the same target:
 * files of exactly our name pattern that nobody has modified for {@link #STALE_MILLIS}
 * (a live writer writes its bytes in one go and renames at once, so a temporary file that old
 * belongs to a dead process). Files of other names are never touched.
 */
public final class AtomicFiles {
    /** How long a temporary file of ours must be unmodified before a later write removes it. */
    public static final long STALE_MILLIS = 10 * 60 * 1000L;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern TEMP_SUFFIX = Pattern.compile("\\.[0-9a-f]{1,16}\\.tmp");

    private AtomicFiles() {
    }

    /** Writes {@code bytes} to {@code path} atomically, creating missing parent folders. */
    public static void write(Path path, byte[] bytes) throws IOException {
        write(path, tmp -> {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
        }, bytes.length + " bytes");
    }

    /** Fills the temporary file that then replaces the target. */
    @FunctionalInterface
    public interface Body {
        /** Writes the whole content into {@code tmp} (an empty file that exists). */
        void writeTo(Path tmp) throws IOException;
    }

    /**
     * Writes a file too large to hold in memory atomically: {@code body} fills a temporary
     * file beside {@code path} (streaming as it likes), which is synced and renamed over
     * {@code path}; when {@code body} throws, the temporary file is deleted and {@code path}
     * is untouched.
     */
    public static void write(Path path, Body body) throws IOException {
        write(path, body, "the data");
    }

    private static void write(Path path, Body body, String what) throws IOException {
        Path target = checkWritable(path);
        Path dir = target.getParent();
        try {
            Files.createDirectories(dir);
        } catch (FileSystemException e) {
            throw e;
        } catch (IOException e) {
            throw problem(dir, "cannot create the folder: " + e.getMessage());
        }
        removeStaleTemporaries(target);
        // Not Files.createTempFile: that makes the file owner-only (0600); a file created here
        // gets the usual permissions (0666 less the umask), as the final file should.
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                // created empty; the body writes it
            }
            body.writeTo(tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (FileSystemException e) {
            if (tmp.toString().equals(e.getFile())) {
                throw problem(target, "cannot write: " + (e.getReason() != null ? e.getReason() : e.getClass().getSimpleName()));
            }
            throw e;
        } catch (IOException e) {
            // Disk full, quota, I/O error: the JDK's message has no path.
            throw problem(target, "cannot write " + what + ": " + e.getMessage());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Checks, without writing anything, that {@code path} can be written by {@link #write}: it
     * is not a folder, and its nearest existing ancestor is a writable folder. Returns the
     * absolute path.
     */
    public static Path checkWritable(Path path) throws FileSystemException {
        Path target = path.toAbsolutePath().normalize();
        if (target.getParent() == null) {
            throw problem(target, "expected a file path, found the root folder");
        }
        if (Files.isDirectory(target)) {
            throw problem(target, "expected a file to write, found a folder");
        }
        if (Files.exists(target) && !Files.isWritable(target) && !Files.isWritable(target.getParent())) {
            throw problem(target, "the file and its folder are read-only");
        }
        Path dir = target.getParent();
        while (dir != null && !Files.exists(dir)) {
            dir = dir.getParent();
        }
        if (dir == null || !Files.isDirectory(dir)) {
            throw problem(target, "its folder cannot be created: " + dir + " is not a folder");
        }
        if (!Files.isWritable(dir)) {
            throw problem(target, "cannot write in the folder " + dir + " (permission denied)");
        }
        return target;
    }

    /** Removes this target's temporary files left by killed writers (name pattern and age as in the class doc). */
    static void removeStaleTemporaries(Path target) {
        String prefix = "." + target.getFileName();
        long cutoff = System.currentTimeMillis() - STALE_MILLIS;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(target.getParent(), prefix + ".*.tmp")) {
            for (Path p : ds) {
                String rest = p.getFileName().toString().substring(prefix.length());
                if (!TEMP_SUFFIX.matcher(rest).matches() || !Files.isRegularFile(p)) {
                    continue;
                }
                FileTime t = Files.getLastModifiedTime(p);
                if (t.toMillis() < cutoff) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            // Best effort: a leftover we cannot list or delete must not stop the write.
        }
    }

    private static FileSystemException problem(Path path, String reason) {
        return new FileSystemException(path.toString(), null, reason);
    }
}
