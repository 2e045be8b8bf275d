package dev.tern.compress.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.compress.job.DistillConfig;
import dev.tern.runtime.format.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The report of a {@link Pipeline} run: {@code report.json}, {@code report.md} and a static
 * {@code index.html} with PNG plots (XChart) of each task's metric against size and against
 * latency, the Pareto front of the mean metric marked. Each task's headline metric is its
 * accuracy (multiclass) or micro-F1 (multilabel); "within 1 point" compares headline metrics
 * with the teacher's, task by task. All files are written atomically.
 */
public final class Report {
    /** The bars the issue sets for the best variant within 1 point of the teacher. */
    static final double SIZE_BAR = 0.10;
    static final double SPEED_BAR = 3.0;

    private Report() {
    }

    /** A task's headline metric: accuracy, else micro-F1, else NaN. */
    public static double headline(String task, Map<String, Double> m) {
        if (m.containsKey("accuracy")) {
            return m.get("accuracy");
        }
        return m.getOrDefault("micro_f1", Double.NaN);
    }

    static String headlineName(Map<String, Double> m) {
        return m.containsKey("accuracy") ? "accuracy" : "micro-F1";
    }

    static double mean(Pipeline.Result r) {
        double s = 0;
        for (Map.Entry<String, Map<String, Double>> e : r.tasks.entrySet()) {
            s += headline(e.getKey(), e.getValue());
        }
        return s / Math.max(1, r.tasks.size());
    }

    /** Results not dominated in (cost lower, mean metric higher): the Pareto front, by cost. */
    static List<Pipeline.Result> front(List<Pipeline.Result> rs, ToDoubleFunction<Pipeline.Result> cost) {
        List<Pipeline.Result> f = new ArrayList<>();
        for (Pipeline.Result a : rs) {
            boolean dominated = false;
            for (Pipeline.Result b : rs) {
                if (b != a && cost.applyAsDouble(b) <= cost.applyAsDouble(a) && mean(b) >= mean(a)
                        && (cost.applyAsDouble(b) < cost.applyAsDouble(a) || mean(b) > mean(a))) {
                    dominated = true;
                    break;
                }
            }
            if (!dominated && !f.contains(a)) {
                f.add(a);
            }
        }
        f.sort(Comparator.comparingDouble(cost));
        return f;
    }

    /** Whether every task's headline metric is at most one point below the teacher's. */
    static boolean withinOnePoint(Pipeline.Result r, Pipeline.Result teacher) {
        for (Map.Entry<String, Map<String, Double>> e : teacher.tasks.entrySet()) {
            Map<String, Double> m = r.tasks.get(e.getKey());
            if (m == null || !(headline(e.getKey(), m) >= headline(e.getKey(), e.getValue()) - 0.01 - 1e-12)) {
                return false;
            }
        }
        return true;
    }

