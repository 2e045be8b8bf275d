package dev.tern.compress.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import static dev.tern.compress.report.Fixtures.TEACHER;
import static dev.tern.compress.report.Fixtures.v;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every renderer draws the sections of one model: JSON fields, Markdown and HTML alike, plots. */
class RenderersTest {
    static ReportModel model() {
        VariantResult alias = new VariantResult("teacher-fp32", null, List.of("score"), TEACHER.model(), "fp32",
                TEACHER.sizeBytes(), 5, TEACHER.tasks(), TEACHER.latency(), 3, null);
        VariantResult q = v("teacher-int8", "int8", 0.895, 0.80, 0.70, 250, 980, 930, 980, 1050);
        VariantResult d = v("student", "fp32", 0.80, 0.75, 0.70, 200, 100, 95, 100, 110);
        VariantResult c = v("scratch", "fp32", 0.78, 0.76, 0.65, 200, 99, 94, 99, 107);
        return ReportModel.build(Fixtures.run(), TEACHER, List.of(alias, q, d, c),
                List.of(new ReportModel.DistillPair("student", "scratch")), new MachineLoad(List.of(0.9, 1.8), 2));
    }

    /** Group 1 of every match. */
    static List<String> all(Pattern p, String s) {
        return p.matcher(s).results().map(m -> m.group(1)).toList();
    }


    @Test
    void markdownAndHtmlCarryTheSameSectionsAndFacts() {
        ReportModel m = model();
        String md = MarkdownRenderer.render(m);
        String html = HtmlRenderer.render(m);
        List<String> mdHeads = all(Pattern.compile("(?m)^#+ (.*)$"), md);
        List<String> htmlHeads = all(Pattern.compile("<h[1-6]>(.*?)</h[1-6]>"), html);
        assertEquals(List.of("Compression report: test recipe", "Variants", "Verdict", "Latency and its noise",
                "What distillation bought", "Plots"), mdHeads);
        assertEquals(mdHeads, htmlHeads);
        for (String s : List.of(md, html)) {
            assertTrue(s.contains("left +2.00 points, right -1.00 points, present +5.00 points (not better on every task)"), s);
            assertTrue(s.contains("0.8950 (-0.5)"), "per-task change from the teacher: " + s);
            assertTrue(s.contains("Total wall time 125 s (2 min 5 s)"), s);
            assertTrue(s.contains("within noise"), s);
            assertTrue(s.contains("On the latency front, scratch and student are within noise of each other"), s);
            assertTrue(s.contains("The machine was loaded during the latency measurement (other processes used up to 1.80 cores"), s);
            assertTrue(s.contains("teacher (= teacher-fp32)"), s);
        }
        assertTrue(html.contains(HtmlRenderer.esc(m.verdict())) && md.contains(m.verdict()));
    }

    @Test
    void theTableHasOneTeacherRowAndMarksBothFronts() {
        ReportModel m = model();
        String md = MarkdownRenderer.render(m);
        String html = HtmlRenderer.render(m);
        // header + teacher + 3 distinct variants: teacher-fp32 is the teacher's row, not a row of its own
        assertEquals(5, all(Pattern.compile("(<tr)"), html).size(), html);
        List<String> mdRows = all(Pattern.compile("(?m)^(\\| \\S.*)$"), md);
        assertEquals(5, mdRows.size(), md);
        assertFalse(md.contains("| teacher-fp32 |"), md);
        // scratch (99 µs) is on the latency front only, teacher-int8 (250 B, slower than the teacher) on the size front only
        String scratch = all(Pattern.compile("(?m)^(\\| scratch \\|.*)$"), md).get(0);
        assertTrue(scratch.contains("| latency |"), scratch);
        assertTrue(all(Pattern.compile("(?m)^(\\| teacher-int8 \\|.*)$"), md).get(0).contains("| size |"), md);
        assertTrue(html.contains("<td>latency</td>") && html.contains("<td>size</td>"), html);
    }

