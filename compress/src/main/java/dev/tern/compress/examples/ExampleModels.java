package dev.tern.compress.examples;

import dev.tern.compress.data.FashionMnist;
import dev.tern.runtime.format.AtomicFiles;
import dev.tern.runtime.format.TernWriter;
import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Padding;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Random;

/**
 * Makes the example model committed under {@code models/examples/}: a tiny multi-task CNN
 * shaped like the Multi-Fashion models (one 36x36 grayscale canvas in; heads {@code left},
 * {@code right} (10-class), {@code present} (10-label multilabel) and {@code ink}
 * (regression)), with seeded random weights. It exercises the format, the CLI and every
 * op family; its predictions mean nothing. The trained teachers live in models/multifashion.
 *
 * <p>Run: {@code java -cp ... dev.tern.compress.examples.ExampleModels models/examples}
 * (see models/examples/README.md). The output is byte-for-byte reproducible; a test checks
 * that the committed file equals a fresh build.
 */
public final class ExampleModels {
    /** Fashion-MNIST class names, in label order. */
    public static final String[] FASHION = FashionMnist.classNames();
    public static final long SEED = 20261125L;

    private ExampleModels() {
    }

    /** The tiny multi-task example model. */
    public static ModelDef tinyMultitask() {
        Random rnd = new Random(SEED);
        ModelBuilder b = new ModelBuilder("tiny-multitask")
                .input(new InputSpec("image", new int[] {-1, 36, 36, 1}, "NHWC", new float[] {0f}, new float[] {255f}))
                .provenance("source", "dev.tern.compress.examples.ExampleModels (seeded random weights, seed " + SEED + ")")
                .provenance("purpose", "format, CLI and runtime example; untrained");
        // Trunk: stride-2 conv, depthwise-separable block with a residual, pooling.
        String x = b.conv2d("conv1", "image", new int[] {8, 3, 3, 1}, he(rnd, 8 * 9, 9), small(rnd, 8), 2, Padding.SAME,
                Activation.RELU);
        String dw = b.depthwiseConv2d("dw2", x, new int[] {3, 3, 8}, he(rnd, 9 * 8, 9), small(rnd, 8), 1, 1, Padding.SAME,
                Activation.RELU6);
        String pw = b.conv2d("pw2", dw, new int[] {8, 1, 1, 8}, he(rnd, 64, 8), small(rnd, 8), 1, Padding.VALID,
                Activation.NONE);
        x = b.add("res2", x, pw, Activation.RELU);
        x = b.maxPool("pool2", x, 2, 2, Padding.VALID);
        x = b.conv2d("conv3", x, new int[] {16, 3, 3, 8}, he(rnd, 16 * 9 * 8, 72), small(rnd, 16), 1, Padding.VALID,
                Activation.RELU);
        x = b.avgPool("pool3", x, 2, 2, Padding.SAME);
        String avg = b.globalAvgPool("gap", x);
        String max = b.globalMaxPool("gmp", x);
        String feat = b.concat("features", -1, avg, max);
        String shared = b.dense("shared", feat, 32, 32, he(rnd, 32 * 32, 32), small(rnd, 32), Activation.RELU);
        String left = b.dense("left", shared, 10, 32, he(rnd, 320, 32), small(rnd, 10), Activation.NONE);
        String right = b.dense("right", shared, 10, 32, he(rnd, 320, 32), small(rnd, 10), Activation.NONE);
        String present = b.dense("present", shared, 10, 32, he(rnd, 320, 32), small(rnd, 10), Activation.NONE);
        // A separate branch for the regression head: it shares only the input with the rest.
        String ink = b.avgPool("ink_pool", "image", 6, 6, Padding.VALID);
        ink = b.flatten("ink_flat", ink);
        ink = b.dense("ink", ink, 1, 36, he(rnd, 36, 36), small(rnd, 1), Activation.NONE);
        b.multiclass("left", left, FASHION).multiclass("right", right, FASHION);
        b.multilabel("present", present, null, FASHION);
        b.regression("ink", ink, "mean_ink");
        return b.build();
    }

    /** A 36x36 8-bit test canvas (two soft blobs), as a binary PGM. */
    public static byte[] exampleCanvasPgm() {
        int h = 36;
        int w = 36;
        byte[] header = ("P5\n" + w + " " + h + "\n255\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[header.length + h * w];
        System.arraycopy(header, 0, out, 0, header.length);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double a = StrictMath.exp(-((x - 10) * (x - 10) + (y - 11) * (y - 11)) / 40.0);
                double c = StrictMath.exp(-((x - 25) * (x - 25) + (y - 24) * (y - 24)) / 25.0);
                out[header.length + y * w + x] = (byte) Math.round(255 * Math.max(a, c));
            }
        }
        return out;
    }

    private static float[] he(Random rnd, int n, int fanIn) {
        return ModelBuilder.random(rnd, n, (float) Math.sqrt(6.0 / fanIn));
    }

    private static float[] small(Random rnd, int n) {
        return ModelBuilder.random(rnd, n, 0.1f);
    }

    public static void main(String[] args) throws IOException {
        Path dir = Paths.get(args.length > 0 ? args[0] : "models/examples");
        TernWriter.write(tinyMultitask(), dir.resolve("tiny-multitask.tern"));
        AtomicFiles.write(dir.resolve("canvas.pgm"), exampleCanvasPgm());
        System.out.println("wrote " + dir.resolve("tiny-multitask.tern") + " and " + dir.resolve("canvas.pgm"));
    }
}
