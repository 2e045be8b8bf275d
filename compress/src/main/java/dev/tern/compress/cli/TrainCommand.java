package dev.tern.compress.cli;

import dev.tern.compress.data.FashionMnist;
import dev.tern.compress.data.MultiFashion;
import dev.tern.compress.train.SavedModelExport;
import dev.tern.compress.train.TrainRecipe;
import dev.tern.compress.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code tern train --recipe R --out DIR}: trains a Multi-Fashion teacher with TensorFlow Java, writes a SavedModel. */
@Command(name = "train", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Train a multi-task Multi-Fashion model with TensorFlow Java and write it as a SavedModel.",
            "The recipe (JSON, see models/recipes/) sets hard or soft parameter sharing, tasks, loss weights, "
                + "layers, epochs, learning-rate schedule, seed and threads. Every epoch draws fresh canvases "
                + "from the training images; the 10,000 test canvases are scored at the end. "
                + "The SavedModel holds the task metadata in assets.extra/tern.json; bring it to Tern with 'tern import'."})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--recipe", required = true, paramLabel = "R", description = "Training recipe (JSON).")
    Path recipe;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "SavedModel folder to write (replaced if present).")
    Path out;

    @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST IDX folder (default: the repo's models/data/fashion-mnist).")
    Path data;

    @Option(names = "--epochs", paramLabel = "N", description = "Override the recipe's epochs (quick runs).")
    Integer epochs;

    @Option(names = "--train-samples", paramLabel = "N", description = "Override the recipe's canvases per epoch (quick runs).")
    Integer trainSamples;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        TrainRecipe r = TrainRecipe.read(recipe);
        if (epochs != null) {
            r.epochs = epochs;
        }
        if (trainSamples != null) {
            r.trainSamples = trainSamples;
        }
        r.validate();
        FashionMnist fm = DataOption.load(data);
        MultiFashion mf = new MultiFashion(fm);
        PrintWriter err = spec.commandLine().getErr();
        err.println("training " + r.name + " (" + r.sharing + " sharing, tasks " + r.tasks + ", " + r.epochs + " epochs of "
                + r.trainSamples + " canvases, batch " + r.batchSize + ", " + r.threads + " threads)");
        err.flush();
        Trainer.Outcome o = new Trainer(r).train(e -> mf.trainEpoch(r.seed, e).subset(r.trainSamples), mf.test(), !quiet);
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("recipe", r.name);
        training.put("epochs", r.epochs);
        training.put("train_samples_per_epoch", r.trainSamples);
        training.put("seconds", Math.round(o.seconds * 10) / 10.0);
        training.put("params", o.params);
        training.put("epoch_losses", o.epochLosses);
        training.put("test_accuracy", o.testAccuracy);
        training.put("machine", System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors()
                + " cores, JDK " + System.getProperty("java.version"));
        SavedModelExport.export(r, o, out, training);
        PrintWriter pw = spec.commandLine().getOut();
        pw.printf("wrote %s: %,d params, %.1f s; test accuracy %s%n", out, o.params, o.seconds, o.testAccuracy);
        pw.flush();
        return 0;
    }
}
