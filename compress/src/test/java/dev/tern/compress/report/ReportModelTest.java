package dev.tern.compress.report;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.tern.compress.report.Fixtures.TEACHER;
import static dev.tern.compress.report.Fixtures.model;
import static dev.tern.compress.report.Fixtures.v;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The analysis on hand-made results with hand-computed outcomes. */
class ReportModelTest {
    @Test
    void withinOnePointComparesEveryTasksHeadlineMetric() {
        assertTrue(Analysis.withinOnePoint(v("a", "fp32", 0.89, 0.79, 0.69, 1, 1), TEACHER), "exactly one point below");
        assertFalse(Analysis.withinOnePoint(v("b", "fp32", 0.95, 0.95, 0.6899, 1, 1), TEACHER), "micro-F1 of present is a task too");
    }

    @Test
    void theParetoFrontsKeepOnlyUndominatedModels() {
        // mean headline: small 0.70, mid 0.7667, worse 0.7067, big 0.80
        VariantResult small = v("small", "fp32", 0.70, 0.70, 0.70, 100, 100);
        VariantResult mid = v("mid", "fp32", 0.85, 0.75, 0.70, 300, 300);
        VariantResult worse = v("worse", "fp32", 0.82, 0.70, 0.60, 400, 200);
        VariantResult big = v("big", "fp32", 0.90, 0.80, 0.70, 1100, 900);
        List<VariantResult> all = List.of(small, mid, worse, big);
        assertEquals(List.of(small, mid, big), Analysis.front(all, x -> x.sizeBytes()));
        assertEquals(List.of(small, worse, mid, big), Analysis.front(all, x -> x.latency().p50()));
        // in the model the teacher is a point too: big has the teacher's accuracy but is faster
        ReportModel m = model(all, List.of(), MachineLoad.unknown());
        assertEquals(List.of("small", "mid", "teacher"), m.sizeFront(), "big is as large as the teacher, and not better");
        assertEquals(List.of("small", "worse", "mid", "big"), m.latencyFront());
        ReportModel.Row w = m.rows().get(2);
        assertEquals("worse", w.name());
        assertFalse(w.paretoSize());
        assertTrue(w.paretoLatency(), "both fronts are marked on every row");
    }

    @Test
    void aVariantThatIsTheTeachersModelIsTheTeacherOnce() {
        VariantResult alias = new VariantResult("teacher-fp32", null, List.of("score"), TEACHER.model(), "fp32",
                TEACHER.sizeBytes(), 5, TEACHER.tasks(), TEACHER.latency(), 3, null);
        VariantResult small = v("small", "int8", 0.895, 0.80, 0.70, 300, 500, 480, 500, 520);
        ReportModel m = model(List.of(alias, small), List.of(), MachineLoad.unknown());
        assertEquals(List.of("teacher-fp32"), m.teacherAliases());
        assertEquals(List.of("teacher", "small"), m.distinctRows().stream().map(ReportModel.Row::name).toList());
        assertTrue(m.rows().get(0).sameAsTeacher() && m.rows().get(0).paretoSize(), "the alias carries the teacher's marks");
        assertEquals("small", m.best().name(), "the teacher's own model is no candidate");
        assertEquals(List.of("small", "teacher"), m.sizeFront(), "one teacher point on the front");
    }

    @Test
    void latencyComparesRoundRangesAndCallsOverlapNoise() {
        // teacher rounds 900-1000; a: 850-1020 overlaps; b: 280-340 is faster beyond noise
        VariantResult a = v("a", "int8", 0.90, 0.80, 0.70, 250, 890, 850, 890, 1020);
        VariantResult b = v("b", "fp32", 0.85, 0.80, 0.70, 800, 300, 280, 300, 340);
        ReportModel m = model(List.of(a, b), List.of(), MachineLoad.unknown());
        ReportModel.Row ra = m.rows().get(0);
        assertEquals(Latency.Comparison.WITHIN_NOISE, ra.vsTeacher());
        assertEquals(950 / 890.0, ra.speedup(), 1e-12);
        assertEquals(900 / 1020.0, ra.speedupLow(), 1e-12);
        assertEquals(1000 / 850.0, ra.speedupHigh(), 1e-12);
        ReportModel.Row rb = m.rows().get(1);
        assertEquals(Latency.Comparison.FASTER, rb.vsTeacher());
        assertEquals(900 / 340.0, rb.speedupLow(), 1e-12);
        assertEquals(Latency.Comparison.UNKNOWN, v("c", "fp32", 1, 1, 1, 1, 10).latency().compareTo(TEACHER.latency()));
        assertEquals(Latency.Comparison.SLOWER, TEACHER.latency().compareTo(b.latency()));
    }

