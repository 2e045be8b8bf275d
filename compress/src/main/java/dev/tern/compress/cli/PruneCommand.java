package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.compress.data.DataSets;
import dev.tern.compress.data.Dataset;
import dev.tern.compress.data.MultiFashion;
import dev.tern.compress.data.MultiFashionData;
import dev.tern.compress.data.TrainingData;
import dev.tern.compress.eval.Evaluator;
import dev.tern.compress.job.EvaluateJob;
import dev.tern.compress.job.ModelInput;
import dev.tern.compress.job.PruneConfig;
import dev.tern.compress.job.PruneJob;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.format.TernWriter;
import dev.tern.runtime.model.ModelDef;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code tern prune IN --sparsity S [options of PruneConfig] --data DIR --out OUT}: magnitude pruning ({@link PruneJob}). */
@Command(name = "prune", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, modelTransformer = PruneCommand.Fields.class,
        description = {"Magnitude pruning with fine-tuning in TensorFlow Java (docs/PRUNING.md).",
            "IN is a float32 .tern file or a SavedModel folder. --kind unstructured prunes the smallest weights of each "
                + "dense and conv layer, global ranks them over all layers together, channel removes whole output "
                + "channels (by L1 norm) and rewires the next layers, so the model really shrinks, 2:4 keeps the 2 "
                + "largest of every 4 consecutive weights along the input (layers whose input is not a multiple of 4 "
                + "are skipped unless named with --layers, which is then an error).",
            "Fine-tuning trains on Multi-Fashion canvases from --data with the mask applied at every step; gradual "
                + "raises the sparsity along Zhu & Gupta's cubic schedule over the first two thirds of the steps. "
                + "--epochs 0 prunes without fine-tuning. The per-task metrics before and after are measured on "
                + "--eval-samples test canvases. Every option but --eval-samples (the recipe's eval_samples) is also a "
                + "field of a recipe's prune stage."})
public final class PruneCommand implements Callable<Integer> {
    /** Adds the options of {@link PruneConfig#FIELDS}. */
    public static final class Fields implements IModelTransformer {
        public CommandSpec transform(CommandSpec spec) {
            return JobOptions.add(spec, PruneConfig.FIELDS);
        }
    }

    @Parameters(paramLabel = "IN", description = "A float32 .tern file or a SavedModel folder (never modified).")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "OUT.tern", description = "The .tern file to write (atomically).")
    Path out;

    @Option(names = "--data", paramLabel = "PATH", description = "Data for fine-tuning and the before/after metrics (required with "
            + "--epochs > 0): a Fashion-MNIST IDX folder (Multi-Fashion training and test canvases) or a data set (docs/DATA.md: "
            + "its train and test splits; a single .npz is split 80/10/10).")
    Path data;

    @Option(names = "--eval-samples", paramLabel = "N", defaultValue = "10000", description = "Test samples for the before/after metrics (at most; default: ${DEFAULT-VALUE}; 0: skip).")
    int evalSamples;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--quiet", description = "No progress output.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PruneConfig c = PruneConfig.of(JobOptions.read(spec, PruneConfig.FIELDS));
        if (evalSamples < 0) {
            throw new UsageException("--eval-samples: expected an integer >= 0, found " + evalSamples);
        }
        if (c.epochs > 0 && data == null) {
            throw new UsageException("fine-tuning needs --data (a Fashion-MNIST folder); --epochs 0 prunes without fine-tuning");
        }
        ModelFiles.checkOutput(out, in);
        ModelInput model = ModelInput.read(in);
        PrintWriter o = spec.commandLine().getOut();
        if (DataOption.builtIn(data)) {
            PruneJob.check(model.def(), c);
            MultiFashion mf = data == null && evalSamples == 0 ? null : new MultiFashion(DataOption.load(data));
            Dataset test = evalSamples > 0 ? new MultiFashionData(mf.test().subset(Math.min(evalSamples, mf.test().size()))) : null;
            run(o, c, model, test, mf == null ? null : TrainingData.multiFashion(mf, PruneJob.FINETUNE_SEED));
        } else {
            try (DataSets.Parts parts = DataSets.forTraining(data, model.def().inputs().get(0), model.def().tasks())) {
                Dataset test = evalSamples > 0 ? parts.test().head(Math.min(evalSamples, parts.test().size())) : null;
                run(o, c, model, test, TrainingData.of(parts.train(), PruneJob.FINETUNE_SEED));
            }
        }
        return 0;
    }

    private void run(PrintWriter o, PruneConfig c, ModelInput model, Dataset test, TrainingData train) throws java.io.IOException {
        Evaluator.Report before = test == null ? null : EvaluateJob.score(TernModel.of(model.def()), test);
        PruneJob.Outcome r = PruneJob.run(model, c, train, quiet || json ? null : o);
        Evaluator.Report after = test == null ? null : EvaluateJob.score(TernModel.of(r.model()), test);
        TernWriter.write(r.model(), out);
        report(o, c, model.def(), r, before, after);
    }

    private void report(PrintWriter o, PruneConfig c, ModelDef before, PruneJob.Outcome r, Evaluator.Report rb, Evaluator.Report ra) {
        ModelDef after = r.model();
        long bytesBefore = TernWriter.toBytes(before).length;
        long bytesAfter = TernWriter.toBytes(after).length;
        ObjectNode j = Json.object();
        j.put("model", out.toString());
        j.put("source", in.toString());
        j.put("kind", c.kind);
        j.put("params_before", before.parameterCount());
        j.put("params_after", after.parameterCount());
        j.put("pruned_layer_sparsity", r.prunedSparsity());
        j.put("size_bytes_before", bytesBefore);
        j.put("size_bytes_after", bytesAfter);
        j.put("finetune_seconds", r.seconds());
        r.epochLoss().forEach(j.putArray("epoch_loss")::add);
        if (rb != null && ra != null) {
            ObjectNode tasks = j.putObject("tasks");
            for (String task : rb.tasks.keySet()) {
                ObjectNode t = tasks.putObject(task);
                rb.tasks.get(task).forEach((metric, v) -> {
                    t.put(metric + "_before", v);
                    t.put(metric + "_after", ra.tasks.get(task).get(metric));
                });
            }
        }
        if (json) {
            o.println(j.toString());
            return;
        }
        o.printf("wrote %s: params %,d -> %,d, file %,d -> %,d bytes, %.1f%% zeros in the pruned layers%n", out,
                before.parameterCount(), after.parameterCount(), bytesBefore, bytesAfter, 100.0 * r.prunedSparsity());
        if (rb != null && ra != null) {
            for (String task : rb.tasks.keySet()) {
                String metric = rb.tasks.get(task).containsKey("accuracy") ? "accuracy" : "subset_accuracy";
                o.printf("  %-8s %s %.4f -> %.4f (%+.4f)%n", task, metric, rb.tasks.get(task).get(metric),
                        ra.tasks.get(task).get(metric), ra.tasks.get(task).get(metric) - rb.tasks.get(task).get(metric));
            }
        }
    }
}
