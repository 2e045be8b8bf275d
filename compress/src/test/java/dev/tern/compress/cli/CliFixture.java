package dev.tern.compress.cli;

import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Padding;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** A small two-head model and an in-process runner of the CLI, shared by the CLI tests. */
final class CliFixture {
    static final int SIDE = 8;
    static final long SEED = 20240611L;
    /** Elements of left's weights set to exactly zero, so that sparsity is not trivially 0. */
    static final int ZEROED = 40;

    private CliFixture() {
    }

    /**
     * image [-1, 8, 8, 1] normalized (raw - 127.5) / 127.5 -> conv 3x3x4 SAME -> relu -> flatten
     * -> dense {@code left/logits} (multiclass 3 classes) and dense {@code present/logits}
     * (multilabel 3 labels); the flattened features are an extra graph output.
     */
    static ModelDef model() {
        return model(-1);
    }

    /** {@link #model()} with input batch dimension {@code batch}: -1 any, else that fixed size. */
    static ModelDef model(int batch) {
        Random rnd = new Random(SEED);
        ModelBuilder b = new ModelBuilder("tiny-two-head")
                .input(new InputSpec("image", new int[] {batch, SIDE, SIDE, 1}, "NHWC", new float[] {127.5f},
                        new float[] {127.5f}))
                .provenance("source", "CliFixture");
        String x = b.conv2d("conv", "image", new int[] {4, 3, 3, 1}, ModelBuilder.random(rnd, 36, 0.5f),
                ModelBuilder.random(rnd, 4, 0.1f), 1, Padding.SAME, Activation.NONE);
        x = b.relu("relu", x);
        String features = b.flatten("features", x);
        int in = SIDE * SIDE * 4;
        float[] leftW = ModelBuilder.random(rnd, 3 * in, 0.2f);
        for (int i = 0; i < ZEROED; i++) {
            leftW[i] = 0f;
        }
        String left = b.dense("left/logits", features, 3, in, leftW, ModelBuilder.random(rnd, 3, 0.1f), Activation.NONE);
        String present = b.dense("present/logits", features, 3, in, ModelBuilder.random(rnd, 3 * in, 0.2f),
                ModelBuilder.random(rnd, 3, 0.1f), Activation.NONE);
        b.multiclass("left", left, "tshirt", "trouser", "bag");
        b.multilabel("present", present, new float[] {0.5f, 0.4f, 0.6f}, "tshirt", "trouser", "bag");
        b.output(features);
        return b.build();
    }

    /** Raw pixel value of (y, x) of the test image: every value differs, all in [0, 255]. */
    static int pixel(int y, int x) {
        return (y * SIDE + x) * 37 % 256;
    }

    /** The test image as the model sees it, normalized. */
    static float[] normalizedImage() {
        float[] v = new float[SIDE * SIDE];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                v[y * SIDE + x] = (pixel(y, x) - 127.5f) / 127.5f;
            }
        }
        return v;
    }

    /** Exit code and both streams of one CLI run. */
    record Outcome(int code, String out, String err) {
        /** Non-empty lines on stderr. */
        long errLines() {
            return err.lines().filter(l -> !l.isBlank()).count();
        }
    }

    static Outcome tern(String... args) {
        return tern(false, args);
    }

    static Outcome tern(boolean debug, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = TernCli.run(args, o, e, debug);
        }
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
