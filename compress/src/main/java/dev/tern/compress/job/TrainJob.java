package dev.tern.compress.job;

import dev.tern.compress.data.MultiFashion;
import dev.tern.compress.train.SavedModelExport;
import dev.tern.compress.train.TrainRecipe;
import dev.tern.compress.train.Trainer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Trains a multi-task Multi-Fashion model with TensorFlow Java and writes it as a SavedModel
 * whose assets.extra/training.json records the recipe, the epochs, the losses and the
 * test accuracy (the import then carries it into Tern's provenance).
 */
public final class TrainJob {
    private TrainJob() {
    }

    public static Trainer.Outcome run(TrainConfig c, MultiFashion data, Path out, boolean bar) throws IOException {
        TrainRecipe r = c.recipe;
        Trainer.Outcome o = new Trainer(r).train(e -> data.trainEpoch(r.seed, e).subset(r.trainSamples), data.test(), bar);
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
        return o;
    }
}
