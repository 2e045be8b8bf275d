package dev.tern.compress.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The report's text as a list of blocks (headings, paragraphs, one table, lists, plots,
 * links), built once from the {@link ReportModel}. {@link MarkdownRenderer} and
 * {@link HtmlRenderer} only lay these blocks out, so both formats carry the same sections
 * with the same words and numbers.
 */
final class ReportDocument {
    sealed interface Block permits Heading, Paragraph, Table, Bullets, Images, Links {
    }

    /** A heading; level 1 is the title. */
    record Heading(int level, String text) implements Block {
    }

    /** A paragraph, optionally led by a few words in bold. */
    record Paragraph(String strong, String text) implements Block {
    }

    /** A table; {@code numeric[i]} right-aligns column i. */
    record Table(List<String> header, List<List<String>> rows, boolean[] numeric) implements Block {
    }

    record Bullets(List<String> items) implements Block {
    }

    /** Plot files, shown inline in HTML and linked in Markdown. */
    record Images(List<String> files) implements Block {
    }

    /** "lead: a, b; tail": links to files beside the report. */
    record Links(String lead, List<String> files, String tail) implements Block {
    }

    private ReportDocument() {
    }

    static final String VARIANTS = "Variants";
    static final String VERDICT = "Verdict";
    static final String NOISE = "Latency and its noise";
    static final String DISTILLATION = "What distillation bought";
    static final String HURT = "Who compression hurts";
    static final String PLOTS = "Plots";

    static List<Block> of(ReportModel m) {
        List<Block> b = new ArrayList<>();
        ReportModel.Run run = m.run();
        b.add(new Heading(1, "Compression report: " + run.recipe()));
        if (run.quick()) {
            b.add(new Paragraph("Quick run", ": fewer epochs and samples than the full recipe; the numbers show the pipeline, "
                    + "not what the methods reach."));
        }
        b.add(new Paragraph(null, String.format(Locale.ROOT, "Machine: %s; %s; latency: batch 1, one thread, "
                + "%d runs per model, each model in a fresh JVM, %d rounds interleaved across models. Total wall time %d s "
                + "(%s). %s", run.machine(), run.data() == null ? run.evalSamples() + " test canvases"
                        : run.evalSamples() + " test samples of " + run.data(), run.latencyRuns(), run.latencyRounds(),
                Math.round(run.wallSeconds()), minutes(run.wallSeconds()), m.machineLoad().sentence())));
        b.add(new Heading(2, VARIANTS));
        b.add(new Paragraph(null, "Each task's headline metric, its change from the teacher in points in brackets. "
                + "p50 / p99: over all timed runs; rounds: the lowest and highest of the per-round medians; vs teacher: "
                + "faster or slower only when the round ranges do not overlap, else within noise. Pareto: on the front "
                + "of size or of latency against the mean headline metric. Wall: time to make the variant."
                + (m.teacherAliases().isEmpty() ? "" : " The teacher's row stands for " + String.join(", ", m.teacherAliases())
                + " too (the same model).")));
        b.add(table(m));
        b.add(new Heading(2, VERDICT));
        b.add(new Paragraph(null, m.verdict()));
        Table hurt = hurtTable(m);
        if (hurt != null) {
            b.add(new Heading(2, HURT));
            b.add(new Paragraph(null, String.format(Locale.ROOT, "Per class (per label for a multilabel task, at its "
                    + "thresholds), the recall's change from the teacher's in points: the class that lost most, and every "
                    + "class that lost more than %.0f points (Hooker et al. 2019, \"What do compressed deep neural networks "
                    + "forget?\"). A headline metric can hold while one class pays for it. Every class's recall is in "
                    + "report.json.", ReportModel.CLASS_BAR)));
            b.add(hurt);
        }
        b.add(new Heading(2, NOISE));
        b.add(new Bullets(noise(m)));
        if (!m.distillation().isEmpty()) {
            b.add(new Heading(2, DISTILLATION));
            List<String> items = new ArrayList<>();
            for (ReportModel.Distillation d : m.distillation()) {
                items.add(d.distilled() + " vs " + d.control() + " (same student, hard labels only): " + d.gainPoints().entrySet()
                        .stream().map(e -> String.format(Locale.ROOT, "%s %+.2f points", e.getKey(), e.getValue()))
                        .collect(Collectors.joining(", ")) + (d.beatsControlOnEveryTask() ? " (better on every task)"
                        : " (not better on every task)"));
            }
            b.add(new Bullets(items));
        }
        b.add(new Heading(2, PLOTS));
        b.add(new Paragraph(null, "Each task's headline metric against size and against p50 latency (log scales): the "
                + "teacher as a black diamond, fp32 variants as circles, int8 variants as squares, each point labelled, the "
                + "Pareto front of the mean headline metric as a dashed line; bars on the latency plots span the round medians."));
        b.add(new Images(PlotRenderer.files(m)));
        b.add(new Links("Data", List.of("report.json", "report.md", "index.html"), "per-stage logs under logs/."));
        return b;
    }

    private static String minutes(double s) {
        long t = Math.round(s);
        return t / 60 + " min " + t % 60 + " s";
    }

