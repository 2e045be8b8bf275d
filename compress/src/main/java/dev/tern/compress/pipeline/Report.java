package dev.tern.compress.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.compress.job.DistillConfig;
import dev.tern.compress.job.QuantizeConfig;
import dev.tern.compress.report.Latency;
import dev.tern.compress.report.MachineLoad;
import dev.tern.compress.report.ReportModel;
import dev.tern.compress.report.ReportWriter;
import dev.tern.compress.report.TaskMetrics;
import dev.tern.compress.report.VariantResult;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report of a {@link Pipeline} run: converts the pipeline's results and recipe into the
 * report's typed input ({@link VariantResult}s, distillation pairs, the machine's load) and
 * writes what {@link dev.tern.compress.report} makes of them: {@code report.json},
 * {@code report.md}, {@code index.html} and the plots. The analysis and the renderers know
 * nothing of the pipeline; this adapter is the only place that knows both.
 */
public final class Report {
    private Report() {
    }

    /** A task's headline metric (accuracy, micro-F1, or minus the MAE), from the evaluator's metrics. */
    public static double headline(String task, Map<String, Double> m) {
        return TaskMetrics.fromMap(task, m).headline();
    }

    /** Writes the report with the machine's load unknown; returns the JSON. */
    public static ObjectNode write(Path dir, CompressRecipe recipe, List<Pipeline.Result> all, double wallSeconds) throws IOException {
        return write(dir, recipe, all, wallSeconds, List.of());
    }

    /**
     * Writes report.json, report.md, index.html and the plots into {@code dir}; returns the JSON.
     *
     * @param all         the teacher's result, then the variants', in recipe order
     * @param loadSamples the cores other processes used during each latency probe (empty: unknown)
     */
    public static ObjectNode write(Path dir, CompressRecipe recipe, List<Pipeline.Result> all, double wallSeconds,
                                   List<Double> loadSamples) throws IOException {
        return ReportWriter.write(dir, model(recipe, all, wallSeconds, loadSamples));
    }

    /** The analysis of a run, from the pipeline's results. */
    public static ReportModel model(CompressRecipe recipe, List<Pipeline.Result> all, double wallSeconds, List<Double> loadSamples) {
        return model(recipe, all, wallSeconds, loadSamples, null);
    }

    /** As {@link #model(CompressRecipe, List, double, List)}, naming the test data ({@code data}: name, split, checksum). */
    public static ReportModel model(CompressRecipe recipe, List<Pipeline.Result> all, double wallSeconds, List<Double> loadSamples,
                                    String data) {
        Map<String, CompressRecipe.Variant> byName = new LinkedHashMap<>();
        recipe.variants.forEach(v -> byName.put(v.name, v));
        VariantResult teacher = variant(all.get(0), "fp32");
        List<VariantResult> variants = new ArrayList<>();
        for (Pipeline.Result r : all.subList(1, all.size())) {
            variants.add(variant(r, quantizedChain(byName, r.name) ? "int8" : "fp32"));
        }
        int rounds = all.get(0).roundMedians.isEmpty() ? Pipeline.LATENCY_ROUNDS : all.get(0).roundMedians.size();
        String machine = System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors() + " cores, "
                + System.getProperty("java.vm.name") + " " + System.getProperty("java.version");
        ReportModel.Run run = new ReportModel.Run(recipe.name, recipe.quick, recipe.evalSamples, recipe.latencyRuns, rounds,
                machine, wallSeconds, data);
        MachineLoad load = loadSamples.isEmpty() ? MachineLoad.unknown()
                : new MachineLoad(loadSamples, Runtime.getRuntime().availableProcessors());
        return ReportModel.build(run, teacher, variants, distillPairs(recipe), load);
    }

    static VariantResult variant(Pipeline.Result r, String precision) {
        Map<String, TaskMetrics> tasks = new LinkedHashMap<>();
        r.tasks.forEach((t, m) -> tasks.put(t, TaskMetrics.fromMap(t, m)));
        return new VariantResult(r.name, r.from, r.stages, r.model == null ? null : r.model.toString(), precision, r.sizeBytes,
                r.params, tasks, new Latency(r.p50, r.p99, r.roundMedians), r.wallSeconds,
                new ObjectMapper().valueToTree(r.provenance), r.classRecall);
    }

    /** Whether a quantize stage is in the variant's chain (its own stages or those of what it was made from). */
    private static boolean quantizedChain(Map<String, CompressRecipe.Variant> byName, String name) {
        for (CompressRecipe.Variant v = byName.get(name); v != null; v = v.from == null ? null : byName.get(v.from)) {
            if (v.stages.stream().anyMatch(s -> s.config instanceof QuantizeConfig)) {
                return true;
            }
        }
        return false;
    }

    /** (distilled, control) variant names: a distill stage and a control distill stage of the same student. */
    static List<ReportModel.DistillPair> distillPairs(CompressRecipe recipe) {
        Map<String, String> distilled = new LinkedHashMap<>();
        Map<String, String> control = new LinkedHashMap<>();
        for (CompressRecipe.Variant v : recipe.variants) {
            if (v.from == null && v.stages.size() == 1 && v.stages.get(0).config instanceof DistillConfig) {
                DistillConfig d = (DistillConfig) v.stages.get(0).config;
                String key = (d.width != null ? "w" + d.width + "/" + d.architecture : d.student) + "/" + d.epochs + "/" + d.trainSamples
                        + "/" + d.learningRate + "/" + d.batchSize;
                (d.control ? control : distilled).putIfAbsent(key, v.name);
            }
        }
        List<ReportModel.DistillPair> out = new ArrayList<>();
        distilled.forEach((k, v) -> {
            if (control.containsKey(k)) {
                out.add(new ReportModel.DistillPair(v, control.get(k)));
            }
        });
        return out;
    }
}