    @Test
    void theVerdictClaimsNoSpeedWinWithinNoise() {
        // within 1 point and the smallest, but its rounds (850-1020) overlap the teacher's (900-1000)
        VariantResult a = v("a", "int8", 0.90, 0.80, 0.70, 250, 890, 850, 890, 1020);
        ReportModel m = model(List.of(a), List.of(), MachineLoad.unknown());
        String verdict = m.verdict();
        assertTrue(verdict.contains("a, 25.0% of the teacher's size (bar: at most 10%, not met); at batch 1, 1.07x the "
                + "teacher's speed, within noise (0.88–1.18x over the rounds), so no speed difference is claimed"), verdict);
        assertFalse(verdict.contains("1.07x faster"), verdict);
        assertFalse(m.best().meetsSpeedBar());
    }

    @Test
    void theSpeedBarCountsOnlyBeyondNoise() {
        // p50 ratio 950/300 = 3.17x, but the teacher's fastest round over b's slowest: 900/340 = 2.65x
        VariantResult b = v("b", "int8", 0.90, 0.80, 0.70, 90, 300, 280, 300, 340);
        ReportModel m = model(List.of(b), List.of(), MachineLoad.unknown());
        assertEquals(950 / 300.0, m.best().speedup(), 1e-12);
        assertFalse(m.best().meetsSpeedBar());
        assertTrue(m.best().meetsSizeBar());
        assertTrue(m.verdict().contains("3.17x faster (2.65–3.57x over the rounds) (bar: at least 3x beyond noise, not met)"),
                m.verdict());
        // rounds 250-300: 900/300 = 3.0x at the low end meets the bar
        VariantResult c = v("c", "int8", 0.90, 0.80, 0.70, 90, 280, 250, 280, 300);
        ReportModel mc = model(List.of(c), List.of(), MachineLoad.unknown());
        assertTrue(mc.best().meetsSpeedBar(), mc.verdict());
        assertTrue(mc.verdict().contains("(bar: at least 3x beyond noise, met)") && !mc.verdict().contains("most accurate"),
                mc.verdict());
    }

    @Test
    void theVerdictSaysHowFarTheVariantsAreFromTheBars() {
        VariantResult fast = v("fast", "int8", 0.80, 0.79, 0.69, 90, 200, 190, 200, 210);
        VariantResult close = v("close", "fp32", 0.895, 0.80, 0.70, 500, 800, 700, 800, 820);
        String v = model(List.of(fast, close), List.of(), MachineLoad.unknown()).verdict();
        assertTrue(v.contains("close, 50.0% of the teacher's size (bar: at most 10%, not met); at batch 1, 1.19x faster"), v);
        assertTrue(v.contains("the most accurate is fast: 9.0% of the size, 4.75x faster (4.29–5.26x over the rounds), "
                + "10.0 points behind"), v);
        ReportModel none = model(List.of(fast), List.of(), MachineLoad.unknown());
        assertNull(none.best());
        assertTrue(none.verdict().startsWith("No variant is within 1 point of the teacher on every task; the closest, fast, "
                + "is 10.0 points"), none.verdict());
    }

    @Test
    void aLoadedMachineIsNamedInTheVerdict() {
        VariantResult fast = v("fast", "int8", 0.90, 0.80, 0.70, 90, 200, 190, 200, 210);
        assertEquals(MachineLoad.Status.LOADED, new MachineLoad(List.of(0.1, 0.51), 2).status(), "above half a core");
        assertEquals(MachineLoad.Status.IDLE, new MachineLoad(List.of(0.0, 0.5), 2).status(), "0.5 is not above 0.5");
        assertEquals(MachineLoad.Status.UNKNOWN, new MachineLoad(List.of(Double.NaN, -1.0), 2).status(), "not measurable here");
        String loaded = model(List.of(fast), List.of(), new MachineLoad(List.of(0.2, 1.0), 2)).verdict();
        assertTrue(loaded.contains("The machine was loaded during the latency measurement (other processes used up to 1.00 cores, "
                + "0.60 on average, of 2 processors)"), loaded);
        assertFalse(model(List.of(fast), List.of(), new MachineLoad(List.of(0.3), 2)).verdict().contains("loaded"));
    }

