package dev.tern.compress.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the report knows of one model (the teacher or a variant): the input of
 * {@link ReportModel}, free of the pipeline's types.
 *
 * @param name        the variant's name
 * @param derivedFrom the variant it was made from; null when made from the teacher
 * @param stages      what was done to it, one description per stage, oldest first
 * @param model       where its model file is (the report lists it; two results with the same
 *                    model are the same model, e.g. a variant without stages is the teacher)
 * @param precision   its weights' precision, e.g. "fp32" or "int8" (one plot series each)
 * @param sizeBytes   its model file's size
 * @param params      its parameter count
 * @param tasks       per-task metrics, in the teacher's task order
 * @param latency     its batch-1 latency
 * @param wallSeconds how long making it took (its stages, and those of what it was made from)
 * @param provenance  what made it, as recorded (opaque to the analysis; reported as it is)
 * @param classRecall per classification task, each class's (or label's) recall by name, in label
 *                    order (NaN: no test sample of it); empty when not measured
 */
public record VariantResult(String name, String derivedFrom, List<String> stages, String model, String precision,
                            long sizeBytes, long params, Map<String, TaskMetrics> tasks, Latency latency,
                            double wallSeconds, JsonNode provenance, Map<String, Map<String, Double>> classRecall) {
    /** Without per-class recall. */
    public VariantResult(String name, String derivedFrom, List<String> stages, String model, String precision, long sizeBytes,
                         long params, Map<String, TaskMetrics> tasks, Latency latency, double wallSeconds, JsonNode provenance) {
        this(name, derivedFrom, stages, model, precision, sizeBytes, params, tasks, latency, wallSeconds, provenance, Map.of());
    }

    public VariantResult {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("variant: expected a name, got " + (name == null ? "none" : "\"\""));
        }
        if (sizeBytes <= 0) {
            throw new IllegalArgumentException("variant " + name + ": expected size_bytes > 0, got " + sizeBytes);
        }
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("variant " + name + ": expected at least one task's metrics, got none");
        }
        stages = List.copyOf(stages);
        tasks = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tasks));
        provenance = provenance == null ? JsonNodeFactory.instance.objectNode() : provenance;
        Map<String, Map<String, Double>> recall = new LinkedHashMap<>();
        (classRecall == null ? Map.<String, Map<String, Double>>of() : classRecall)
                .forEach((t, m) -> recall.put(t, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(m))));
        classRecall = java.util.Collections.unmodifiableMap(recall);
    }

    /**
     * Change of each class's recall against the teacher's, in points, per task that both
     * measured (classes either lacks are left out): who the compression hurt.
     */
    public Map<String, Map<String, Double>> classRecallChange(VariantResult teacher) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        teacher.classRecall.forEach((task, t) -> {
            Map<String, Double> mine = classRecall.get(task);
            if (mine == null) {
                return;
            }
            Map<String, Double> change = new LinkedHashMap<>();
            t.forEach((c, r) -> {
                Double v = mine.get(c);
                if (v != null && !Double.isNaN(v) && !Double.isNaN(r)) {
                    change.put(c, 100 * (v - r));
                }
            });
            out.put(task, change);
        });
        return out;
    }

    /** The mean of the tasks' headline metrics: what the Pareto fronts compare. */
    public double meanHeadline() {
        double s = 0;
        for (TaskMetrics m : tasks.values()) {
            s += m.headline();
        }
        return s / tasks.size();
    }

    /**
     * Change of each task's headline metric against the teacher's, in points (100 x the
     * difference of fractions; positive: better than the teacher), in the teacher's task order.
     *
     * @throws IllegalArgumentException naming the task when this variant lacks one of the teacher's
     */
    public Map<String, Double> changeVsTeacher(VariantResult teacher) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, TaskMetrics> e : teacher.tasks.entrySet()) {
            TaskMetrics m = tasks.get(e.getKey());
            if (m == null) {
                throw new IllegalArgumentException("variant " + name + ": no metrics for the teacher's task '" + e.getKey()
                        + "' (has " + tasks.keySet() + ")");
            }
            out.put(e.getKey(), 100 * (m.headline() - e.getValue().headline()));
        }
        return out;
    }

    /** Size as a fraction of the teacher's. */
    public double sizeVsTeacher(VariantResult teacher) {
        return (double) sizeBytes / teacher.sizeBytes;
    }

    /** The teacher's p50 over this one's: above 1 is faster than the teacher. */
    public double speedupVsTeacher(VariantResult teacher) {
        return teacher.latency.p50() / latency.p50();
    }
}
