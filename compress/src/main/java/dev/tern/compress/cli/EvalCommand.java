package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.compress.data.DataSets;
import dev.tern.compress.data.Dataset;
import dev.tern.compress.eval.Evaluator;
import dev.tern.compress.eval.Predictor;
import dev.tern.compress.job.EvaluateConfig;
import dev.tern.compress.job.EvaluateJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
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
@Command(name = "eval", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, modelTransformer = EvalCommand.Fields.class,
        description = {"Score a model on a labeled test set: by default the 10,000 Multi-Fashion test canvases; with --data "
                + "an .npz file, a folder of train/test .npz files (its test.npz) or an image folder with labels.csv "
                + "(docs/DATA.md).",
            "MODEL is a .tern file (run by Tern), a SavedModel folder (run by TensorFlow Java, the float reference) or an "
                + ".onnx file (run by ONNX Runtime Java, the original of an imported model; its tasks as tern import reads them). "
                + "Multiclass tasks: accuracy and top-3 accuracy; multilabel: Hamming loss, subset accuracy, micro-F1, "
                + "macro-F1 and mAP at the model's thresholds; plus batch-1 latency p50/p99 in microseconds "
                + "(after a warm-up). With --reference, also the agreement of every task with that model."})
public final class EvalCommand implements Callable<Integer> {
    /** Adds the options of {@link EvaluateConfig#FIELDS}. */
    public static final class Fields implements IModelTransformer {
        public CommandSpec transform(CommandSpec spec) {
            return JobOptions.add(spec, EvaluateConfig.FIELDS);
        }
    }

    @Parameters(paramLabel = "MODEL", description = "A .tern file, a SavedModel folder or an .onnx file.")
    Path model;

    @Option(names = "--data", paramLabel = "PATH", description = "The test data: an .npz file (x and one array per task), "
            + "a folder of train.npz/test.npz (its test.npz), an image folder with labels.csv (its test rows, or all rows "
            + "without a split column), or a Fashion-MNIST IDX folder (default: the repo's models/data/fashion-mnist).")
    Path data;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        EvaluateConfig c = EvaluateConfig.of(JobOptions.read(spec, EvaluateConfig.FIELDS));
        long size = sizeBytes(model);
        EvaluateJob.Outcome r;
        Dataset test;
        java.util.List<dev.tern.runtime.model.TaskSpec> specs;
        try (Predictor p = EvaluateJob.open(model); Predictor ref = c.reference == null ? null : EvaluateJob.open(Path.of(c.reference));
             Dataset all = DataOption.open(data, p.input(), p.tasks(), DataSets.Split.TEST, true)) {
            test = EvaluateJob.samples(c, all);
            r = EvaluateJob.run(p, ref, test);
            specs = p.tasks();
        }
        Evaluator.Report report = r.report();
        String engine = r.engine();
        Map<String, Double> agreement = r.agreement();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = Json.object();
            o.put("model", model.toString());
            o.put("engine", engine);
            o.put("samples", report.samples);
            ObjectNode d = o.putObject("data");
            d.put("name", test.name());
            d.put("split", test.split());
            d.put("checksum", test.checksum());
            ObjectNode t = o.putObject("tasks");
            for (Map.Entry<String, Map<String, Double>> e : report.tasks.entrySet()) {
                ObjectNode m = t.putObject(e.getKey());
                e.getValue().forEach(m::put);
                if (agreement != null) {
                    m.put("agreement", agreement.get(e.getKey()));
                }
            }
            ObjectNode recall = o.putObject("class_recall");
            for (dev.tern.runtime.model.TaskSpec ts : specs) {
                double[] rs = report.classRecall.get(ts.name());
                if (rs != null) {
                    ObjectNode m = recall.putObject(ts.name());
                    for (int k = 0; k < rs.length; k++) {
                        String label = k < ts.labels().size() ? ts.labels().get(k) : String.valueOf(k);
                        if (Double.isNaN(rs[k])) {
                            m.putNull(label);
                        } else {
                            m.put(label, rs[k]);
                        }
                    }
                }
            }
            o.put("size_bytes", size);
            ObjectNode lat = o.putObject("latency_us");
            lat.put("p50", Math.round(report.p50Micros * 10) / 10.0);
            lat.put("p99", Math.round(report.p99Micros * 10) / 10.0);
            Json.print(o, out);
        } else {
            out.printf("%s on %d samples of %s, %s (%s)%n", model, report.samples, test.name(), test.split(), engine);
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
