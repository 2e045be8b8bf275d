package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.compress.data.DataSets;
import dev.tern.compress.data.Dataset;
import dev.tern.compress.data.MultiFashion;
import dev.tern.compress.data.MultiFashionData;
import dev.tern.compress.data.TrainingData;
import dev.tern.compress.eval.Evaluator;
import dev.tern.compress.job.DistillConfig;
import dev.tern.compress.job.DistillJob;
import dev.tern.compress.job.EvaluateJob;
import dev.tern.compress.job.ModelInput;
import dev.tern.compress.train.TrainRecipe;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.format.TernWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code tern distill --teacher T (--student RECIPE | --width W) --data DIR [options of
 * DistillConfig] --out S}: knowledge distillation ({@link DistillJob}, docs/DISTILLATION.md).
 */
@Command(name = "distill", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, modelTransformer = DistillCommand.Fields.class,
        description = {"Knowledge distillation: train a smaller student in TensorFlow Java on the teacher's outputs.",
            "Per head, the loss is alpha x the hard-label loss + (1 - alpha) x T^2 x the soft loss: KL of "
                + "softmax(z / T) for the multiclass heads, sigmoid cross-entropy against sigmoid(z_teacher / T) for the "
                + "multilabel one. The teacher (a .tern file) runs in the Tern runtime on every training batch. "
                + "--width W builds the default edge student (a stride-2 conv, depthwise-separable blocks, MobileNet "
                + "style) with its channels scaled by W, or, with --architecture teacher (the default for any other "
                + "model or data set), the teacher's own graph with every layer but the heads scaled by W and fresh "
                + "weights; --student takes a training recipe instead. --control trains "
                + "the same student from scratch on hard labels only (alpha 1), with the same budget, so a report can "
                + "say what distillation bought. The student is exported, imported and written as a .tern file."})
public final class DistillCommand implements Callable<Integer> {
    /** Adds the options of {@link DistillConfig#FIELDS}. */
    public static final class Fields implements IModelTransformer {
        public CommandSpec transform(CommandSpec spec) {
            return JobOptions.add(spec, DistillConfig.FIELDS);
        }
    }

    @Option(names = "--teacher", required = true, paramLabel = "T.tern", description = "The teacher (float32 or int8 .tern; never modified).")
    Path teacher;

    @Option(names = "--data", paramLabel = "PATH", description = "Fashion-MNIST IDX folder (default: the repo's models/data/fashion-mnist), "
            + "or a data set (docs/DATA.md): an .npz, a folder of train/test .npz, an image folder with labels.csv.")
    Path data;

    @Option(names = "--eval-samples", paramLabel = "N", defaultValue = "10000", description = "Test samples to score the student on (at most; default: ${DEFAULT-VALUE}; 0: skip).")
    int evalSamples;

    @Option(names = "--out", required = true, paramLabel = "S.tern", description = "The student .tern file to write (atomically).")
    Path out;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DistillConfig c = DistillConfig.of(JobOptions.read(spec, DistillConfig.FIELDS));
        if (evalSamples < 0) {
            throw new UsageException("--eval-samples: expected an integer >= 0, found " + evalSamples);
        }
        TrainRecipe r = c.student != null ? DistillJob.recipe(c, null) : null;
        ModelFiles.checkOutput(out, teacher);
        ModelInput t = ModelInput.read(teacher);
        boolean builtIn = DataOption.builtIn(data);
        boolean derived = c.derives(DistillJob.edgeFits(t.def(), builtIn));
        PrintWriter progress = quiet || json ? null : spec.commandLine().getErr();
        if (!derived) {
            if (!builtIn) {
                throw new UsageException("--data " + data + ": an edge student (--architecture edge, or --student) learns "
                        + "Multi-Fashion from the built-in data; for a data set derive the student from the teacher "
                        + "(--width W --architecture teacher)");
            }
            if (r == null) {
                r = DistillJob.recipe(c, null);
            }
            DistillJob.checkTeacher(t.def());
            MultiFashion mf = new MultiFashion(DataOption.load(data));
            DistillJob.Outcome d = DistillJob.run(t, c, r, mf, progress, !quiet && !json);
            finish(c, d, r.epochs, r.trainSamples,
                    evalSamples == 0 ? null : new MultiFashionData(mf.test().subset(Math.min(evalSamples, mf.test().size()))));
        } else if (builtIn) {
            DistillJob.derive(t.def(), c);
            MultiFashion mf = new MultiFashion(DataOption.load(data));
            TrainingData train = TrainingData.multiFashion(mf, DistillJob.DATA_SEED);
            DistillJob.Outcome d = DistillJob.runDerived(t, c, train, progress, !quiet && !json);
            finish(c, d, epochs(c), samples(c, train),
                    evalSamples == 0 ? null : new MultiFashionData(mf.test().subset(Math.min(evalSamples, mf.test().size()))));
        } else {
            DistillJob.derive(t.def(), c);
            try (DataSets.Parts parts = DataSets.forTraining(data, t.def().inputs().get(0), t.def().tasks())) {
                TrainingData train = TrainingData.of(parts.train(), DistillJob.DATA_SEED);
                DistillJob.Outcome d = DistillJob.runDerived(t, c, train, progress, !quiet && !json);
                finish(c, d, epochs(c), samples(c, train),
                        evalSamples == 0 ? null : parts.test().head(Math.min(evalSamples, parts.test().size())));
            }
        }
        return 0;
    }

    private static int epochs(DistillConfig c) {
        return c.epochs != null ? c.epochs : 8;
    }

    private static int samples(DistillConfig c, TrainingData train) {
        return Math.min(train.size(), c.trainSamples != null ? c.trainSamples : train.size());
    }

    private void finish(DistillConfig c, DistillJob.Outcome d, int epochs, int samples, Dataset test) throws java.io.IOException {
        TernWriter.write(d.model(), out);
        Evaluator.Report rep = test == null ? null : EvaluateJob.score(TernModel.of(d.model()), test);
        PrintWriter pw = spec.commandLine().getOut();
        long params = d.model().parameterCount();
        if (json) {
            ObjectNode j = Json.object();
            j.put("model", out.toString());
            j.put("teacher", teacher.toString());
            j.put("mode", c.control ? "control" : "distilled");
            j.put("student", d.recipe() != null ? d.recipe().name : d.model().name());
            j.put("temperature", c.temperature);
            j.put("alpha", c.control ? 1.0 : c.alpha);
            j.put("epochs", epochs);
            j.put("train_samples_per_epoch", samples);
            j.put("params", params);
            j.put("size_bytes", Files.size(out));
            j.put("train_seconds", Math.round(d.trainSeconds() * 10) / 10.0);
            if (rep != null) {
                j.put("test_samples", test.size());
                ObjectNode tasks = j.putObject("tasks");
                rep.tasks.forEach((task, m) -> m.forEach(tasks.putObject(task)::put));
            }
            Json.print(j, pw);
        } else {
            pw.printf("wrote %s: %,d params, %,d bytes, trained in %.1f s%n", out, params, Files.size(out), d.trainSeconds());
            if (rep != null) {
                rep.tasks.forEach((task, m) -> pw.printf("  %-8s %s%n", task, metrics(m)));
            }
        }
        pw.flush();
    }

    static String metrics(Map<String, Double> m) {
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : "  ").append(k).append(' ').append(String.format(Locale.ROOT, "%.4f", v)));
        return sb.toString();
    }
}