    @Test
    void neighboursOnTheLatencyFrontWithinNoiseAreNamed() {
        VariantResult s1 = v("s1", "fp32", 0.80, 0.70, 0.60, 200, 100, 95, 100, 110);
        VariantResult s2 = v("s2", "fp32", 0.81, 0.71, 0.61, 200, 105, 98, 105, 112);
        VariantResult s3 = v("s3", "fp32", 0.85, 0.75, 0.65, 300, 200, 190, 200, 205);
        ReportModel m = model(List.of(s1, s2, s3), List.of(), MachineLoad.unknown());
        assertEquals(List.of("s1", "s2", "s3", "teacher"), m.latencyFront());
        assertEquals(List.of(new ReportModel.NoisePair("s1", "s2")), m.noise());
    }

    @Test
    void distillationGainsArePointsPerTaskAgainstTheControl() {
        VariantResult d = v("d", "fp32", 0.80, 0.75, 0.70, 200, 100);
        VariantResult c = v("c", "fp32", 0.78, 0.76, 0.65, 200, 100);
        ReportModel m = model(List.of(d, c), List.of(new ReportModel.DistillPair("d", "c"),
                new ReportModel.DistillPair("d", "missing")), MachineLoad.unknown());
        assertEquals(1, m.distillation().size());
        Map<String, Double> g = m.distillation().get(0).gainPoints();
        assertEquals(2.0, g.get("left"), 1e-9);
        assertEquals(-1.0, g.get("right"), 1e-9);
        assertEquals(5.0, g.get("present"), 1e-9);
        assertFalse(m.distillation().get(0).beatsControlOnEveryTask());
    }

    /** Who compression hurts: per-class recall changes against the teacher, the worst class and those past the bar. */
    @Test
    void classHurtNamesTheWorstClassAndThoseBeyondTheBar() {
        VariantResult t = withRecall(TEACHER, Map.of("a", 0.90, "b", 0.80, "c", 0.70), Map.of("x", 0.5, "y", Double.NaN));
        VariantResult v = withRecall(v("small", "int8", 0.89, 0.79, 0.69, 100, 500, 480, 500, 520),
                Map.of("a", 0.95, "b", 0.76, "c", 0.60), Map.of("x", 0.52, "y", 0.3));
        ReportModel m = ReportModel.build(Fixtures.run(), t, List.of(v), List.of(), MachineLoad.unknown());
        Map<String, ReportModel.ClassHurt> h = m.classHurt(m.rows().get(0));
        assertEquals("c", h.get("left").worstClass());
        assertEquals(-10.0, h.get("left").worstChange(), 1e-9);
        assertEquals(List.of("c", "b"), h.get("left").hurt(), "below -3 points, worst first");
        assertEquals("x", h.get("present").worstClass(), "a label the teacher has no recall for is left out");
        assertEquals(2.0, h.get("present").worstChange(), 1e-9);
        assertTrue(h.get("present").hurt().isEmpty());
        String json = JsonRenderer.render(m).toString();
        assertTrue(json.contains("\"classes_hurt\":{\"left\":{\"worst_class\":\"c\",\"worst_change_points\":-10.0,\"below_bar\":[\"c\",\"b\"]}"), json);
        String md = MarkdownRenderer.render(m);
        assertTrue(md.contains("Who compression hurts") && md.contains("c (-10.0)") && md.contains("2: c, b"), md);
        // without per-class data there is no such section
        assertFalse(MarkdownRenderer.render(model(List.of(v("plain", "fp32", 0.9, 0.8, 0.7, 500, 900)), List.of(),
                MachineLoad.unknown())).contains("Who compression hurts"));
    }

    private static VariantResult withRecall(VariantResult v, Map<String, Double> left, Map<String, Double> present) {
        Map<String, Map<String, Double>> r = new java.util.LinkedHashMap<>();
        r.put("left", new java.util.TreeMap<>(left));
        r.put("present", new java.util.TreeMap<>(present));
        return new VariantResult(v.name(), v.derivedFrom(), v.stages(), v.model(), v.precision(), v.sizeBytes(), v.params(), v.tasks(),
                v.latency(), v.wallSeconds(), v.provenance(), r);
    }
}
