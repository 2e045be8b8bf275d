package dev.tern.compress.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The analysis of one compression run, as one typed object that every renderer
 * ({@link JsonRenderer}, {@link MarkdownRenderer}, {@link HtmlRenderer}, {@link PlotRenderer})
 * draws from: the variants compared with the teacher, the Pareto fronts of size and of
 * latency, the verdict, what distillation bought, the latency noise and the machine's load.
 * Built by {@link #build}; the rules are in {@link Analysis}.
 *
 * @param run            what was run and how it was measured
 * @param teacher        the teacher's row
 * @param rows           one row per variant, in recipe order (a variant that is the teacher's own
 *                       model is kept, marked {@link Row#sameAsTeacher}, and drawn as the teacher)
 * @param sizeFront      names on the Pareto front of size against the mean headline metric, by size
 * @param latencyFront   names on the Pareto front of p50 latency against it, by latency
 * @param best           the smallest variant within 1 point of the teacher on every task, or null
 * @param verdict        the verdict, one paragraph
 * @param noise          pairs of neighbours on the latency front whose round ranges overlap
 * @param distillation   each distilled student against its control
 * @param machineLoad    the machine's load during the latency measurement
 */
public record ReportModel(Run run, Row teacher, List<Row> rows, List<String> sizeFront, List<String> latencyFront,
                         Best best, String verdict, List<NoisePair> noise, List<Distillation> distillation,
                         MachineLoad machineLoad) {
    /** The teacher's headline metric must be within this many points for "within 1 point". */
    public static final double POINTS = 1.0;
    /** The bars the issue sets for the best variant within 1 point of the teacher. */
    public static final double SIZE_BAR = 0.10;
    public static final double SPEED_BAR = 3.0;
    /** A class whose recall drops by more than this many points is hurt (issue #21's per-class bar). */
    public static final double CLASS_BAR = 3.0;

    /**
     * What was run: the recipe's name and settings, the machine, the total wall time.
     *
     * @param latencyRounds rounds of the latency measurement (each model's round medians come from them)
     */
    public record Run(String recipe, boolean quick, int evalSamples, int latencyRuns, int latencyRounds, String machine,
                      double wallSeconds, String data) {
        /** Without a data description (the built-in Multi-Fashion test canvases). */
        public Run(String recipe, boolean quick, int evalSamples, int latencyRuns, int latencyRounds, String machine,
                   double wallSeconds) {
            this(recipe, quick, evalSamples, latencyRuns, latencyRounds, machine, wallSeconds, null);
        }
    }

    /**
     * One model against the teacher.
     *
     * @param change        per task, the headline metric's change in points
     * @param speedupLow    the speedup's low end over the rounds: the teacher's fastest round median
     *                      over this one's slowest (the speedup itself when the spread is unknown)
     * @param speedupHigh   its high end: the teacher's slowest round over this one's fastest
     * @param vsTeacher     whether it is faster, slower or within noise of the teacher
     * @param sameAsTeacher whether it is the teacher's own model (a variant without stages)
     */
    public record Row(VariantResult result, boolean sameAsTeacher, Map<String, Double> change, double sizeVsTeacher,
                      double speedup, double speedupLow, double speedupHigh, Latency.Comparison vsTeacher,
                      boolean withinOnePoint, boolean paretoSize, boolean paretoLatency) {
        public String name() {
            return result.name();
        }
    }

    /** The best variant within 1 point, against the bars; the speed bar counts as met only beyond noise. */
    public record Best(String name, double sizeVsTeacher, double speedup, double speedupLow, double speedupHigh,
                       Latency.Comparison vsTeacher, boolean meetsSizeBar, boolean meetsSpeedBar) {
    }

    /** Two neighbours on the latency front that this run cannot tell apart. */
    public record NoisePair(String faster, String slower) {
    }

    /** A (distilled, control) pair of variant names: the same student trained with and without the teacher. */
    public record DistillPair(String distilled, String control) {
    }

    /** What distillation bought: per task, the distilled student's headline metric minus its control's, in points. */
    public record Distillation(String distilled, String control, Map<String, Double> gainPoints, boolean beatsControlOnEveryTask) {
    }

    /**
     * Who one task's compression hurt: the class whose recall dropped most against the
     * teacher's, by how many points, and the classes that dropped by more than
     * {@link #CLASS_BAR}, worst first.
     */
    public record ClassHurt(String worstClass, double worstChange, List<String> hurt) {
    }

    /** Per classification task that both measured per class, who {@code r}'s compression hurt; empty without per-class data. */
    public Map<String, ClassHurt> classHurt(Row r) {
        Map<String, ClassHurt> out = new LinkedHashMap<>();
        r.result().classRecallChange(teacher.result()).forEach((task, change) -> {
            if (change.isEmpty()) {
                return;
            }
            List<Map.Entry<String, Double>> sorted = new ArrayList<>(change.entrySet());
            sorted.sort(Map.Entry.comparingByValue());
            List<String> hurt = sorted.stream().filter(e -> e.getValue() < -CLASS_BAR).map(Map.Entry::getKey).toList();
            out.put(task, new ClassHurt(sorted.get(0).getKey(), sorted.get(0).getValue(), hurt));
        });
        return out;
    }

    /** The tasks, in the teacher's order. */
    public List<String> tasks() {
        return new ArrayList<>(teacher.result().tasks().keySet());
    }

    /** The teacher's headline metric's name for a task. */
    public String headlineName(String task) {
        return teacher.result().tasks().get(task).headlineName();
    }

    /** The variants that are the teacher's own model (drawn as the teacher, not twice). */
    public List<String> teacherAliases() {
        return rows.stream().filter(Row::sameAsTeacher).map(Row::name).toList();
    }

    /** The teacher, then every row that is not the teacher's own model: each distinct model once. */
    public List<Row> distinctRows() {
        List<Row> out = new ArrayList<>();
        out.add(teacher);
        rows.stream().filter(r -> !r.sameAsTeacher()).forEach(out::add);
        return out;
    }

    /**
     * Analyses one run.
     *
     * @param pairs (distilled, control) names; pairs naming an unknown variant are left out
     * @throws IllegalArgumentException when a variant lacks one of the teacher's tasks
     */
    public static ReportModel build(Run run, VariantResult teacher, List<VariantResult> variants, List<DistillPair> pairs,
                                    MachineLoad load) {
        List<VariantResult> distinct = new ArrayList<>();
        distinct.add(teacher);
        for (VariantResult v : variants) {
            if (!Analysis.sameModel(v, teacher)) {
                distinct.add(v);
            }
        }
        List<VariantResult> sizeFront = Analysis.front(distinct, v -> v.sizeBytes());
        List<VariantResult> latencyFront = Analysis.front(distinct, v -> v.latency().p50());
        Row teacherRow = row(teacher, teacher, false, sizeFront, latencyFront);
        List<Row> rows = new ArrayList<>();
        for (VariantResult v : variants) {
            boolean same = Analysis.sameModel(v, teacher);
            // the teacher's own model is the teacher's point on the fronts
            rows.add(row(v, teacher, same, sizeFront, latencyFront, same ? teacher : v));
        }
        List<Row> candidates = rows.stream().filter(r -> !r.sameAsTeacher()).toList();
        Row bestRow = Analysis.best(candidates);
        Best best = bestRow == null ? null : new Best(bestRow.name(), bestRow.sizeVsTeacher(), bestRow.speedup(),
                bestRow.speedupLow(), bestRow.speedupHigh(), bestRow.vsTeacher(), bestRow.sizeVsTeacher() <= SIZE_BAR,
                Analysis.meetsSpeedBar(bestRow));
        String verdict = Analysis.verdict(best, bestRow, teacherRow, candidates, load);
        List<NoisePair> noise = new ArrayList<>();
        for (int i = 1; i < latencyFront.size(); i++) {
            VariantResult a = latencyFront.get(i - 1);
            VariantResult b = latencyFront.get(i);
            if (a.latency().compareTo(b.latency()) == Latency.Comparison.WITHIN_NOISE) {
                noise.add(new NoisePair(a.name(), b.name()));
            }
        }
        return new ReportModel(run, teacherRow, List.copyOf(rows), names(sizeFront), names(latencyFront), best, verdict,
                List.copyOf(noise), distillation(variants, pairs), load);
    }

    private static Row row(VariantResult v, VariantResult teacher, boolean same, List<VariantResult> sizeFront,
                           List<VariantResult> latencyFront) {
        return row(v, teacher, same, sizeFront, latencyFront, v);
    }

    private static Row row(VariantResult v, VariantResult teacher, boolean same, List<VariantResult> sizeFront,
                           List<VariantResult> latencyFront, VariantResult point) {
        Latency l = v.latency();
        Latency t = teacher.latency();
        double speedup = v.speedupVsTeacher(teacher);
        boolean spread = l.hasSpread() && t.hasSpread();
        return new Row(v, same, v.changeVsTeacher(teacher), v.sizeVsTeacher(teacher), speedup,
                spread ? t.min() / l.max() : speedup, spread ? t.max() / l.min() : speedup,
                v == teacher || same ? Latency.Comparison.WITHIN_NOISE : l.compareTo(t),
                Analysis.withinOnePoint(v, teacher), sizeFront.contains(point), latencyFront.contains(point));
    }

    private static List<String> names(List<VariantResult> vs) {
        return vs.stream().map(VariantResult::name).toList();
    }

    private static List<Distillation> distillation(List<VariantResult> variants, List<DistillPair> pairs) {
        Map<String, VariantResult> byName = new LinkedHashMap<>();
        variants.forEach(v -> byName.put(v.name(), v));
        List<Distillation> out = new ArrayList<>();
        for (DistillPair p : pairs) {
            VariantResult d = byName.get(p.distilled());
            VariantResult c = byName.get(p.control());
            if (d == null || c == null) {
                continue;
            }
            Map<String, Double> gain = d.changeVsTeacher(c);
            out.add(new Distillation(d.name(), c.name(), gain, gain.values().stream().allMatch(g -> g > 0)));
        }
        return List.copyOf(out);
    }
}
