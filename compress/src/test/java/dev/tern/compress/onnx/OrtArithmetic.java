package dev.tern.compress.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.QuantParams;
import dev.tern.runtime.model.Tensor;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * What ONNX Runtime's integer kernels compute on the CPU the tests run on, found by running a
 * probe rather than by reading CPU flags (under emulation, /proc/cpuinfo shows the host).
 *
 * <p>ONNX Runtime (MLAS) multiplies uint8 activations by int8 weights (and int8 activations,
 * which its x86 build shifts to uint8 before fusing QDQ nodes) with {@code vpmaddubsw} on x86
 * CPUs without VNNI (AVX2 only: AMD Zen 2/3, Intel Haswell to Comet Lake; AVX-512 without VNNI:
 * Skylake-SP): that instruction adds the two products of inputs k and k+1 in a 16-bit lane
 * with saturation, so with |w| up to 127 a pair sum 2 x 255 x 127 = 64,770 is clipped to 32,767.
 * With VNNI ({@code vpdpbusd}, AVX512-VNNI or AVX-VNNI) and on ARM the sums are exact int32,
 * as in Tern. Two ways are exact on every CPU: weights within [-64, 64] (Tern's 7-bit weights,
 * ONNX Runtime's {@code reduce_range}), and the session option
 * {@code session.x64quantprecision = 1}, with which ONNX Runtime turns int8 weight
 * initializers beyond [-64, 64] into uint8 ones and runs its exact u8 x u8 kernels
 * ({@code vpmovzxbw} + {@code vpmaddwd}). docs/ONNX.md, "x86 CPUs without VNNI".
 *
 * <p>The probe is a dense layer of 4 inputs, all at uint8 255 (int8 127 with zero point
 * -128), weights all w (scale 1), and an output scale that puts the exact sum 4 x 255 x w at
 * 250 steps above the output zero point -128; with saturated pairs the sum is
 * 2 x min(32767, 2 x 255 x w), which lands elsewhere for every w above 64.
 *
 * <p>{@code -Dtern.test.ortU8S8=exact|saturating} states what the CPU is known to do (the
 * emulated-AVX2 run of scripts/x86-avx2-test sets {@code saturating}); {@link OrtArithmeticTest}
 * then fails if the probe finds otherwise, so an emulation that stopped emulating cannot pass
 * unnoticed.
 */
final class OrtArithmetic {
    /** ONNX Runtime's session option for exact int8 GEMMs on x86 CPUs without VNNI. */
    static final String X64_QUANT_PRECISION = "session.x64quantprecision";
    /** The system property naming what the CPU is known to do: exact or saturating. */
    static final String EXPECTED = "tern.test.ortU8S8";

    /** ORT's u8 x s8 arithmetic on this CPU. */
    enum U8S8 {
        /** int32 sums (VNNI, ARM): any int8 weights are computed as Tern computes them. */
        EXACT,
        /** pairs of products saturate at 16 bits (x86 without VNNI): exact only for |w| <= 64. */
        SATURATING
    }

    private static volatile U8S8 verdict;

    private OrtArithmetic() {
    }

    /** The verdict of the probe on this CPU (run once per JVM). */
    static U8S8 u8s8() {
        U8S8 v = verdict;
        if (v == null) {
            synchronized (OrtArithmetic.class) {
                if (verdict == null) {
                    verdict = runProbe();
                }
                v = verdict;
            }
        }
        return v;
    }

    /** What {@code -Dtern.test.ortU8S8} says, or null. */
    static U8S8 expected() {
        String s = System.getProperty(EXPECTED, "").trim();
        switch (s) {
            case "":
                return null;
            case "exact":
                return U8S8.EXACT;
            case "saturating":
                return U8S8.SATURATING;
            default:
                throw new IllegalArgumentException("-D" + EXPECTED + " is exact or saturating, got '" + s + "'");
        }
    }

    /**
     * Session options under which ORT computes {@code def} with exact integer sums on this CPU:
     * none where its u8 x s8 kernels are exact or the model's weights stay within [-64, 64]
     * ({@link OnnxExporter#x86SaturationRisks}); {@code session.x64quantprecision = 1} otherwise.
     */
    static Map<String, String> exactConfig(ModelDef def) {
        if (u8s8() == U8S8.EXACT || OnnxExporter.x86SaturationRisks(def).isEmpty()) {
            return Collections.emptyMap();
        }
        return Map.of(X64_QUANT_PRECISION, "1");
    }

    /** A short account for test output: the verdict and what the comparisons use. */
    static String describe() {
        return u8s8() == U8S8.EXACT
                ? "ONNX Runtime's u8 x s8 kernels are exact on this CPU (VNNI or ARM): default sessions throughout"
                : "ONNX Runtime's u8 x s8 kernels saturate 16-bit pair sums on this CPU (x86 without VNNI): models with "
                + "weights beyond +-64 run with " + X64_QUANT_PRECISION + "=1, 7-bit-weight models in default sessions";
    }

    private static U8S8 runProbe() {
        try {
            float[] got = probeOutput(127, Collections.emptyMap(), OnnxExporter.Options.defaults());
            float[] gotU8 = probeOutput(127, Collections.emptyMap(), OnnxExporter.Options.defaults().withUint8Activations(true));
            if (!Arrays.equals(got, gotU8)) {
                throw new IllegalStateException("ORT probe: int8 and uint8 activations disagree: " + Arrays.toString(got)
                        + " vs " + Arrays.toString(gotU8));
            }
            if (got[0] == exactOutput(127) && got[1] == exactOutput(127)) {
                return U8S8.EXACT;
            }
            if (got[0] == saturatedOutput(127) && got[1] == saturatedOutput(127)) {
                return U8S8.SATURATING;
            }
            throw new IllegalStateException("ORT probe: dense of 4 x (255 x 127) gave " + Arrays.toString(got)
                    + ", neither the exact " + exactOutput(127) + " nor the pair-saturated " + saturatedOutput(127));
        } catch (OrtException e) {
            throw new IllegalStateException("ORT probe failed", e);
        }
    }

    /** Output scale of {@link #probe}(w): the exact sum 4 x 255 x w is 250 steps. */
    static float outputScale(int w) {
        return 4 * 255 * w / 250f;
    }

    /** The probe's output with exact integer sums (Tern's): 250 steps of the output scale. */
    static float exactOutput(int w) {
        return 250 * outputScale(w);
    }

    /** The probe's output when each pair of products saturates at 32,767 (vpmaddubsw), rounded half to even as ORT does. */
    static float saturatedOutput(int w) {
        float s = outputScale(w);
        long sum = 2L * Math.min(32767, 2 * 255 * w);
        long q = Math.min(255, (long) Math.rint(sum / (double) s));
        return q * s;
    }

    /**
     * The probe model: input x [N, 4] quantized with scale 1 and zero point -128 (so the value
     * 255 is int8 127, uint8 255), a dense layer with weights all {@code w} (per tensor, scale
     * 1) and output scale {@link #outputScale}(w), zero point -128, dequantized as "y".
     */
    static ModelDef probe(int w) {
        ModelBuilder b = new ModelBuilder("ort-u8s8-probe").input("x", -1, 4);
        b.node(new Node("x/quantize", OpType.QUANTIZE, List.of("x"), "xq",
                Attributes.builder().put("scale", 1f).put("zero_point", -128).build()));
        byte[] weights = new byte[4];
        Arrays.fill(weights, (byte) w);
        String wt = b.constant(Tensor.ofInt8("fc/weights", new int[] {1, 4}, weights, QuantParams.perTensor(1f, 0)));
        b.node(new Node("fc", OpType.DENSE, List.of("xq", wt), "yq", Attributes.builder()
                .put("activation", Activation.NONE.id()).put("scale", outputScale(w)).put("zero_point", -128).build()));
        b.node(new Node("y/dequantize", OpType.DEQUANTIZE, List.of("yq"), "y", Attributes.EMPTY));
        b.output("y");
        return b.build();
    }

    /** The probe's input: 2 samples of 4 values 255. */
    static Map<String, float[]> probeInput() {
        float[] x = new float[8];
        Arrays.fill(x, 255f);
        return Map.of("x", x);
    }

    /** ORT's output of {@link #probe}(w) on {@link #probeInput}, in a session with {@code config}. */
    static float[] probeOutput(int w, Map<String, String> config, OnnxExporter.Options options) throws OrtException {
        ModelDef def = probe(w);
        try (OrtSession s = OrtRunner.session(OnnxExporter.toBytes(def, options), config, null)) {
            return OrtRunner.ort(s, def, probeInput(), 2).get("y");
        }
    }
}
