package dev.tern.compress.report;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * One task's metrics, typed by the task's kind (the definitions are in
 * {@link dev.tern.compress.eval.Metrics}). Each kind names its headline metric, the one the
 * report compares with the teacher: accuracy (multiclass), micro-F1 (multilabel), or minus
 * the MAE (regression, so that higher is better everywhere in the analysis).
 */
public sealed interface TaskMetrics permits TaskMetrics.Multiclass, TaskMetrics.Multilabel, TaskMetrics.Regression {
    /** The metric the report compares, higher is better. */
    double headline();

    /** Its name in tables and plot axes. */
    String headlineName();

    /** Every metric under the keys {@link dev.tern.compress.eval.Evaluator} writes, in its order. */
    Map<String, Double> toMap();

    /** Multiclass head: accuracy and top-k accuracy (NaN when not measured). */
    record Multiclass(double accuracy, int topK, double topKAccuracy) implements TaskMetrics {
        @Override
        public double headline() {
            return accuracy;
        }

        @Override
        public String headlineName() {
            return "accuracy";
        }

        @Override
        public Map<String, Double> toMap() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("accuracy", accuracy);
            if (!Double.isNaN(topKAccuracy)) {
                m.put("top" + topK + "_accuracy", topKAccuracy);
            }
            return m;
        }
    }

    /** Multilabel head: micro- and macro-F1, mAP, subset accuracy and Hamming loss (NaN when not measured). */
    record Multilabel(double microF1, double macroF1, double meanAveragePrecision, double subsetAccuracy, double hammingLoss)
            implements TaskMetrics {
        @Override
        public double headline() {
            return microF1;
        }

        @Override
        public String headlineName() {
            return "micro-F1";
        }

        @Override
        public Map<String, Double> toMap() {
            Map<String, Double> m = new LinkedHashMap<>();
            putIfMeasured(m, "hamming_loss", hammingLoss);
            putIfMeasured(m, "subset_accuracy", subsetAccuracy);
            m.put("micro_f1", microF1);
            putIfMeasured(m, "macro_f1", macroF1);
            putIfMeasured(m, "map", meanAveragePrecision);
            return m;
        }
    }

    /** Regression head: mean absolute and root-mean-square error (lower is better). */
    record Regression(double mae, double rmse) implements TaskMetrics {
        @Override
        public double headline() {
            return -mae;
        }

        @Override
        public String headlineName() {
            return "-MAE";
        }

        @Override
        public Map<String, Double> toMap() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("mae", mae);
            putIfMeasured(m, "rmse", rmse);
            return m;
        }
    }

    /**
     * Today's string-keyed metrics of one task (as the evaluator and the stage logs write them)
     * as typed metrics: {@code accuracy} makes a multiclass head, {@code micro_f1} a multilabel
     * one, {@code mae} a regression one; the other keys of the kind are optional.
     *
     * @throws IllegalArgumentException naming the task and the keys found when none of those is there
     */
    static TaskMetrics fromMap(String task, Map<String, Double> m) {
        if (m.containsKey("accuracy")) {
            int k = 0;
            double topK = Double.NaN;
            for (Map.Entry<String, Double> e : m.entrySet()) {
                String key = e.getKey();
                if (key.startsWith("top") && key.endsWith("_accuracy")) {
                    try {
                        k = Integer.parseInt(key.substring(3, key.length() - "_accuracy".length()));
                        topK = e.getValue();
                    } catch (NumberFormatException ignored) {
                        // not a top-k key after all: left out, as any key the kind does not know
                    }
                }
            }
            return new Multiclass(m.get("accuracy"), k, topK);
        }
        if (m.containsKey("micro_f1")) {
            return new Multilabel(m.get("micro_f1"), nan(m, "macro_f1"), nan(m, "map"), nan(m, "subset_accuracy"),
                    nan(m, "hamming_loss"));
        }
        if (m.containsKey("mae")) {
            return new Regression(m.get("mae"), nan(m, "rmse"));
        }
        throw new IllegalArgumentException("task '" + task + "': expected metric 'accuracy' (multiclass), 'micro_f1' "
                + "(multilabel) or 'mae' (regression), found " + new TreeSet<>(m.keySet()));
    }

    private static double nan(Map<String, Double> m, String key) {
        Double v = m.get(key);
        return v == null ? Double.NaN : v;
    }

    private static void putIfMeasured(Map<String, Double> m, String key, double v) {
        if (!Double.isNaN(v)) {
            m.put(key, v);
        }
    }
}
