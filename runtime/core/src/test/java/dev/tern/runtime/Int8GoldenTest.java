package dev.tern.runtime;

import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.QuantParams;
import dev.tern.runtime.model.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Int8 ops against values computed by hand (the arithmetic is in the comments), on every
 * backend. Each model is quantize -> op -> dequantize with binary-fraction scales, so the
 * dequantized outputs are exact. The cases pin the rounding rules of the scheme: ties of the
 * fixed-point multiply go toward +infinity, ties of the rounding shift and of quantize and
 * average pooling go away from zero; saturation at -128 and 127; padding adds the real 0.
 */
class Int8GoldenTest {
    static Iterable<Backend> backends() {
        return TestModels.backends();
    }

    private static Attributes q(float scale, int zeroPoint) {
        return Attributes.builder().put("scale", scale).put("zero_point", zeroPoint).build();
    }

    private static List<String> in(String... names) {
        return new ArrayList<>(Arrays.asList(names));
    }

    /** x (float, shape) -> quantize(scale, zp) -> "xq". */
    private static ModelBuilder quantized(String x, float scale, int zp, int... shape) {
        int[] full = new int[shape.length + 1];
        full[0] = -1;
        System.arraycopy(shape, 0, full, 1, shape.length);
        ModelBuilder b = new ModelBuilder("golden").input(x, full);
        b.node(new Node(x + "_quantize", OpType.QUANTIZE, in(x), x + "q", q(scale, zp)));
        return b;
    }

    private static float[] run(ModelBuilder b, String int8Value, Backend backend, Map<String, float[]> inputs) {
        b.node(new Node("out_dequantize", OpType.DEQUANTIZE, in(int8Value), "out", Attributes.EMPTY));
        b.output("out");
        TernModel m = TernModel.of(b.build(), backend);
        try (Session s = m.newSession()) {
            s.run(inputs, m.allTasks());
            return s.output("out", 0);
        }
    }

