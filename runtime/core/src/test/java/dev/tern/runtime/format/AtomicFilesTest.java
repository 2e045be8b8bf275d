package dev.tern.runtime.format;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void writesCreatesFoldersAndReplaces() throws IOException {
        Path f = dir.resolve("a/b/out.bin");
        AtomicFiles.write(f, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
        AtomicFiles.write(f, new byte[] {4});
        assertArrayEquals(new byte[] {4}, Files.readAllBytes(f));
        try (var s = Files.list(f.getParent())) {
            assertEquals(1, s.count(), "no temporary file left beside the target");
        }
    }

    @Test
    void aFolderAsTargetIsRefusedBeforeAnythingIsWritten() throws IOException {
        Path d = Files.createDirectory(dir.resolve("model.tern"));
        FileSystemException e = assertThrows(FileSystemException.class, () -> AtomicFiles.checkWritable(d));
        assertEquals(d.toString(), e.getFile());
        assertEquals("expected a file to write, found a folder", e.getReason());
        assertThrows(FileSystemException.class, () -> AtomicFiles.write(d, new byte[1]));
        try (var s = Files.list(d)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void aFileWhereAFolderShouldBeIsRefused() throws IOException {
        Path file = Files.write(dir.resolve("plain"), new byte[1]);
        FileSystemException e = assertThrows(FileSystemException.class,
                () -> AtomicFiles.checkWritable(file.resolve("sub/out.tern")));
        assertTrue(e.getReason().contains(file + " is not a folder"), e.getReason());
    }

    @Test
    void staleTemporariesOfKilledWritersAreRemovedOthersKept() throws IOException {
        Path target = dir.resolve("m.tern");
        long old = System.currentTimeMillis() - AtomicFiles.STALE_MILLIS - 60_000;
        Path stale = Files.write(dir.resolve(".m.tern.1f2e3d4c5b6a7980.tmp"), new byte[10]);
        Files.setLastModifiedTime(stale, FileTime.fromMillis(old));
        Path fresh = Files.write(dir.resolve(".m.tern.00aa.tmp"), new byte[10]);
        Path otherTarget = Files.write(dir.resolve(".n.tern.1f2e3d4c5b6a7980.tmp"), new byte[10]);
        Files.setLastModifiedTime(otherTarget, FileTime.fromMillis(old));
        Path notOurs = Files.write(dir.resolve(".m.tern.backup.tmp"), new byte[10]);
        Files.setLastModifiedTime(notOurs, FileTime.fromMillis(old));

        AtomicFiles.write(target, new byte[] {7});

        assertFalse(Files.exists(stale), "a temporary file of this target unmodified for longer than STALE_MILLIS");
        assertTrue(Files.exists(fresh), "maybe a live writer's");
        assertTrue(Files.exists(otherTarget), "another target's");
        assertTrue(Files.exists(notOurs), "not our name pattern");
    }

    @Test
    void aFullDiskNamesTheFileAndLeavesTheOldOneIntact() throws IOException {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix().toBuilder()
                .setBlockSize(1024).setMaxSize(64 * 1024).build())) {
            Path target = fs.getPath("/work/model.tern");
            AtomicFiles.write(target, new byte[] {1, 2, 3});
            byte[] big = new byte[256 * 1024];
            Arrays.fill(big, (byte) 5);
            FileSystemException e = assertThrows(FileSystemException.class, () -> AtomicFiles.write(target, big));
            assertEquals("/work/model.tern", e.getFile());
            assertTrue(e.getReason().startsWith("cannot write 262144 bytes: "), e.getReason());
            assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target), "the old file stays whole");
            try (var s = Files.list(target.getParent())) {
                assertEquals(1, s.count(), "the partial temporary file is removed");
            }
        }
    }
}