    @Test
    void reportJsonKeepsItsFieldsAndAddsTheNoise() {
        ReportModel m = model();
        ObjectNode j = JsonRenderer.render(m);
        for (String f : List.of("recipe", "quick", "eval_samples", "latency_runs", "machine", "wall_seconds", "teacher",
                "variants", "best_within_1pt", "distillation", "plots", "latency_rounds", "machine_load", "teacher_aliases",
                "pareto_size_front", "pareto_latency_front", "latency_within_noise")) {
            assertTrue(j.has(f), f);
        }
        JsonNode q = j.get("variants").get(1);
        for (String f : List.of("name", "stages", "model", "size_bytes", "params", "tasks", "latency_us", "size_vs_teacher",
                "speedup_vs_teacher", "within_1pt_of_teacher", "pareto_size", "pareto_latency", "wall_seconds",
                "speedup_range", "latency_vs_teacher", "same_as_teacher", "change_points", "precision")) {
            assertTrue(q.has(f), f + " in " + q);
        }
        assertEquals(0.25, q.get("size_vs_teacher").asDouble());
        assertEquals(0.97, q.get("speedup_vs_teacher").asDouble());
        assertEquals(0.86, q.get("speedup_range").get(0).asDouble());
        assertEquals("within_noise", q.get("latency_vs_teacher").asText());
        assertEquals(1050.0, q.get("latency_us").get("max_round").asDouble());
        assertEquals(980.0, q.get("latency_us").get("p50").asDouble());
        assertEquals(0.995, q.get("tasks").get("left").get("top3_accuracy").asDouble(), 1e-12);
        assertEquals(-0.5, q.get("change_points").get("left").asDouble());
        assertTrue(j.get("variants").get(0).get("same_as_teacher").asBoolean());
        assertEquals("loaded", j.get("machine_load").get("status").asText());
        assertEquals("teacher-int8", j.get("best_within_1pt").get("name").asText());
        assertFalse(j.get("best_within_1pt").get("meets_speed_bar").asBoolean());
        assertEquals(2.0, j.get("distillation").get(0).get("gain_points").get("left").asDouble());
        assertEquals(List.of("size-left.png", "latency-left.png", "size-right.png", "latency-right.png", "size-present.png",
                "latency-present.png"), all(Pattern.compile("\"([^\"]+\\.png)\""), j.get("plots").toString()));
    }

    @Test
    void plotsHaveAShortLegendAndColoursThatShowOnWhite() {
        ReportModel m = model();
        XYChart c = PlotRenderer.chart(m, "left", "t", "x", "y", r -> r.result().latency().p50(), m.latencyFront(), true);
        List<String> legend = c.getSeriesMap().values().stream().filter(XYSeries::isShowInLegend).map(XYSeries::getName).toList();
        assertEquals(List.of("teacher", "fp32", "int8", "Pareto front (mean metric)"), legend);
        for (String g : List.of("teacher", "fp32", "int8", "other")) {
            // WCAG 2.1 asks 3:1 for graphics against their background
            assertTrue(contrastOnWhite(PlotRenderer.colour(g)) >= 3.0, g + ": " + contrastOnWhite(PlotRenderer.colour(g)));
        }
        assertTrue(contrastOnWhite(new Color(255, 200, 0)) < 3.0, "the check itself rejects a pale yellow");
    }

    @Test
    void writerWritesEveryFileAndThePlotsAreImages(@TempDir Path dir) throws Exception {
        ReportWriter.write(dir, model());
        for (String f : List.of("report.json", "report.md", "index.html", "size-left.png", "latency-present.png")) {
            assertTrue(Files.size(dir.resolve(f)) > 100, f);
        }
        byte[] png = Files.readAllBytes(dir.resolve("size-left.png"));
        assertEquals(0x89, png[0] & 0xff);
        assertEquals('P', png[1]);
    }

    static double contrastOnWhite(Color c) {
        double l = 0.2126 * lin(c.getRed()) + 0.7152 * lin(c.getGreen()) + 0.0722 * lin(c.getBlue());
        return 1.05 / (l + 0.05);
    }

    private static double lin(int v) {
        double s = v / 255.0;
        return s <= 0.04045 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    }
}
