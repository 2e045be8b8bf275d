package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.compress.data.CanvasSet;
import dev.tern.compress.data.MultiFashion;
import dev.tern.compress.eval.Evaluator;
import dev.tern.compress.eval.Predictor;
import dev.tern.compress.eval.SavedModelPredictor;
import dev.tern.compress.eval.TernPredictor;
import dev.tern.runtime.TernModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code tern eval MODEL --data DIR}: per-task metrics and latency on the Multi-Fashion test split. */
@Command(name = "eval", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Score a model on the 10,000 Multi-Fashion test canvases.",
            "MODEL is a .tern file (run by Tern) or a SavedModel folder (run by TensorFlow Java, the float reference). "
                + "Multiclass tasks: accuracy and top-3 accuracy; multilabel: Hamming loss, subset accuracy, micro-F1, "
                + "macro-F1 and mAP at the model's thresholds; plus batch-1 latency p50/p99 in microseconds "
                + "(after a warm-up). With --reference, also the agreement of every task with that model."})
public final class EvalCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL", description = "A .tern file or a SavedModel folder.")
    Path model;

    @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST IDX folder (default: the repo's models/data/fashion-mnist).")
    Path data;

    @Option(names = "--limit", paramLabel = "N", description = "Score only the first N test canvases.")
    Integer limit;

    @Option(names = "--reference", paramLabel = "MODEL", description = "Also report top-1 (multiclass) and per-label (multilabel) agreement with this model.")
    Path reference;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CanvasSet test = new MultiFashion(DataOption.load(data)).test();
        if (limit != null) {
            if (limit < 1 || limit > test.size()) {
                throw new UsageException("--limit must lie in [1, " + test.size() + "], got " + limit);
            }
            test = test.subset(limit);
        }
        long size = sizeBytes(model);
        Evaluator.Report report;
        String engine;
        java.util.List<dev.tern.runtime.model.TaskSpec> tasks;
        try (Predictor p = open(model)) {
            engine = p.engine();
            tasks = p.tasks();
            report = Evaluator.evaluate(p, test);
        }
        Map<String, Double> agreement = null;
        if (reference != null) {
            try (Predictor ref = open(reference)) {
                agreement = Evaluator.agreement(tasks, report, Evaluator.evaluate(ref, test));
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = Json.object();
            o.put("model", model.toString());
            o.put("engine", engine);
            o.put("samples", report.samples);
            ObjectNode t = o.putObject("tasks");
            for (Map.Entry<String, Map<String, Double>> e : report.tasks.entrySet()) {
                ObjectNode m = t.putObject(e.getKey());
                e.getValue().forEach(m::put);
                if (agreement != null) {
                    m.put("agreement", agreement.get(e.getKey()));
                }
            }
            o.put("size_bytes", size);
            ObjectNode lat = o.putObject("latency_us");
            lat.put("p50", Math.round(report.p50Micros * 10) / 10.0);
            lat.put("p99", Math.round(report.p99Micros * 10) / 10.0);
            Json.print(o, out);
        } else {
            out.printf("%s on %d Multi-Fashion test canvases (%s)%n", model, report.samples, engine);
            for (Map.Entry<String, Map<String, Double>> e : report.tasks.entrySet()) {
                StringBuilder sb = new StringBuilder();
                e.getValue().forEach((k, v) -> sb.append(String.format("  %s %.4f", k, v)));
                if (agreement != null) {
                    sb.append(String.format("  agreement %.4f", agreement.get(e.getKey())));
                }
                out.printf("  %-8s%s%n", e.getKey(), sb);
            }
            out.printf("  size %,d bytes; batch-1 latency p50 %.1f us, p99 %.1f us%n", size, report.p50Micros, report.p99Micros);
        }
        out.flush();
        return 0;
    }

    static Predictor open(Path model) throws Exception {
        if (Files.isDirectory(model)) {
            return new SavedModelPredictor(model);
        }
        return new TernPredictor(ModelFiles.load(model));
    }

    /** File size of a .tern, or the total size of a SavedModel folder. */
    static long sizeBytes(Path model) throws java.io.IOException {
        if (!Files.isDirectory(model)) {
            return Files.size(model);
        }
        try (java.util.stream.Stream<Path> s = Files.walk(model)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
