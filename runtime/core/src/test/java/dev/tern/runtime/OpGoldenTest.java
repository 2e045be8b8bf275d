package dev.tern.runtime;

import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.Padding;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each op against values computed by hand, on every backend this JVM has. Inputs and
 * weights are small integers or binary fractions, so every expected value below is exact in
 * float32 except where a tolerance is given (exp-based ops).
 */
class OpGoldenTest {
    /** The 3x3 single-channel image most spatial tests use. */
    private static final float[] IMAGE_3X3 = {
        1, 2, 3,
        4, 5, 6,
        7, 8, 9,
    };
    /** 2x2 filter whose taps are powers of ten, so each output shows which taps it summed. */
    private static final float[] TAPS_2X2 = {1, 10, 100, 1000};

    static Iterable<Backend> backends() {
        return TestModels.backends();
    }

    /** Runs the model's single input through it and returns the graph output {@code out} of sample 0. */
    private static float[] run(ModelDef def, Backend backend, String out, float[] input) {
        TernModel model = TernModel.of(def, backend);
        try (Session s = model.newSession()) {
            s.run(input);
            return s.output(out, 0);
        }
    }

    private static float[] run(ModelDef def, Backend backend, String out, Map<String, float[]> inputs) {
        TernModel model = TernModel.of(def, backend);
        try (Session s = model.newSession()) {
            s.run(inputs, model.allTasks());
            return s.output(out, 0);
        }
    }

    // ---------------------------------------------------------------- Dense

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void denseWithBiasAndActivations(Backend backend) {
        float[] w = {1, 0, -1, 0.5f, 0.5f, 0.5f};            // [2, 3]
        float[] bias = {0.25f, 4};
        float[] x = {1, 2, 3};
        // y0 = 1 - 3 + 0.25 = -1.75; y1 = 0.5 + 1 + 1.5 + 4 = 7
        for (Activation act : Activation.values()) {
            ModelBuilder b = new ModelBuilder("dense").input("x", -1, 3);
            b.output(b.dense("fc", "x", 2, 3, w, bias, act));
            float[] expected = act == Activation.NONE ? new float[] {-1.75f, 7f}
                    : act == Activation.RELU ? new float[] {0f, 7f} : new float[] {0f, 6f};
            assertArrayEquals(expected, run(b.build(), backend, "fc", x), 0f, backend + " " + act);
        }
        ModelBuilder b = new ModelBuilder("dense-nobias").input("x", -1, 3);
        b.output(b.dense("fc", "x", 2, 3, w, null, Activation.NONE));
        assertArrayEquals(new float[] {-2f, 3f}, run(b.build(), backend, "fc", x), 0f, backend + " no bias");
    }

