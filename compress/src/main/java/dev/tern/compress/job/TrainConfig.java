package dev.tern.compress.job;

import dev.tern.compress.train.TrainRecipe;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Settings of {@link TrainJob}: a training recipe (JSON, models/recipes/; its own fields are
 * documented in {@link TrainRecipe}) and the overrides {@code tern train} offers for quick runs.
 */
public final class TrainConfig {
    public static final List<Field> FIELDS = List.of(
            Field.integer("epochs", null, 1, 1000, "Override the recipe's epochs (quick runs)."),
            Field.integer("train_samples", null, 1, 60_000, "Override the recipe's canvases per epoch (quick runs)."));

    /** The recipe with the overrides applied, checked. */
    public final TrainRecipe recipe;
    private final Settings settings;

    private TrainConfig(Settings s, TrainRecipe r) {
        this.settings = s;
        this.recipe = r;
    }

    /** Reads and checks the recipe at {@code path} with the overrides of {@code s}. */
    public static TrainConfig of(Path path, Settings s) throws IOException {
        TrainRecipe r = TrainRecipe.read(path);
        if (s.integer("epochs") != null) {
            r.epochs = s.integer("epochs");
        }
        if (s.integer("train_samples") != null) {
            r.trainSamples = s.integer("train_samples");
        }
        r.validate();
        return new TrainConfig(s, r);
    }

    public Settings settings() {
        return settings;
    }
}
