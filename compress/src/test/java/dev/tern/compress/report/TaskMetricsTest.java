package dev.tern.compress.report;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The adapter from the evaluator's string-keyed metrics to typed ones, and back for report.json. */
class TaskMetricsTest {
    static Map<String, Double> map(Object... kv) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Double) kv[i + 1]);
        }
        return m;
    }

    @Test
    void eachKindIsRecognisedAndKeepsEveryKeyInOrder() {
        Map<String, Double> mc = map("accuracy", 0.8, "top3_accuracy", 0.95);
        TaskMetrics a = TaskMetrics.fromMap("left", mc);
        assertEquals(new TaskMetrics.Multiclass(0.8, 3, 0.95), a);
        assertEquals(0.8, a.headline());
        assertEquals(List.copyOf(mc.entrySet()), List.copyOf(a.toMap().entrySet()));
        Map<String, Double> ml = map("hamming_loss", 0.05, "subset_accuracy", 0.4, "micro_f1", 0.7, "macro_f1", 0.6, "map", 0.75);
        TaskMetrics b = TaskMetrics.fromMap("present", ml);
        assertEquals(new TaskMetrics.Multilabel(0.7, 0.6, 0.75, 0.4, 0.05), b);
        assertEquals("micro-F1", b.headlineName());
        assertEquals(List.copyOf(ml.entrySet()), List.copyOf(b.toMap().entrySet()));
        TaskMetrics r = TaskMetrics.fromMap("age", map("mae", 2.5, "rmse", 3.0));
        assertEquals(-2.5, r.headline(), "lower error is better, so the headline is minus the MAE");
        assertEquals(map("mae", 2.5, "rmse", 3.0), r.toMap());
    }

    @Test
    void optionalMetricsMayBeAbsent() {
        assertEquals(map("micro_f1", 0.5), TaskMetrics.fromMap("p", map("micro_f1", 0.5)).toMap());
        assertEquals(map("accuracy", 0.5), TaskMetrics.fromMap("p", map("accuracy", 0.5)).toMap());
    }

    @Test
    void unknownMetricsNameTheTaskAndWhatWasFound() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TaskMetrics.fromMap("left", map("recall", 0.5, "auc", 0.9)));
        assertTrue(e.getMessage().contains("task 'left'") && e.getMessage().contains("found [auc, recall]"), e.getMessage());
    }
}
