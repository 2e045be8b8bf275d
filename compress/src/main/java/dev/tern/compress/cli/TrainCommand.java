package dev.tern.compress.cli;

import dev.tern.compress.data.FashionMnist;
import dev.tern.compress.data.MultiFashion;
import dev.tern.compress.job.TrainConfig;
import dev.tern.compress.job.TrainJob;
import dev.tern.compress.train.TrainRecipe;
import dev.tern.compress.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code tern train --recipe R --out DIR}: trains a Multi-Fashion teacher with TensorFlow Java, writes a SavedModel. */
@Command(name = "train", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, modelTransformer = TrainCommand.Fields.class,
        description = {"Train a multi-task Multi-Fashion model with TensorFlow Java and write it as a SavedModel.",
            "The recipe (JSON, see models/recipes/) sets hard or soft parameter sharing, tasks, loss weights, "
                + "layers, epochs, learning-rate schedule, seed and threads. Every epoch draws fresh canvases "
                + "from the training images; the 10,000 test canvases are scored at the end. "
                + "The SavedModel holds the task metadata in assets.extra/tern.json; bring it to Tern with 'tern import'."})
public final class TrainCommand implements Callable<Integer> {
    /** Adds the options of {@link TrainConfig#FIELDS}. */
    public static final class Fields implements IModelTransformer {
        public CommandSpec transform(CommandSpec spec) {
            return JobOptions.add(spec, TrainConfig.FIELDS);
        }
    }

    @Option(names = "--recipe", required = true, paramLabel = "R", description = "Training recipe (JSON).")
    Path recipe;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "SavedModel folder to write (replaced if present).")
    Path out;

    @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST IDX folder (default: the repo's models/data/fashion-mnist).")
    Path data;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        TrainConfig c = TrainConfig.of(recipe, JobOptions.read(spec, TrainConfig.FIELDS));
        TrainRecipe r = c.recipe;
        FashionMnist fm = DataOption.load(data);
        MultiFashion mf = new MultiFashion(fm);
        PrintWriter err = spec.commandLine().getErr();
        err.println("training " + r.name + " (" + r.sharing + " sharing, tasks " + r.tasks + ", " + r.epochs + " epochs of "
                + r.trainSamples + " canvases, batch " + r.batchSize + ", " + r.threads + " threads)");
        err.flush();
        Trainer.Outcome o = TrainJob.run(c, mf, out, !quiet);
        PrintWriter pw = spec.commandLine().getOut();
        pw.printf("wrote %s: %,d params, %.1f s; test accuracy %s%n", out, o.params, o.seconds, o.testAccuracy);
        pw.flush();
        return 0;
    }
}