    /** Writes report.json, report.md, index.html and the plots into {@code dir}; returns the JSON. */
    public static ObjectNode write(Path dir, CompressRecipe recipe, List<Pipeline.Result> all, double wallSeconds) throws IOException {
        Files.createDirectories(dir);
        Pipeline.Result teacher = all.get(0);
        List<Pipeline.Result> variants = all.subList(1, all.size());
        List<Pipeline.Result> sizeFront = front(variants, r -> r.sizeBytes);
        List<Pipeline.Result> latencyFront = front(variants, r -> r.p50);
        Pipeline.Result best = null;
        for (Pipeline.Result r : variants) {
            if (withinOnePoint(r, teacher) && (best == null || r.sizeBytes < best.sizeBytes
                    || r.sizeBytes == best.sizeBytes && r.p50 < best.p50)) {
                best = r;
            }
        }
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode j = om.createObjectNode();
        j.put("recipe", recipe.name);
        j.put("quick", recipe.quick);
        j.put("eval_samples", recipe.evalSamples);
        j.put("latency_runs", recipe.latencyRuns);
        j.put("machine", System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors() + " cores, "
                + System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        j.put("wall_seconds", Math.round(wallSeconds));
        j.set("teacher", entry(om, teacher, teacher, dir, sizeFront, latencyFront));
        ArrayNode vs = j.putArray("variants");
        for (Pipeline.Result r : variants) {
            vs.add(entry(om, r, teacher, dir, sizeFront, latencyFront));
        }
        ObjectNode b = j.putObject("best_within_1pt");
        String verdict = verdict(best, teacher, variants);
        if (best != null) {
            b.put("name", best.name);
            b.put("size_vs_teacher", (double) best.sizeBytes / teacher.sizeBytes);
            b.put("speedup_vs_teacher", teacher.p50 / best.p50);
            b.put("meets_size_bar", (double) best.sizeBytes / teacher.sizeBytes <= SIZE_BAR);
            b.put("meets_speed_bar", teacher.p50 / best.p50 >= SPEED_BAR);
        }
        b.put("verdict", verdict);
        ArrayNode kd = j.putArray("distillation");
        List<String[]> pairs = distillPairs(recipe);
        for (String[] p : pairs) {
            Pipeline.Result d = find(variants, p[0]);
            Pipeline.Result c = find(variants, p[1]);
            if (d == null || c == null) {
                continue;
            }
            ObjectNode o = kd.addObject();
            o.put("distilled", d.name);
            o.put("control", c.name);
            ObjectNode delta = o.putObject("gain_points");
            boolean all2 = true;
            for (String t : d.tasks.keySet()) {
                double g = 100 * (headline(t, d.tasks.get(t)) - headline(t, c.tasks.get(t)));
                delta.put(t, Math.round(g * 100) / 100.0);
                all2 &= g > 0;
            }
            o.put("distilled_beats_control_on_every_task", all2);
        }
        List<String> plots = plots(dir, teacher, variants, sizeFront, latencyFront);
        ArrayNode pl = j.putArray("plots");
        plots.forEach(pl::add);
        AtomicFiles.write(dir.resolve("report.json"), om.writeValueAsBytes(j));
        String md = markdown(j, teacher, variants, verdict);
        AtomicFiles.write(dir.resolve("report.md"), md.getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(dir.resolve("index.html"), html(j, teacher, variants, plots, verdict).getBytes(StandardCharsets.UTF_8));
        return j;
    }

    static Pipeline.Result find(List<Pipeline.Result> rs, String name) {
        return rs.stream().filter(r -> r.name.equals(name)).findFirst().orElse(null);
    }

    /** (distilled, control) variant names: a distill stage and a control distill stage of the same student. */
    static List<String[]> distillPairs(CompressRecipe recipe) {
        Map<String, String> distilled = new LinkedHashMap<>();
        Map<String, String> control = new LinkedHashMap<>();
        for (CompressRecipe.Variant v : recipe.variants) {
            if (v.from == null && v.stages.size() == 1 && v.stages.get(0).config instanceof DistillConfig) {
                DistillConfig d = (DistillConfig) v.stages.get(0).config;
                String key = (d.width != null ? "w" + d.width : d.student) + "/" + d.epochs + "/" + d.trainSamples;
                (d.control ? control : distilled).putIfAbsent(key, v.name);
            }
        }
        List<String[]> out = new ArrayList<>();
        distilled.forEach((k, v) -> {
            if (control.containsKey(k)) {
                out.add(new String[] {v, control.get(k)});
            }
        });
        return out;
    }

    /** Points behind the teacher on the variant's worst task (negative: ahead on every task). */
    static double worstGap(Pipeline.Result r, Pipeline.Result teacher) {
        double worst = Double.NEGATIVE_INFINITY;
        for (String t : teacher.tasks.keySet()) {
            worst = Math.max(worst, 100 * (headline(t, teacher.tasks.get(t)) - headline(t, r.tasks.get(t))));
        }
        return worst;
    }

    static String verdict(Pipeline.Result best, Pipeline.Result teacher, List<Pipeline.Result> variants) {
        String base = verdictWithin(best, teacher, variants);
        if (best != null && (double) best.sizeBytes / teacher.sizeBytes <= SIZE_BAR && teacher.p50 / best.p50 >= SPEED_BAR) {
            return base;
        }
        // how far the variants that do meet both size and speed bars are in accuracy
        Pipeline.Result closest = null;
        for (Pipeline.Result r : variants) {
            if ((double) r.sizeBytes / teacher.sizeBytes <= SIZE_BAR && teacher.p50 / r.p50 >= SPEED_BAR
                    && (closest == null || worstGap(r, teacher) < worstGap(closest, teacher))) {
                closest = r;
            }
        }
        if (closest == null) {
            return base + " No variant is both at most 10% of the teacher's size and 3x faster.";
        }
        return base + String.format(Locale.ROOT, " Of the variants within both bars (at most 10%% of the size, at least 3x "
                + "faster), the most accurate is %s (%.1f%% of the size, %.2fx faster), %.1f points behind the teacher on "
                + "its worst task.", closest.name, 100.0 * closest.sizeBytes / teacher.sizeBytes, teacher.p50 / closest.p50,
                worstGap(closest, teacher));
    }

    private static String verdictWithin(Pipeline.Result best, Pipeline.Result teacher, List<Pipeline.Result> variants) {
        if (best == null) {
            Pipeline.Result closest = null;
            double gap = Double.POSITIVE_INFINITY;
            for (Pipeline.Result r : variants) {
                double worst = 0;
                for (String t : teacher.tasks.keySet()) {
                    worst = Math.max(worst, headline(t, teacher.tasks.get(t)) - headline(t, r.tasks.get(t)));
                }
                if (worst < gap) {
                    gap = worst;
                    closest = r;
                }
            }
            return String.format(Locale.ROOT, "No variant is within 1 point of the teacher on every task; the closest, %s, "
                    + "is %.1f points behind on its worst task.", closest == null ? "none" : closest.name, 100 * gap);
        }
        double size = (double) best.sizeBytes / teacher.sizeBytes;
        double speed = teacher.p50 / best.p50;
        return String.format(Locale.ROOT, "Best variant within 1 point of the teacher on every task: %s, %.1f%% of the "
                + "teacher's size (bar: at most 10%%, %s) and %.2fx faster at batch 1 (bar: at least 3x, %s).", best.name,
                100 * size, size <= SIZE_BAR ? "met" : "not met", speed, speed >= SPEED_BAR ? "met" : "not met");
    }

    private static ObjectNode entry(ObjectMapper om, Pipeline.Result r, Pipeline.Result teacher, Path dir,
                                    List<Pipeline.Result> sizeFront, List<Pipeline.Result> latencyFront) {
        ObjectNode o = om.createObjectNode();
        o.put("name", r.name);
        if (r.from != null) {
            o.put("from", r.from);
        }
        ArrayNode st = o.putArray("stages");
        r.stages.forEach(st::add);
        o.put("model", r.model.toString());
        o.put("size_bytes", r.sizeBytes);
        o.put("params", r.params);
        ObjectNode tasks = o.putObject("tasks");
        r.tasks.forEach((t, m) -> {
            ObjectNode x = tasks.putObject(t);
            m.forEach(x::put);
        });
        ObjectNode lat = o.putObject("latency_us");
        lat.put("p50", Math.round(r.p50 * 10) / 10.0);
        lat.put("p99", Math.round(r.p99 * 10) / 10.0);
        o.put("size_vs_teacher", Math.round(10000.0 * r.sizeBytes / teacher.sizeBytes) / 10000.0);
        o.put("speedup_vs_teacher", Math.round(100 * teacher.p50 / r.p50) / 100.0);
        o.put("within_1pt_of_teacher", withinOnePoint(r, teacher));
        o.put("pareto_size", sizeFront.contains(r));
        o.put("pareto_latency", latencyFront.contains(r));
        o.put("wall_seconds", Math.round(r.wallSeconds * 10) / 10.0);
        o.set("provenance", om.valueToTree(r.provenance));
        return o;
    }

    private static List<String> plots(Path dir, Pipeline.Result teacher, List<Pipeline.Result> variants,
                                      List<Pipeline.Result> sizeFront, List<Pipeline.Result> latencyFront) throws IOException {
        List<String> files = new ArrayList<>();
        List<Pipeline.Result> all = new ArrayList<>();
        all.add(teacher);
        all.addAll(variants);
        for (String task : teacher.tasks.keySet()) {
            String metric = headlineName(teacher.tasks.get(task));
            files.add(plot(dir, "size-" + task + ".png", task + ": " + metric + " vs size", "size (KiB, log scale)", metric,
                    all, variants, task, r -> r.sizeBytes / 1024.0, sizeFront));
            files.add(plot(dir, "latency-" + task + ".png", task + ": " + metric + " vs batch-1 latency",
                    "latency p50 (µs, log scale)", metric, all, variants, task, r -> r.p50, latencyFront));
        }
        return files;
    }

    private static String plot(Path dir, String file, String title, String xTitle, String yTitle, List<Pipeline.Result> all,
                               List<Pipeline.Result> variants, String task, ToDoubleFunction<Pipeline.Result> x,
                               List<Pipeline.Result> front) throws IOException {
        XYChart c = new XYChartBuilder().width(720).height(480).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setMarkerSize(10);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        for (Pipeline.Result r : all) {
            XYSeries s = c.addSeries(r.name, new double[] {x.applyAsDouble(r)}, new double[] {headline(task, r.tasks.get(task))});
            s.setMarker(r == all.get(0) ? SeriesMarkers.DIAMOND : SeriesMarkers.CIRCLE);
        }
        if (front.size() >= 1) {
            double[] fx = front.stream().mapToDouble(x).toArray();
            double[] fy = front.stream().mapToDouble(r -> headline(task, r.tasks.get(task))).toArray();
            XYSeries s = c.addSeries("Pareto front (mean metric)", fx, fy);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(Color.GRAY);
        }
        Path tmp = dir.resolve("." + file + ".tmp.png");
        BitmapEncoder.saveBitmap(c, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
        byte[] bytes = Files.readAllBytes(tmp);
        Files.delete(tmp);
        AtomicFiles.write(dir.resolve(file), bytes);
        return file;
    }

    private static String row(Pipeline.Result r, Pipeline.Result teacher, List<String> tasks) {
        StringBuilder sb = new StringBuilder("| ").append(r.name).append(" | ");
        for (String t : tasks) {
            double v = headline(t, r.tasks.get(t));
            double d = 100 * (v - headline(t, teacher.tasks.get(t)));
            sb.append(String.format(Locale.ROOT, "%.4f", v)).append(r == teacher ? "" : String.format(Locale.ROOT, " (%+.1f)", d)).append(" | ");
        }
        sb.append(String.format(Locale.ROOT, "%,d (%.1f%%) | %,d | %.0f / %.0f | %.2fx | %s |", r.sizeBytes,
                100.0 * r.sizeBytes / teacher.sizeBytes, r.params, r.p50, r.p99, teacher.p50 / r.p50,
                r == teacher ? "teacher" : String.join("; ", r.stages)));
        return sb.toString();
    }

    private static String markdown(ObjectNode j, Pipeline.Result teacher, List<Pipeline.Result> variants, String verdict) {
        List<String> tasks = new ArrayList<>(teacher.tasks.keySet());
        StringBuilder sb = new StringBuilder();
        sb.append("# Compression report: ").append(j.get("recipe").asText()).append("\n\n");
        if (j.get("quick").asBoolean()) {
            sb.append("**Quick run**: fewer epochs and samples than the full recipe; the numbers show the pipeline, "
                    + "not what the methods reach.\n\n");
        }
        sb.append("Machine: ").append(j.get("machine").asText()).append("; ").append(j.get("eval_samples").asInt())
                .append(" test canvases; latency: batch 1, one thread, ").append(j.get("latency_runs").asInt())
                .append(" runs per model, each model in a fresh JVM, 3 rounds interleaved across models. Total wall time ")
                .append(j.get("wall_seconds").asLong()).append(" s.\n\n");
        sb.append("| variant | ");
        for (String t : tasks) {
            sb.append(t).append(" (").append(headlineName(teacher.tasks.get(t))).append(") | ");
        }
        sb.append("size bytes (of teacher) | params | p50 / p99 µs | speedup | stages |\n|---|");
        for (int i = 0; i < tasks.size() + 5; i++) {
            sb.append("---|");
        }
        sb.append("\n").append(row(teacher, teacher, tasks)).append("\n");
        for (Pipeline.Result r : variants) {
            sb.append(row(r, teacher, tasks)).append("\n");
        }
        sb.append("\n").append(verdict).append("\n");
        if (j.get("distillation").size() > 0) {
            sb.append("\n## What distillation bought\n\n");
            j.get("distillation").forEach(d -> {
                sb.append("- ").append(d.get("distilled").asText()).append(" vs ").append(d.get("control").asText())
                        .append(" (same student, hard labels only): ");
                List<String> parts = new ArrayList<>();
                d.get("gain_points").fields().forEachRemaining(e -> parts.add(String.format(Locale.ROOT, "%s %+.2f points",
                        e.getKey(), e.getValue().asDouble())));
                sb.append(String.join(", ", parts)).append(d.get("distilled_beats_control_on_every_task").asBoolean()
                        ? " (better on every task)" : " (not better on every task)").append("\n");
            });
        }
        sb.append("\nPlots: ");
        List<String> links = new ArrayList<>();
        j.get("plots").forEach(p -> links.add("[" + p.asText() + "](" + p.asText() + ")"));
        sb.append(String.join(", ", links)).append(".\n");
        return sb.toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String html(ObjectNode j, Pipeline.Result teacher, List<Pipeline.Result> variants, List<String> plots, String verdict) {
        List<String> tasks = new ArrayList<>(teacher.tasks.keySet());
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Tern compression report: ")
                .append(esc(j.get("recipe").asText())).append("</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:80em}"
                        + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
                        + "td:first-child,th:first-child,td:last-child{text-align:left}tr.front td:first-child{font-weight:bold}"
                        + "img{max-width:48%;margin:4px}</style></head><body>\n");
        sb.append("<h1>Compression report: ").append(esc(j.get("recipe").asText())).append("</h1>\n");
        if (j.get("quick").asBoolean()) {
            sb.append("<p><strong>Quick run</strong>: fewer epochs and samples than the full recipe; the numbers show the "
                    + "pipeline, not what the methods reach.</p>\n");
        }
        sb.append("<p>").append(esc(j.get("machine").asText())).append("; ").append(j.get("eval_samples").asInt())
                .append(" test canvases; latency at batch 1, one thread, each model in a fresh JVM, 3 rounds interleaved across models. "
                        + "Bold: on the Pareto front of size.</p>\n<table><tr><th>variant</th>");
        for (String t : tasks) {
            sb.append("<th>").append(esc(t)).append(" (").append(headlineName(teacher.tasks.get(t))).append(")</th>");
        }
        sb.append("<th>size bytes</th><th>of teacher</th><th>params</th><th>p50 µs</th><th>p99 µs</th><th>speedup</th><th>stages</th></tr>\n");
        List<Pipeline.Result> all = new ArrayList<>();
        all.add(teacher);
        all.addAll(variants);
        for (int i = 0; i < all.size(); i++) {
            Pipeline.Result r = all.get(i);
            boolean front = i > 0 && j.get("variants").get(i - 1).get("pareto_size").asBoolean();
            sb.append("<tr").append(front ? " class=\"front\"" : "").append("><td>").append(esc(r.name)).append("</td>");
            for (String t : tasks) {
                sb.append(String.format(Locale.ROOT, "<td>%.4f</td>", headline(t, r.tasks.get(t))));
            }
            sb.append(String.format(Locale.ROOT, "<td>%,d</td><td>%.1f%%</td><td>%,d</td><td>%.0f</td><td>%.0f</td><td>%.2fx</td><td>%s</td></tr>%n",
                    r.sizeBytes, 100.0 * r.sizeBytes / teacher.sizeBytes, r.params, r.p50, r.p99, teacher.p50 / r.p50,
                    esc(i == 0 ? "teacher" : String.join("; ", r.stages))));
        }
        sb.append("</table>\n<p>").append(esc(verdict)).append("</p>\n");
        for (String p : plots) {
            sb.append("<img src=\"").append(p).append("\" alt=\"").append(p).append("\">\n");
        }
        sb.append("<p>Data: <a href=\"report.json\">report.json</a>, <a href=\"report.md\">report.md</a>; per-stage logs "
                + "under logs/.</p>\n</body></html>\n");
        return sb.toString();
    }
}