    private static Table table(ReportModel m) {
        List<String> header = new ArrayList<>(List.of("variant"));
        List<String> tasks = m.tasks();
        for (String t : tasks) {
            header.add(t + " (" + m.headlineName(t) + ")");
        }
        header.addAll(List.of("size bytes (of teacher)", "params", "p50 / p99 µs", "rounds µs", "speedup", "vs teacher",
                "Pareto", "wall s", "stages"));
        boolean[] numeric = new boolean[header.size()];
        for (int i = 1; i < numeric.length - 4; i++) {
            numeric[i] = true;
        }
        numeric[numeric.length - 2] = true;
        List<List<String>> rows = new ArrayList<>();
        for (ReportModel.Row r : m.distinctRows()) {
            boolean teacher = r == m.teacher();
            VariantResult v = r.result();
            List<String> c = new ArrayList<>();
            c.add(teacher && !m.teacherAliases().isEmpty() ? v.name() + " (= " + String.join(", ", m.teacherAliases()) + ")" : v.name());
            for (String t : tasks) {
                double h = v.tasks().get(t).headline();
                c.add(teacher ? String.format(Locale.ROOT, "%.4f", h) : String.format(Locale.ROOT, "%.4f (%+.1f)", h, r.change().get(t)));
            }
            Latency l = v.latency();
            c.add(String.format(Locale.ROOT, "%,d (%.1f%%)", v.sizeBytes(), 100 * r.sizeVsTeacher()));
            c.add(String.format(Locale.ROOT, "%,d", v.params()));
            c.add(String.format(Locale.ROOT, "%.0f / %.0f", l.p50(), l.p99()));
            c.add(l.hasSpread() ? String.format(Locale.ROOT, "%.0f–%.0f", l.min(), l.max()) : "n/a");
            c.add(teacher || !l.hasSpread() ? String.format(Locale.ROOT, "%.2fx", r.speedup())
                    : String.format(Locale.ROOT, "%.2fx (%.2f–%.2f)", r.speedup(), r.speedupLow(), r.speedupHigh()));
            c.add(teacher ? "" : vsTeacher(r.vsTeacher()));
            c.add(r.paretoSize() && r.paretoLatency() ? "size, latency" : r.paretoSize() ? "size" : r.paretoLatency() ? "latency" : "");
            c.add(String.format(Locale.ROOT, "%.0f", v.wallSeconds()));
            c.add(teacher ? "teacher" : String.join("; ", v.stages()));
            rows.add(c);
        }
        return new Table(header, rows, numeric);
    }

    /** One row per distinct variant, one column per task measured per class; null when nothing was. */
    private static Table hurtTable(ReportModel m) {
        List<String> tasks = new ArrayList<>(m.teacher().result().classRecall().keySet());
        if (tasks.isEmpty()) {
            return null;
        }
        List<String> header = new ArrayList<>(List.of("variant"));
        for (String t : tasks) {
            header.add(t + ": worst class");
            header.add(t + String.format(Locale.ROOT, ": below -%.0f", ReportModel.CLASS_BAR));
        }
        boolean[] numeric = new boolean[header.size()];
        List<List<String>> rows = new ArrayList<>();
        for (ReportModel.Row r : m.distinctRows()) {
            if (r == m.teacher()) {
                continue;
            }
            Map<String, ReportModel.ClassHurt> h = m.classHurt(r);
            List<String> c = new ArrayList<>();
            c.add(r.name());
            for (String t : tasks) {
                ReportModel.ClassHurt x = h.get(t);
                c.add(x == null ? "n/a" : String.format(Locale.ROOT, "%s (%+.1f)", x.worstClass(), x.worstChange()));
                c.add(x == null ? "n/a" : x.hurt().isEmpty() ? "none" : x.hurt().size() + ": " + String.join(", ", x.hurt()));
            }
            rows.add(c);
        }
        return rows.isEmpty() ? null : new Table(header, rows, numeric);
    }

    static String vsTeacher(Latency.Comparison c) {
        return switch (c) {
            case FASTER -> "faster";
            case SLOWER -> "slower";
            case WITHIN_NOISE -> "within noise";
            case UNKNOWN -> "unknown";
        };
    }

    private static List<String> noise(ReportModel m) {
        List<String> items = new ArrayList<>();
        List<ReportModel.Row> rows = m.distinctRows();
        ReportModel.Row widest = null;
        for (ReportModel.Row r : rows) {
            if (r.result().latency().hasSpread() && (widest == null
                    || r.result().latency().relativeSpread() > widest.result().latency().relativeSpread())) {
                widest = r;
            }
        }
        if (widest == null) {
            items.add("The spread over rounds is unknown (fewer than two rounds measured): speedups are single numbers "
                    + "whose noise this report cannot judge.");
        } else {
            Latency w = widest.result().latency();
            items.add(String.format(Locale.ROOT, "Per-round medians spread by up to %.0f%% of their median (%s: %.0f–%.0f µs "
                    + "over %d rounds); two latencies are within noise when their round ranges overlap.",
                    100 * w.relativeSpread(), widest.name(), w.min(), w.max(), w.roundMedians().size()));
            List<String> within = rows.stream().filter(r -> r != m.teacher() && r.vsTeacher() == Latency.Comparison.WITHIN_NOISE)
                    .map(ReportModel.Row::name).toList();
            items.add(within.isEmpty() ? "No variant is within noise of the teacher's latency."
                    : "Within noise of the teacher's latency (no speed difference claimed): " + String.join(", ", within) + ".");
            Map<String, ReportModel.Row> byName = new java.util.LinkedHashMap<>();
            rows.forEach(r -> byName.put(r.name(), r));
            for (ReportModel.NoisePair p : m.noise()) {
                Latency a = byName.get(p.faster()).result().latency();
                Latency c = byName.get(p.slower()).result().latency();
                items.add(String.format(Locale.ROOT, "On the latency front, %s and %s are within noise of each other "
                        + "(rounds %.0f–%.0f µs and %.0f–%.0f µs).", p.faster(), p.slower(), a.min(), a.max(), c.min(), c.max()));
            }
        }
        items.add(m.machineLoad().sentence());
        return items;
    }
}
