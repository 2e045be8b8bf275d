package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.compress.data.DataSets;
import dev.tern.compress.data.MultiFashion;
import dev.tern.compress.data.TrainingData;
import dev.tern.compress.job.FinetuneConfig;
import dev.tern.compress.job.FinetuneJob;
import dev.tern.compress.job.ModelInput;
import dev.tern.runtime.format.TernWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code tern finetune IN --data DIR --out OUT [options of FinetuneConfig]}: fine-tuning with zeros kept ({@link FinetuneJob}). */
@Command(name = "finetune", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, modelTransformer = FinetuneCommand.Fields.class,
        description = {"Fine-tune a float32 model on Multi-Fashion training canvases in TensorFlow Java with every zero "
                + "weight of every dense and conv layer held at zero (after pruning, or before quantizing; docs/PRUNING.md).",
            "The learning rate falls along a cosine from --lr to 1% of it by the last step. Every option is also a field "
                + "of a recipe's finetune stage."})
public final class FinetuneCommand implements Callable<Integer> {
    /** Adds the options of {@link FinetuneConfig#FIELDS}. */
    public static final class Fields implements IModelTransformer {
        public CommandSpec transform(CommandSpec spec) {
            return JobOptions.add(spec, FinetuneConfig.FIELDS);
        }
    }

    @Parameters(paramLabel = "IN", description = "A float32 .tern file or a SavedModel folder (never modified).")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "OUT.tern", description = "The .tern file to write (atomically).")
    Path out;

    @Option(names = "--data", paramLabel = "PATH", description = "Training data: a Fashion-MNIST IDX folder (default: the repo's "
            + "models/data/fashion-mnist; Multi-Fashion training canvases) or a data set (docs/DATA.md: its train split; a single "
            + ".npz is split 80/10/10).")
    Path data;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        FinetuneConfig c = FinetuneConfig.of(JobOptions.read(spec, FinetuneConfig.FIELDS));
        ModelFiles.checkOutput(out, in);
        ModelInput model = ModelInput.read(in);
        FinetuneJob.Outcome r;
        if (DataOption.builtIn(data)) {
            FinetuneJob.check(model.def());
            r = FinetuneJob.run(model, c, new MultiFashion(DataOption.load(data)), !json);
        } else {
            try (DataSets.Parts parts = DataSets.forTraining(data, model.def().inputs().get(0), model.def().tasks())) {
                r = FinetuneJob.run(model, c, TrainingData.of(parts.train(), FinetuneJob.SEED), !json);
            }
        }
        TernWriter.write(r.model(), out);
        PrintWriter o = spec.commandLine().getOut();
        if (json) {
            ObjectNode j = Json.object();
            j.put("model", out.toString());
            j.put("source", in.toString());
            j.put("size_bytes", Files.size(out));
            j.put("seconds", Math.round(r.seconds() * 10) / 10.0);
            r.epochLoss().forEach(j.putArray("epoch_loss")::add);
            Json.print(j, o);
        } else {
            o.printf("wrote %s: %,d bytes, fine-tuned %d epochs in %.1f s, loss per epoch %s%n", out, Files.size(out), c.epochs,
                    r.seconds(), r.epochLoss());
        }
        o.flush();
        return 0;
    }
}