    private static Map<String, float[]> one(String name, float... x) {
        Map<String, float[]> m = new LinkedHashMap<>();
        m.put(name, x);
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void quantizeRoundsHalfAwayFromZeroAndSaturates(Backend backend) {
        // scale 0.5, zp -10: 0.25 -> 0.5 -> 1 -> -9; -0.25 -> -1 -> -11; 100 -> 200 - 10 -> 127;
        // -100 -> -210 -> -128; 0.75 -> 1.5 -> 2 -> -8; dequantized 0.5 * (q + 10).
        ModelBuilder b = quantized("x", 0.5f, -10, 5);
        float[] y = run(b, "xq", backend, one("x", 0.25f, -0.25f, 100f, -100f, 0.75f));
        assertArrayEquals(new float[] {0.5f, -0.5f, 68.5f, -59f, 1f}, y);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void denseRequantizesPerChannelWithFixedPointRounding(Backend backend) {
        // x scale 1, zp 0: q = [3, -2, 1]. Weights int8 [[1, 2, 3], [-1, 0, 2], [-1, 0, 0]],
        // scales [0.5, 0.25, 0.5]; bias int32 [1, -3, 0] (scales 1 * w scale). Output scale 1, zp 10.
        // acc0 = 1 + 3 - 4 + 3 = 3, M0 = 0.5: 1.5 -> 2 (tie toward +inf)   -> q 12 -> 2
        // acc1 = -3 - 3 + 0 + 2 = -4, M1 = 0.25: -1                         -> q 9  -> -1
        // acc2 = -3, M2 = 0.5: -1.5 -> -1 (tie toward +inf in the high multiply) -> q 9 -> -1
        for (Activation act : new Activation[] {Activation.NONE, Activation.RELU}) {
            ModelBuilder b = quantized("x", 1f, 0, 3);
            float[] ws = {0.5f, 0.25f, 0.5f};
            b.constant(Tensor.ofInt8("w", new int[] {3, 3}, new byte[] {1, 2, 3, -1, 0, 2, -1, 0, 0},
                    new QuantParams(ws, new int[3], 0)));
            b.constant(Tensor.ofInt32("b", new int[] {3}, new int[] {1, -3, 0}, new QuantParams(ws, new int[3], 0)));
            Attributes a = Attributes.builder().putAll(q(1f, 10)).put("activation", act.id()).build();
            b.node(new Node("dense", OpType.DENSE, in("xq", "w", "b"), "yq", a));
            float[] y = run(b, "yq", backend, one("x", 3f, -2f, 1f));
            float[] expected = act == Activation.RELU ? new float[] {2f, 0f, 0f} : new float[] {2f, -1f, -1f};
            assertArrayEquals(expected, y, act.id());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void convPaddingAddsTheRealZeroNotTheZeroPoint(Backend backend) {
        // x [1, 2, 1] real [1, 2], scale 1, zp 5 -> q [6, 7]; filter 1x3 of ones (scale 1), SAME:
        // out[0] = pad + 1 + 2 = 3, out[1] = 1 + 2 + pad = 3 (a padding cell read as q = 0 would add -5).
        ModelBuilder b = quantized("x", 1f, 5, 1, 2, 1);
        b.constant(Tensor.ofInt8("f", new int[] {1, 1, 3, 1}, new byte[] {1, 1, 1}, QuantParams.perTensor(1f, 0)));
        Attributes a = Attributes.builder().putAll(q(1f, 0)).put("padding", "same").build();
        b.node(new Node("conv", OpType.CONV2D, in("xq", "f"), "yq", a));
        assertArrayEquals(new float[] {3f, 3f}, run(b, "yq", backend, one("x", 1f, 2f)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void depthwiseWithMultiplier(Backend backend) {
        // x [1, 1, 2] q [2, -3] (scale 1); 1x1 filter, multiplier 2: out channel c*2+j reads input c.
        // weights [1, -1, 2, 3], scale 1; out = [2, -2, -6, -9].
        ModelBuilder b = quantized("x", 1f, 0, 1, 1, 2);
        b.constant(Tensor.ofInt8("f", new int[] {1, 1, 4}, new byte[] {1, -1, 2, 3}, new QuantParams(
                new float[] {1f, 1f, 1f, 1f}, new int[4], 2)));
        Attributes a = Attributes.builder().putAll(q(1f, 0)).put("multiplier", 2).build();
        b.node(new Node("dw", OpType.DEPTHWISE_CONV2D, in("xq", "f"), "yq", a));
        assertArrayEquals(new float[] {2f, -2f, -6f, -9f}, run(b, "yq", backend, one("x", 2f, -3f)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void averagePoolRoundsHalfAwayFromZero(Backend backend) {
        // windows 1x2 stride 2 over [1,2 | -1,-2 | -1,2 | -3,2]: sums 3, -3, 1, -1 over 2 cells:
        // 1.5 -> 2, -1.5 -> -2, 0.5 -> 1, -0.5 -> -1.
        ModelBuilder b = quantized("x", 1f, 0, 1, 8, 1);
        Attributes a = Attributes.builder().put("window", new int[] {1, 2}).put("strides", new int[] {1, 2}).build();
        b.node(new Node("ap", OpType.AVG_POOL, in("xq"), "yq", a));
        assertArrayEquals(new float[] {2f, -2f, 1f, -1f},
                run(b, "yq", backend, one("x", 1, 2, -1, -2, -1, 2, -3, 2)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void globalAverageAndMaxPoolKeepTheInputQuantization(Backend backend) {
        // x [1, 3, 2] scale 0.5 zp 4: channel 0 q [5, 6, 8] (real 0.5, 1, 2), channel 1 q [4, 4, 5].
        // avg: (19 + 1) / 3 = 6 -> real 1; (13 + 1) / 3 = 4 -> real 0.  max: 8 -> 2, 5 -> 0.5.
        ModelBuilder b = quantized("x", 0.5f, 4, 1, 3, 2);
        b.node(new Node("gap", OpType.GLOBAL_AVG_POOL, in("xq"), "yq", Attributes.EMPTY));
        assertArrayEquals(new float[] {1f, 0f}, run(b, "yq", backend, one("x", 0.5f, 0f, 1f, 0f, 2f, 0.5f)));
        ModelBuilder b2 = quantized("x", 0.5f, 4, 1, 3, 2);
        b2.node(new Node("gmp", OpType.GLOBAL_MAX_POOL, in("xq"), "yq", Attributes.EMPTY));
        assertArrayEquals(new float[] {2f, 0.5f}, run(b2, "yq", backend, one("x", 0.5f, 0f, 1f, 0f, 2f, 0.5f)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void addRescalesBothInputsLikeTflite(Backend backend) {
        // x scale 0.5 q [2, -3] (real 1, -1.5); y scale 0.25 q [1, 3] (real 0.25, 0.75); out scale 0.5:
        // sums 1.25, -0.75 are 2.5 and -1.5 output steps; the rounding shift takes ties away from zero:
        // 3 and -2 -> real 1.5 and -1.
        Map<String, float[]> ins = new LinkedHashMap<>();
        ins.put("x", new float[] {1f, -1.5f});
        ins.put("y", new float[] {0.25f, 0.75f});
        ModelBuilder b = quantized("x", 0.5f, 0, 2);
        b.input("y", -1, 2);
        b.node(new Node("y_quantize", OpType.QUANTIZE, in("y"), "yq", q(0.25f, 0)));
        b.node(new Node("add", OpType.ADD, in("xq", "yq"), "sq", q(0.5f, 0)));
        assertArrayEquals(new float[] {1.5f, -1f}, run(b, "sq", backend, ins));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void concatRescalesInputsOfOtherScales(Backend backend) {
        // x scale 1 q [3, -3]; y scale 0.5 q [5]; out scale 2 zp 1: 3 / 2 = 1.5 -> 2 -> q 3;
        // -1.5 -> -2 -> q -1; 5 * 0.5 / 2 = 1.25 -> 1 -> q 2. Dequantized 2 * (q - 1): 4, -4, 2.
        Map<String, float[]> ins = new LinkedHashMap<>();
        ins.put("x", new float[] {3f, -3f});
        ins.put("y", new float[] {2.5f});
        ModelBuilder b = quantized("x", 1f, 0, 2);
        b.input("y", -1, 1);
        b.node(new Node("y_quantize", OpType.QUANTIZE, in("y"), "yq", q(0.5f, 0)));
        b.node(new Node("cat", OpType.CONCAT, in("xq", "yq"), "cq", Attributes.builder().putAll(q(2f, 1)).put("axis", 0).build()));
        assertArrayEquals(new float[] {4f, -4f, 2f}, run(b, "cq", backend, ins));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void hardSigmoidRequantizesToItsOwnScale(Backend backend) {
        // x scale 1/16 zp 0: [-4, -2, -0.5, 0, 0.5, 2, 4] -> q [-64, -32, -8, 0, 8, 32, 64]. Alpha
        // 0.25, beta 0.5: y [0, 0, 0.375, 0.5, 0.625, 1, 1]; output scale 1/256, zp -128:
        // q = y * 256 - 128 = [-128, -128, -32, 0, 32, 128 -> 127, 127] -> real (q + 128) / 256.
        ModelBuilder b = quantized("x", 1f / 16, 0, 7);
        b.node(new Node("hs", OpType.HARD_SIGMOID, in("xq"), "yq", Attributes.builder().putAll(q(1f / 256, -128))
                .put("alpha", 0.25f).put("beta", 0.5f).build()));
        assertArrayEquals(new float[] {0f, 0f, 0.375f, 0.5f, 0.625f, 255f / 256, 255f / 256},
                run(b, "yq", backend, one("x", -4f, -2f, -0.5f, 0f, 0.5f, 2f, 4f)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void hardSwishRequantizesToItsOwnScale(Backend backend) {
        // x scale 1/8 zp 0: [-4, -3, -1.5, 0, 1.5, 3, 4.5] -> q [-32, -24, -12, 0, 12, 24, 36].
        // y = x clamp(x / 6 + 1/2): [0, 0, -0.375, 0, 1.125, 3, 4.5]; output scale 1/16, zp -8:
        // q = 16 y - 8 = [-8, -8, -14, -8, 10, 40, 64] -> real (q + 8) / 16, y again.
        ModelBuilder b = quantized("x", 1f / 8, 0, 7);
        b.node(new Node("hw", OpType.HARD_SWISH, in("xq"), "yq", q(1f / 16, -8)));
        assertArrayEquals(new float[] {0f, 0f, -0.375f, 0f, 1.125f, 3f, 4.5f},
                run(b, "yq", backend, one("x", -4f, -3f, -1.5f, 0f, 1.5f, 3f, 4.5f)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void relu6ClampsAtTheQuantizedBounds(Backend backend) {
        // scale 0.25 zp -100: x [-1, 3, 7.5] -> q [-104, -88, -70]; bounds [zp, zp + 6 / 0.25] = [-100, -76]
        // -> [-100, -88, -76] -> real [0, 3, 6].
        ModelBuilder b = quantized("x", 0.25f, -100, 3);
        b.node(new Node("r6", OpType.RELU6, in("xq"), "yq", Attributes.EMPTY));
        assertArrayEquals(new float[] {0f, 3f, 6f}, run(b, "yq", backend, one("x", -1f, 3f, 7.5f)));
    }
}
