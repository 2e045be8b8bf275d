package dev.tern.compress.tf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TaskMetadataTest {
    @TempDir
    Path tmp;

    @Test
    void roundTripsThroughTheFileInTheDocumentedShape() throws IOException {
        TaskMetadata m = new TaskMetadata("mtl", new TaskMetadata.Input("image", "NHWC", new float[] {0f}, new float[] {255f}),
                List.of(TaskMetadata.Task.multiclass("left", "left_logits", List.of("a", "b")),
                        TaskMetadata.Task.multilabel("present", "present_logits", List.of("a", "b"), new float[] {0.3f, 0.6f}),
                        TaskMetadata.Task.regression("size", "size", null)));
        Files.createDirectories(tmp.resolve("sm"));
        Path file = SavedModelImporter.writeTaskMetadata(tmp.resolve("sm"), m);
        assertEquals(tmp.resolve("sm/assets.extra/tern.json"), file);
        String json = Files.readString(file);
        assertTrue(json.startsWith("{\n  \"version\" : 1,\n  \"name\" : \"mtl\","), json);
        assertTrue(json.contains("\"kind\" : \"multilabel\""), json);
        TaskMetadata back = TaskMetadata.read(file);
        assertEquals(m, back);
        assertArrayEquals(new float[] {0.3f, 0.6f}, back.tasks().get(1).thresholds());
        assertNull(back.tasks().get(2).labels());
        assertTrue(Files.list(file.getParent()).allMatch(p -> p.equals(file)), "no temporary file left behind");
    }

    @Test
    void readsHandWrittenFilesWithOptionalFieldsLeftOut() throws IOException {
        Path f = Files.writeString(tmp.resolve("tern.json"),
                "{\"tasks\": [{\"name\": \"left\", \"output\": \"out\"}]}");
        TaskMetadata m = TaskMetadata.read(f);
        assertNull(m.version());
        assertNull(m.input());
        assertEquals("left", m.tasks().get(0).name());
        assertNull(m.tasks().get(0).kind());
    }

    @Test
    void writingIntoAMissingFolderFails() {
        ImportException e = assertThrows(ImportException.class,
                () -> SavedModelImporter.writeTaskMetadata(tmp.resolve("none"), new TaskMetadata(null, null, null)));
        assertTrue(e.getMessage().contains("found nothing there"), e.getMessage());
    }
}
