package dev.tern.compress.job;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/PIPELINE.md's tables of stage fields are the configs' field lists, as generated. */
class FieldDocsTest {
    @Test
    void pipelineDocsListEveryStageFieldAsTheCodeDefinesIt() throws Exception {
        Path doc = Paths.get(System.getProperty("tern.repo", "..")).resolve("docs/PIPELINE.md");
        String text = Files.readString(doc).replace("\r\n", "\n");
        for (String stage : FieldDocs.byStage().keySet()) {
            String start = "<!-- fields:" + stage + " -->";
            int i = text.indexOf(start);
            assertTrue(i >= 0, doc + " has no " + start + " block; insert:\n" + FieldDocs.block(stage));
            int j = text.indexOf("<!-- /fields -->", i);
            assertEquals(FieldDocs.block(stage), text.substring(i, j + "<!-- /fields -->".length()),
                    doc + ": the " + stage + " table differs from " + stage + "'s config fields");
        }
    }

    @Test
    void tableShowsNameOptionRangeAndDefault() {
        String t = FieldDocs.table(java.util.List.of(Field.integer("calib_samples", 1000, 1, 60_000, "Calibration samples."),
                Field.flag("per_tensor", "One scale per tensor.")));
        assertEquals("| recipe field | option | values | default | meaning |\n| --- | --- | --- | --- | --- |\n"
                + "| `calib_samples` | `--calib-samples` | an integer from 1 to 60000 | 1000 | Calibration samples. |\n"
                + "| `per_tensor` | `--per-tensor` | true or false | false | One scale per tensor. |\n", t);
    }
}
