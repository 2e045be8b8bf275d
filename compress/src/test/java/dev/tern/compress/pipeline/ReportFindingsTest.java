package dev.tern.compress.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a new user found in the demo's report (issue 18, item 9), on the measured full demo of
 * docs/PIPELINE.md written through the pipeline's adapter: the HTML lacked sections that the
 * Markdown had, the teacher had two rows, only the size front was marked, and a speedup within
 * the noise of the rounds was claimed.
 */
class ReportFindingsTest {
    static CompressRecipe recipe() throws Exception {
        return CompressRecipe.read(Paths.get(System.getProperty("tern.repo", "..")).resolve("models/recipes/demo.json"));
    }

    /** Group 1 of every match. */
    static List<String> all(Pattern p, String s) {
        return p.matcher(s).results().map(m -> m.group(1)).toList();
    }


    @Test
    void htmlCarriesWhatMarkdownCarries(@TempDir Path dir) throws Exception {
        CompressRecipe r = recipe();
        Report.write(dir, r, ReportDemoFixture.results(r), 910);
        String md = Files.readString(dir.resolve("report.md"));
        String html = Files.readString(dir.resolve("index.html"));
        assertEquals(all(Pattern.compile("(?m)^## (.*)$"), md), all(Pattern.compile("<h2>(.*?)</h2>"), html));
        assertTrue(html.contains("<h2>What distillation bought</h2>"), html);
        assertTrue(html.contains("student-w0.5 vs scratch-w0.5 (same student, hard labels only): left +2.30 points"), html);
        assertTrue(html.contains("0.8661 (-0.1)"), "per-task changes from the teacher");
        assertTrue(html.contains("Total wall time 910 s"), html);
    }

    @Test
    void theTeacherHasOneRowAndBothFrontsAreMarked(@TempDir Path dir) throws Exception {
        CompressRecipe r = recipe();
        JsonNode j = Report.write(dir, r, ReportDemoFixture.results(r), 910);
        String md = Files.readString(dir.resolve("report.md"));
        String html = Files.readString(dir.resolve("index.html"));
        assertFalse(md.contains("| teacher-fp32 |"), md);
        assertFalse(html.contains("<td>teacher-fp32</td>"), html);
        // teacher-fp32 stays in report.json's variants (in recipe order), marked as the teacher's model
        assertEquals("teacher-fp32", j.get("variants").get(0).get("name").asText());
        assertTrue(j.get("variants").get(0).get("same_as_teacher").asBoolean());
        // student-w0.5 (102 µs) is on the latency front and not on the size front
        String row = all(Pattern.compile("(?m)^(\\| student-w0.5 \\|.*)$"), md).get(0);
        assertTrue(row.contains("| latency |"), row);
        assertTrue(html.contains("<td>student-w0.5</td>") && html.contains("<td>latency</td>"), html);
        assertEquals("int8", j.get("variants").get(3).get("precision").asText(), "sparse80-int8 is quantized via its chain");
        assertEquals("fp32", j.get("variants").get(2).get("precision").asText());
    }

    @Test
    void aSpeedupWithinTheRoundsNoiseIsNotClaimed(@TempDir Path dir) throws Exception {
        CompressRecipe r = recipe();
        JsonNode j = Report.write(dir, r, ReportDemoFixture.withRounds(ReportDemoFixture.results(r)), 910, List.of(0.05, 0.2));
        // teacher-int8: rounds 824.9-1037.8 µs against the teacher's 764.4-835.3 µs: they overlap
        JsonNode q = j.get("variants").get(1);
        assertEquals("within_noise", q.get("latency_vs_teacher").asText());
        assertEquals(List.of(824.9, 887.0, 1037.8), List.of(q.get("latency_us").get("round_medians").get(0).asDouble(),
                q.get("latency_us").get("round_medians").get(1).asDouble(), q.get("latency_us").get("round_medians").get(2).asDouble()));
        String verdict = j.get("best_within_1pt").get("verdict").asText();
        assertTrue(verdict.contains("teacher-int8") && verdict.contains("within noise (0.74–1.01x over the rounds), so no speed "
                + "difference is claimed"), verdict);
        assertEquals("idle", j.get("machine_load").get("status").asText());
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("Within noise of the teacher's latency (no speed difference claimed): teacher-int8, sparse80."), md);
    }
}
