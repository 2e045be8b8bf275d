package dev.tern.compress.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Locale;

/**
 * {@code report.json}. The fields that scripts, tests and docs/PIPELINE.md read keep their
 * names and roundings; the typed analysis adds the latency rounds and their spread, the
 * fronts as lists, the noise pairs and the machine's load.
 */
public final class JsonRenderer {
    private JsonRenderer() {
    }

    public static ObjectNode render(ReportModel m) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode j = f.objectNode();
        ReportModel.Run run = m.run();
        j.put("recipe", run.recipe());
        j.put("quick", run.quick());
        j.put("eval_samples", run.evalSamples());
        j.put("latency_runs", run.latencyRuns());
        j.put("latency_rounds", run.latencyRounds());
        j.put("machine", run.machine());
        j.set("machine_load", load(m.machineLoad()));
        j.put("wall_seconds", Math.round(run.wallSeconds()));
        j.set("teacher", entry(m.teacher()));
        ArrayNode vs = j.putArray("variants");
        m.rows().forEach(r -> vs.add(entry(m, r)));
        j.put("class_bar_points", ReportModel.CLASS_BAR);
        ArrayNode aliases = j.putArray("teacher_aliases");
        m.teacherAliases().forEach(aliases::add);
        strings(j.putArray("pareto_size_front"), m.sizeFront());
        strings(j.putArray("pareto_latency_front"), m.latencyFront());
        ObjectNode b = j.putObject("best_within_1pt");
        ReportModel.Best best = m.best();
        if (best != null) {
            b.put("name", best.name());
            b.put("size_vs_teacher", best.sizeVsTeacher());
            b.put("speedup_vs_teacher", best.speedup());
            b.putArray("speedup_range").add(best.speedupLow()).add(best.speedupHigh());
            b.put("latency_vs_teacher", key(best.vsTeacher()));
            b.put("meets_size_bar", best.meetsSizeBar());
            b.put("meets_speed_bar", best.meetsSpeedBar());
        }
        b.put("verdict", m.verdict());
        ArrayNode noise = j.putArray("latency_within_noise");
        m.noise().forEach(p -> noise.addObject().put("faster", p.faster()).put("slower", p.slower()));
        ArrayNode kd = j.putArray("distillation");
        for (ReportModel.Distillation d : m.distillation()) {
            ObjectNode o = kd.addObject();
            o.put("distilled", d.distilled());
            o.put("control", d.control());
            ObjectNode g = o.putObject("gain_points");
            d.gainPoints().forEach((t, v) -> g.put(t, Math.round(v * 100) / 100.0));
            o.put("distilled_beats_control_on_every_task", d.beatsControlOnEveryTask());
        }
        strings(j.putArray("plots"), PlotRenderer.files(m));
        return j;
    }

    private static ObjectNode entry(ReportModel m, ReportModel.Row r) {
        ObjectNode o = entry(r);
        if (r != m.teacher()) {
            ObjectNode change = o.putObject("class_recall_change_points");
            r.result().classRecallChange(m.teacher().result()).forEach((t, cs) -> {
                ObjectNode c = change.putObject(t);
                cs.forEach((k, v) -> c.put(k, Math.round(v * 100) / 100.0));
            });
            ObjectNode hurt = o.putObject("classes_hurt");
            m.classHurt(r).forEach((t, h) -> {
                ObjectNode x = hurt.putObject(t);
                x.put("worst_class", h.worstClass());
                x.put("worst_change_points", Math.round(h.worstChange() * 100) / 100.0);
                strings(x.putArray("below_bar"), h.hurt());
            });
        }
        return o;
    }

    private static ObjectNode entry(ReportModel.Row r) {
        VariantResult v = r.result();
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("name", v.name());
        if (v.derivedFrom() != null) {
            o.put("from", v.derivedFrom());
        }
        strings(o.putArray("stages"), v.stages());
        o.put("model", v.model());
        o.put("precision", v.precision());
        o.put("size_bytes", v.sizeBytes());
        o.put("params", v.params());
        ObjectNode tasks = o.putObject("tasks");
        v.tasks().forEach((t, metrics) -> {
            ObjectNode x = tasks.putObject(t);
            metrics.toMap().forEach(x::put);
        });
        if (!v.classRecall().isEmpty()) {
            ObjectNode recall = o.putObject("class_recall");
            v.classRecall().forEach((t, cs) -> {
                ObjectNode x = recall.putObject(t);
                cs.forEach((c, x1) -> {
                    if (Double.isNaN(x1)) {
                        x.putNull(c);
                    } else {
                        x.put(c, Math.round(x1 * 10000) / 10000.0);
                    }
                });
            });
        }
        ObjectNode change = o.putObject("change_points");
        r.change().forEach((t, c) -> change.put(t, Math.round(c * 100) / 100.0));
        Latency l = v.latency();
        ObjectNode lat = o.putObject("latency_us");
        lat.put("p50", round1(l.p50()));
        lat.put("p99", round1(l.p99()));
        ArrayNode rounds = lat.putArray("round_medians");
        l.roundMedians().forEach(x -> rounds.add(round1(x)));
        if (l.hasSpread()) {
            lat.put("median_of_rounds", round1(l.median()));
            lat.put("min_round", round1(l.min()));
            lat.put("max_round", round1(l.max()));
        }
        o.put("size_vs_teacher", Math.round(10000.0 * r.sizeVsTeacher()) / 10000.0);
        o.put("speedup_vs_teacher", Math.round(100 * r.speedup()) / 100.0);
        o.putArray("speedup_range").add(Math.round(100 * r.speedupLow()) / 100.0).add(Math.round(100 * r.speedupHigh()) / 100.0);
        o.put("latency_vs_teacher", key(r.vsTeacher()));
        o.put("same_as_teacher", r.sameAsTeacher());
        o.put("within_1pt_of_teacher", r.withinOnePoint());
        o.put("pareto_size", r.paretoSize());
        o.put("pareto_latency", r.paretoLatency());
        o.put("wall_seconds", Math.round(v.wallSeconds() * 10) / 10.0);
        if (!v.provenance().isEmpty()) {
            o.set("provenance", v.provenance());
        }
        return o;
    }

    private static ObjectNode load(MachineLoad load) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("status", load.status().name().toLowerCase(Locale.ROOT));
        o.put("processors", load.processors());
        ArrayNode s = o.putArray("other_cores_samples");
        load.samples().forEach(x -> s.add(Math.round(x * 100) / 100.0));
        return o;
    }

    private static String key(Latency.Comparison c) {
        return c.name().toLowerCase(Locale.ROOT);
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static void strings(ArrayNode a, List<String> values) {
        values.forEach(a::add);
    }
}