    // ---------------------------------------------------------------- Conv2D

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void conv2x2Stride2Same(Backend backend) {
        // TF SAME on 3 with k 2, s 2: out = ceil(3 / 2) = 2, total pad = (2 - 1) * 2 + 2 - 3 = 1,
        // before = 1 / 2 = 0, after = 1. So windows start at rows/cols 0 and 2; the last row/col is padding.
        ModelBuilder b = new ModelBuilder("conv").input("x", -1, 3, 3, 1);
        b.output(b.conv2d("c", "x", new int[] {1, 2, 2, 1}, TAPS_2X2, null, 2, Padding.SAME, Activation.NONE));
        float[] expected = {
            1 * 1 + 2 * 10 + 4 * 100 + 5 * 1000, // (0,0): rows 0-1, cols 0-1 = 5421
            3 * 1 + 6 * 100,                     // (0,1): col 2, col 3 is padding = 603
            7 * 1 + 8 * 10,                      // (1,0): row 2, row 3 is padding = 87
            9 * 1,                               // (1,1): only (2,2) is in bounds = 9
        };
        ModelDef def = b.build();
        assertArrayEquals(new int[] {2, 2, 1}, def.shapeOf("c"));
        assertArrayEquals(expected, run(def, backend, "c", IMAGE_3X3), 0f, backend.id());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void conv2x2Stride2Valid(Backend backend) {
        // VALID: out = floor((3 - 2) / 2) + 1 = 1; only the top-left window.
        ModelBuilder b = new ModelBuilder("conv").input("x", -1, 3, 3, 1);
        b.output(b.conv2d("c", "x", new int[] {1, 2, 2, 1}, TAPS_2X2, new float[] {-21}, 2, Padding.VALID,
                Activation.NONE));
        ModelDef def = b.build();
        assertArrayEquals(new int[] {1, 1, 1}, def.shapeOf("c"));
        assertArrayEquals(new float[] {5400}, run(def, backend, "c", IMAGE_3X3), 0f, backend.id());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void conv3x3Stride1SamePadsOneEachSide(Backend backend) {
        // k 3, s 1 on 3: total pad 2, before 1: the centre output sees the whole image,
        // the corner (0,0) sees rows 0-1, cols 0-1. All-ones filter: window sums.
        float[] ones = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        ModelBuilder b = new ModelBuilder("conv").input("x", -1, 3, 3, 1);
        b.output(b.conv2d("c", "x", new int[] {1, 3, 3, 1}, ones, null, 1, Padding.SAME, Activation.NONE));
        float[] expected = {
            12, 21, 16,
            27, 45, 33,
            24, 39, 28,
        };
        assertArrayEquals(expected, run(b.build(), backend, "c", IMAGE_3X3), 0f, backend.id());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void conv1x1ChannelsBiasRelu(Backend backend) {
        // Input 1x2 pixels with 2 channels, NHWC: pixel 0 = [1, 2], pixel 1 = [3, 4].
        // Filter [cout=2, 1, 1, cin=2]: oc0 = [1, 0.5], oc1 = [-1, 2]; bias [0.5, -4]; relu.
        ModelBuilder b = new ModelBuilder("conv").input("x", -1, 1, 2, 2);
        b.output(b.conv2d("c", "x", new int[] {2, 1, 1, 2}, new float[] {1, 0.5f, -1, 2}, new float[] {0.5f, -4}, 1,
                Padding.VALID, Activation.RELU));
        float[] expected = {
            1 + 1 + 0.5f, 0,     // pixel 0: oc0 = 2.5, oc1 = -1 + 4 - 4 = -1 -> 0
            3 + 2 + 0.5f, 1,     // pixel 1: oc0 = 5.5, oc1 = -3 + 8 - 4 = 1
        };
        assertArrayEquals(expected, run(b.build(), backend, "c", new float[] {1, 2, 3, 4}), 0f, backend.id());
    }

    // ---------------------------------------------------------------- DepthwiseConv2D

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void depthwiseMultiplier2(Backend backend) {
        // Input 2x2, channels c0, c1 (NHWC): (0,0)=[1,2] (0,1)=[3,4] (1,0)=[5,6] (1,1)=[7,8].
        // Output channel oc = c * 2 + j reads input channel oc / 2. Filter [kh, kw, 4] per tap:
        float[] filter = {
            1, 0, 1, -1,   // tap (0,0)
            1, 0, 2, 0,    // tap (0,1)
            1, 0, 3, 0,    // tap (1,0)
            1, 2, 4, 0,    // tap (1,1)
        };
        ModelBuilder b = new ModelBuilder("dw").input("x", -1, 2, 2, 2);
        b.output(b.depthwiseConv2d("d", "x", new int[] {2, 2, 4}, filter, new float[] {0, 0, 0, 10}, 2, 1,
                Padding.VALID, Activation.NONE));
        float[] expected = {
            1 + 3 + 5 + 7,                 // oc0 <- c0, all ones: 16
            2 * 7,                         // oc1 <- c0, only tap (1,1) = 2: 14
            1 * 2 + 2 * 4 + 3 * 6 + 4 * 8, // oc2 <- c1: 60
            -2 + 10,                       // oc3 <- c1, tap (0,0) = -1, bias 10: 8
        };
        ModelDef def = b.build();
        assertArrayEquals(new int[] {1, 1, 4}, def.shapeOf("d"));
        assertArrayEquals(expected, run(def, backend, "d", new float[] {1, 2, 3, 4, 5, 6, 7, 8}), 0f, backend.id());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void depthwiseStride2SameWithRelu6(Backend backend) {
        // Same geometry as conv2x2Stride2Same (one channel, multiplier 1), relu6 fused, bias -600.
        ModelBuilder b = new ModelBuilder("dw").input("x", -1, 3, 3, 1);
        b.output(b.depthwiseConv2d("d", "x", new int[] {2, 2, 1}, TAPS_2X2, new float[] {-600}, 1, 2, Padding.SAME,
                Activation.RELU6));
        // raw 5421, 603, 87, 9 minus 600 -> 4821, 3, -513, -591 -> relu6 -> 6, 3, 0, 0
        assertArrayEquals(new float[] {6, 3, 0, 0}, run(b.build(), backend, "d", IMAGE_3X3), 0f, backend.id());
    }

    // ---------------------------------------------------------------- pooling

    /** 3x3 image with 2 channels: channel 0 = P, channel 1 = -P. */
    private static final float[] P = {
        2, -2, 3,
        -4, 5, -6,
        7, -8, -9,
    };

    private static float[] twoChannels(float[] c0) {
        float[] x = new float[c0.length * 2];
        for (int i = 0; i < c0.length; i++) {
            x[2 * i] = c0[i];
            x[2 * i + 1] = -c0[i];
        }
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void maxPoolSame(Backend backend) {
        // 2x2 window, stride 2, SAME on 3x3: pad 0 before, 1 after. Padding is not a candidate
        // (the bottom-right window holds only -9, so the result is -9 for channel 0, not 0).
        ModelBuilder b = new ModelBuilder("mp").input("x", -1, 3, 3, 2);
        b.output(b.maxPool("p", "x", 2, 2, Padding.SAME));
        float[] expected = {
            5, 4,      // {2,-2,-4,5} / {-2,2,4,-5}
            3, 6,      // {3,-6} / {-3,6}
            7, 8,      // {7,-8} / {-7,8}
            -9, 9,     // {-9} / {9}
        };
        assertArrayEquals(expected, run(b.build(), backend, "p", twoChannels(P)), 0f, backend.id());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void avgPoolSameDividesByInBoundsCount(Backend backend) {
        ModelBuilder b = new ModelBuilder("ap").input("x", -1, 3, 3, 2);
        b.output(b.avgPool("p", "x", 2, 2, Padding.SAME));
        float[] expected = {
            0.25f, -0.25f,  // (2 - 2 - 4 + 5) / 4
            -1.5f, 1.5f,    // (3 - 6) / 2, not / 4
            -0.5f, 0.5f,    // (7 - 8) / 2
            -9f, 9f,        // -9 / 1
        };
        assertArrayEquals(expected, run(b.build(), backend, "p", twoChannels(P)), 0f, backend.id());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void poolValid(Backend backend) {
        ModelBuilder b = new ModelBuilder("pv").input("x", -1, 3, 3, 2);
        b.output(b.maxPool("mx", "x", 2, 1, Padding.VALID));
        b.output(b.avgPool("av", "x", 2, 1, Padding.VALID));
        ModelDef def = b.build();
        float[] x = twoChannels(P);
        // windows at (0,0), (0,1), (1,0), (1,1) of channel 0: {2,-2,-4,5} {-2,3,5,-6} {-4,5,7,-8} {5,-6,-8,-9}
        assertArrayEquals(new float[] {5, 4, 5, 6, 7, 8, 5, 9}, run(def, backend, "mx", x), 0f, backend.id());
        assertArrayEquals(new float[] {0.25f, -0.25f, 0, 0, 0, 0, -4.5f, 4.5f}, run(def, backend, "av", x), 0f,
                backend.id());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void globalPools(Backend backend) {
        // 2x2 image, channel 0 = 1, 2, 3, 4; channel 1 all negative: -1, -5, -0.5, -2.
        float[] x = {1, -1, 2, -5, 3, -0.5f, 4, -2};
        ModelBuilder b = new ModelBuilder("gp").input("x", -1, 2, 2, 2);
        b.output(b.globalAvgPool("avg", "x"));
        b.output(b.globalMaxPool("max", "x"));
        ModelDef def = b.build();
        assertArrayEquals(new int[] {2}, def.shapeOf("avg"));
        assertArrayEquals(new float[] {2.5f, -2.125f}, run(def, backend, "avg", x), 0f, backend.id());
        assertArrayEquals(new float[] {4f, -0.5f}, run(def, backend, "max", x), 0f, backend.id());
    }

    // ---------------------------------------------------------------- Add, Concat, Flatten, Reshape

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void addWithFusedActivations(Backend backend) {
        Map<String, float[]> in = new LinkedHashMap<>();
        in.put("x", new float[] {-3, 1, 5, 2.5f});
        in.put("y", new float[] {1, 2, 3, 4.5f});
        float[][] expected = {{-2, 3, 8, 7}, {0, 3, 8, 7}, {0, 3, 6, 6}};
        for (Activation act : Activation.values()) {
            ModelBuilder b = new ModelBuilder("add").input("x", -1, 4).input("y", -1, 4);
            b.output(b.add("s", "x", "y", act));
            assertArrayEquals(expected[act.ordinal()], run(b.build(), backend, "s", in), 0f, backend + " " + act);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void concatLastAxisAndAxis0(Backend backend) {
        Map<String, float[]> in = new LinkedHashMap<>();
        in.put("a", new float[] {1, 2, 3, 4});   // [2, 2]
        in.put("b", new float[] {5, 6});         // [2, 1]
        in.put("c", new float[] {7, 8});         // [1, 2]
        ModelBuilder b = new ModelBuilder("concat").input("a", -1, 2, 2).input("b", -1, 2, 1).input("c", -1, 1, 2);
        b.output(b.concat("last", -1, "a", "b"));
        b.output(b.concat("first", 0, "a", "c"));
        b.output(b.concat("three", 0, "c", "a", "c"));
        ModelDef def = b.build();
        assertArrayEquals(new int[] {2, 3}, def.shapeOf("last"));
        assertArrayEquals(new int[] {3, 2}, def.shapeOf("first"));
        assertArrayEquals(new float[] {1, 2, 5, 3, 4, 6}, run(def, backend, "last", in), 0f, backend.id());
        assertArrayEquals(new float[] {1, 2, 3, 4, 7, 8}, run(def, backend, "first", in), 0f, backend.id());
        assertArrayEquals(new float[] {7, 8, 1, 2, 3, 4, 7, 8}, run(def, backend, "three", in), 0f, backend.id());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void concatChannelsOfImages(Backend backend) {
        // [1, 2, 1] and [1, 2, 2] on the channel axis: per pixel, a's channel then b's two.
        Map<String, float[]> in = new LinkedHashMap<>();
        in.put("a", new float[] {1, 2});
        in.put("b", new float[] {10, 11, 20, 21});
        ModelBuilder b = new ModelBuilder("concat").input("a", -1, 1, 2, 1).input("b", -1, 1, 2, 2);
        b.output(b.concat("c", 2, "a", "b"));
        assertArrayEquals(new float[] {1, 10, 11, 2, 20, 21}, run(b.build(), backend, "c", in), 0f, backend.id());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void flattenIsNhwcOrder(Backend backend) {
        // [2, 2, 2] flattened: index (y * 2 + x) * 2 + c. A one-hot dense row at 5 picks (y=1, x=0, c=1).
        float[] x = {0, 1, 2, 3, 4, 5, 6, 7};
        float[] w = new float[8];
        w[5] = 1;
        ModelBuilder b = new ModelBuilder("flat").input("x", -1, 2, 2, 2);
        String f = b.flatten("f", "x");
        b.output(f);
        b.output(b.dense("pick", f, 1, 8, w, null, Activation.NONE));
        ModelDef def = b.build();
        assertArrayEquals(new int[] {8}, def.shapeOf("f"));
        assertArrayEquals(x, run(def, backend, "f", x), 0f, backend.id());
        assertArrayEquals(new float[] {5}, run(def, backend, "pick", x), 0f, backend.id());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void reshapeWithMinusOneThenSoftmaxOverNewLastAxis(Backend backend) {
        // [2, 3] -> reshape(-1, 2) -> [3, 2]; softmax then runs over pairs, which shows the new shape is used.
        float ln3 = (float) Math.log(3);
        float[] x = {0, 0, 1, 1, 0, ln3};
        ModelBuilder b = new ModelBuilder("reshape").input("x", -1, 2, 3);
        String r = b.reshape("r", "x", -1, 2);
        b.output(r);
        b.output(b.softmax("s", r));
        ModelDef def = b.build();
        assertArrayEquals(new int[] {3, 2}, def.shapeOf("r"));
        assertArrayEquals(x, run(def, backend, "r", x), 0f, backend.id());
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 0.5f, 0.25f, 0.75f}, run(def, backend, "s", x), 1e-6f,
                backend.id());
    }

    // ---------------------------------------------------------------- activations

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void reluAndRelu6(Backend backend) {
        float[] x = {-1, 0, 2.5f, 6, 7.5f, -0f};
        ModelBuilder b = new ModelBuilder("act").input("x", -1, 6);
        b.output(b.relu("r", "x"));
        b.output(b.relu6("r6", "x"));
        ModelDef def = b.build();
        assertArrayEquals(new float[] {0, 0, 2.5f, 6, 7.5f, 0}, run(def, backend, "r", x), 0f, backend.id());
        assertArrayEquals(new float[] {0, 0, 2.5f, 6, 6, 0}, run(def, backend, "r6", x), 0f, backend.id());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void sigmoid(Backend backend) {
        float ln3 = (float) Math.log(3);
        float[] x = {0, ln3, -ln3, 100, -100};
        ModelBuilder b = new ModelBuilder("sig").input("x", -1, 5);
        b.output(b.sigmoid("s", "x"));
        // 1 / (1 + e^-ln3) = 3/4; 1 / (1 + 3) = 1/4; saturates to 1 and to ~3.7e-44.
        assertArrayEquals(new float[] {0.5f, 0.75f, 0.25f, 1f, 0f}, run(b.build(), backend, "s", x), 1e-6f,
                backend.id());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void softmaxPerRowAndStable(Backend backend) {
        // row 0: e^0 : e^ln2 : e^ln5 = 1 : 2 : 5, over 8. row 1: equal huge logits (naive exp overflows).
        float[] x = {0, (float) Math.log(2), (float) Math.log(5), 1000, 1000, 1000};
        ModelBuilder b = new ModelBuilder("sm").input("x", -1, 2, 3);
        b.output(b.softmax("s", "x"));
        float third = 1f / 3;
        assertArrayEquals(new float[] {0.125f, 0.25f, 0.625f, third, third, third}, run(b.build(), backend, "s", x),
                1e-6f, backend.id());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void hardSigmoidClampsALine(Backend backend) {
        // alpha 0.25, beta 0.5 (binary fractions: exact): -4 -> -0.5 -> 0; -2 -> 0; -1 -> 0.25;
        // 0 -> 0.5; 1 -> 0.75; 2 -> 1; 3 -> 1.25 -> 1.
        ModelBuilder b = new ModelBuilder("hs").input("x", -1, 7);
        b.output(b.hardSigmoid("h", "x", 0.25f, 0.5f));
        assertArrayEquals(new float[] {0, 0, 0.25f, 0.5f, 0.75f, 1, 1},
                run(b.build(), backend, "h", new float[] {-4, -2, -1, 0, 1, 2, 3}), 0f, backend.id());
        // ONNX's defaults alpha 0.2, beta 0.5: -3 -> 0, -1 -> 0.3, 0 -> 0.5, 1 -> 0.7, 2.5 -> 1
        ModelBuilder d = new ModelBuilder("hs").input("x", -1, 5);
        d.output(d.hardSigmoid("h", "x"));
        assertArrayEquals(new float[] {0, 0.3f, 0.5f, 0.7f, 1},
                run(d.build(), backend, "h", new float[] {-3, -1, 0, 1, 2.5f}), 1e-6f, backend.id());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void hardSwishIsXTimesAHardSigmoid(Backend backend) {
        // x (x / 6 + 1/2) clamped: -4 -> 0; -3 -> -3 x 0 = 0; -1.5 -> -1.5 x 0.25 = -0.375; 0 -> 0;
        // 1.5 -> 1.5 x 0.75 = 1.125; 3 -> 3 x 1 = 3; 4.5 -> 4.5.
        ModelBuilder b = new ModelBuilder("hw").input("x", -1, 7);
        b.output(b.hardSwish("h", "x"));
        assertArrayEquals(new float[] {0, 0, -0.375f, 0, 1.125f, 3, 4.5f},
                run(b.build(), backend, "h", new float[] {-4, -3, -1.5f, 0, 1.5f, 3, 4.5f}), 1e-6f, backend.id());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void everyOpIsCoveredByTheAllOpsModel(Backend backend) {
        EnumSet<OpType> since13 = EnumSet.range(OpType.HARD_SIGMOID, OpType.HARD_SWISH);
        // the ops of 1.4 (ONNX import, float32 only) have ONNX's node tests as their oracle:
        // compress's OnnxNodeConformanceTest runs every one of them on the reference and vector backends
        EnumSet<OpType> since14 = EnumSet.range(OpType.TRANSPOSE, OpType.CONV_TRANSPOSE);
        EnumSet<OpType> seen = EnumSet.noneOf(OpType.class);
        seen.addAll(TestModels.ops(TestModels.allOps(1)));
        EnumSet<OpType> expected = EnumSet.complementOf(EnumSet.of(OpType.QUANTIZE, OpType.DEQUANTIZE));
        expected.removeAll(since13);
        expected.removeAll(since14);
        assertEquals(expected, seen);
        ModelDef int8 = TestModels.allOpsInt8(1);
        seen.addAll(TestModels.ops(int8));
        seen.addAll(TestModels.ops(TestModels.since13Ops(1)));
        ModelDef int8Since13 = TestModels.since13OpsInt8(1);
        seen.addAll(TestModels.ops(int8Since13));
        assertEquals(EnumSet.complementOf(since14), seen, "with the int8 version of it and the ops since 1.3");
        for (OpType op : since13) {
            assertTrue(int8Since13.nodes().stream().anyMatch(n -> n.op() == op && int8Since13.typeOf(n.output()).isInt8()),
                    op + " runs in int8 in since13OpsInt8");
        }
        // and every node of them resolves on this backend (falling back where a kernel is missing)
        for (ModelDef def : new ModelDef[] {TestModels.allOps(1), int8, TestModels.since13Ops(1), int8Since13}) {
            TernModel m = TernModel.of(def, backend);
            assertEquals(backend, m.backend());
            m.kernelBackends().forEach((node, kb) -> assertTrue(kb.ordinal() <= backend.ordinal(),
                    node + " runs on " + kb + ", which is not " + backend + " or a fallback of it"));
        }
    }
}
