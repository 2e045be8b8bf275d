package dev.tern.compress.train;

import dev.tern.compress.BadInputException;

import java.util.ArrayList;
import java.util.List;

/**
 * The default distillation students: edge-shaped, as MobileNet builds them, because on a
 * small device the convolutions' multiply-adds, not the weights, set the latency. A stride-2
 * 3x3 conv first (36x36 to 18x18: every later layer sees a quarter of the pixels), then
 * depthwise-separable blocks (a 3x3 depthwise conv and a 1x1 conv, batch norm and ReLU
 * after each), two of them with stride 2 (to 9x9 and 5x5), a flatten that keeps where on
 * the canvas a feature is (the left and right tasks need it; a global pool would lose it),
 * one hidden dense layer and the heads. At width 1 the channels are 32, 64, 128, 128, 128
 * and the dense layer 256; width W scales all of them (at least 4).
 */
public final class Students {
    static final int[] CHANNELS = {32, 64, 128, 128, 128};
    static final int DENSE = 256;

    private Students() {
    }

    /** The default student recipe at {@code width} (0 < width <= 2), trained as {@code epochs} epochs. */
    public static TrainRecipe edge(double width, int epochs) {
        if (!(width > 0 && width <= 2)) {
            throw new BadInputException("--width must lie in (0, 2], got " + width);
        }
        TrainRecipe r = new TrainRecipe();
        r.name = "multifashion-student-w" + trim(width);
        r.sharing = "hard";
        List<String> trunk = new ArrayList<>();
        trunk.add("conv3x3/2:" + scale(CHANNELS[0], width));
        trunk.add("dwsep:" + scale(CHANNELS[1], width));
        trunk.add("dwsep/2:" + scale(CHANNELS[2], width));
        trunk.add("dwsep:" + scale(CHANNELS[3], width));
        trunk.add("dwsep/2:" + scale(CHANNELS[4], width));
        r.trunk = trunk;
        r.dense = new ArrayList<>(List.of(scale(DENSE, width)));
        r.batchNorm = true;
        r.epochs = epochs;
        r.batchSize = 128;
        r.learningRate = 0.004;
        r.finalLearningRate = 0.00004;
        r.seed = 1;
        r.threads = 2;
        r.validate();
        return r;
    }

    static int scale(int channels, double width) {
        return Math.max(4, (int) Math.round(channels * width));
    }

    static String trim(double w) {
        return w == Math.rint(w) ? String.valueOf((int) w) : String.valueOf(w);
    }
}
