package dev.tern.compress.pipeline;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report's rules on hand-made results: within one point, the Pareto front, the verdict. */
class ReportTest {
    static Pipeline.Result r(String name, double left, double right, double f1, long size, double p50) {
        Pipeline.Result r = new Pipeline.Result(name, null);
        r.tasks.put("left", Map.of("accuracy", left));
        r.tasks.put("right", Map.of("accuracy", right));
        r.tasks.put("present", Map.of("micro_f1", f1, "subset_accuracy", 0.1));
        r.sizeBytes = size;
        r.p50 = p50;
        r.model = Path.of(name + ".tern");
        return r;
    }

    static final Pipeline.Result TEACHER = r("teacher", 0.90, 0.80, 0.70, 1000, 900);

    @Test
    void withinOnePointComparesEveryTasksHeadlineMetric() {
        assertTrue(Report.withinOnePoint(r("a", 0.89, 0.79, 0.69, 1, 1), TEACHER), "exactly one point below");
        assertFalse(Report.withinOnePoint(r("b", 0.95, 0.95, 0.6899, 1, 1), TEACHER), "micro-F1 of present is a task too");
        assertEquals(1.0, Report.headline("present", Map.of("micro_f1", 1.0, "subset_accuracy", 0.5)));
    }

    @Test
    void theParetoFrontKeepsOnlyUndominatedVariants() {
        Pipeline.Result small = r("small", 0.70, 0.70, 0.70, 100, 100);
        Pipeline.Result mid = r("mid", 0.85, 0.75, 0.70, 300, 300);
        Pipeline.Result worse = r("worse", 0.82, 0.70, 0.60, 400, 200);
        Pipeline.Result big = r("big", 0.90, 0.80, 0.70, 1000, 900);
        List<Pipeline.Result> front = Report.front(List.of(small, mid, worse, big), x -> x.sizeBytes);
        assertEquals(List.of(small, mid, big), front);
        assertEquals(List.of(small, worse, mid, big), Report.front(List.of(small, mid, worse, big), x -> x.p50));
    }

    @Test
    void theVerdictSaysHowFarTheVariantsAreFromTheBars() {
        Pipeline.Result fast = r("fast", 0.80, 0.79, 0.69, 90, 200);
        Pipeline.Result close = r("close", 0.895, 0.80, 0.70, 500, 800);
        String v = Report.verdict(close, TEACHER, List.of(fast, close));
        assertTrue(v.contains("close, 50.0% of the teacher's size (bar: at most 10%, not met) and 1.13x faster"), v);
        assertTrue(v.contains("the most accurate is fast (9.0% of the size, 4.50x faster), 10.0 points behind"), v);
        String none = Report.verdict(null, TEACHER, List.of(fast));
        assertTrue(none.startsWith("No variant is within 1 point of the teacher on every task; the closest, fast, is 10.0 points"), none);
        Pipeline.Result good = r("good", 0.90, 0.80, 0.70, 100, 100);
        String met = Report.verdict(good, TEACHER, List.of(good));
        assertTrue(met.contains("(bar: at most 10%, met)") && met.contains("(bar: at least 3x, met)") && !met.contains("most accurate"), met);
    }
}
