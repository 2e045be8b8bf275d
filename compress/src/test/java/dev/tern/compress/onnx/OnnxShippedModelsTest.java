package dev.tern.compress.onnx;

import ai.onnxruntime.OrtSession;
import dev.tern.compress.data.CanvasSet;
import dev.tern.compress.data.FashionMnist;
import dev.tern.compress.data.MultiFashion;
import dev.tern.compress.onnx.proto.Onnx.ModelProto;
import dev.tern.compress.quant.CalibrationMethod;
import dev.tern.compress.quant.Calibrator;
import dev.tern.compress.quant.Quantizer;
import dev.tern.compress.quant.Range;
import dev.tern.compress.quant.WeightScheme;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.ModelDef;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped Multi-Fashion teacher (models/multifashion/hard.tern) and its static int8
 * version (hard-int8.tern) exported and run in ONNX Runtime on real test canvases, in one
 * batch and one sample at a time, against Tern's runtime.
 */
class OnnxShippedModelsTest {
    static final int CANVASES = 32;
    static float[] canvases;

    @BeforeAll
    static void data() throws Exception {
        CanvasSet test = new MultiFashion(FashionMnist.load(OrtRunner.repo().resolve(FashionMnist.REPO_DIR))).test().subset(CANVASES);
        canvases = new float[CANVASES * MultiFashion.PIXELS];
        for (int i = 0; i < CANVASES; i++) {
            test.fill(i, canvases, i * MultiFashion.PIXELS);
        }
    }

    static ModelDef model(String file) throws Exception {
        return TernModel.load(OrtRunner.repo().resolve("models/multifashion").resolve(file)).def();
    }

    static Map<String, float[]> input(int from, int n) {
        Map<String, float[]> in = new LinkedHashMap<>();
        in.put("image", Arrays.copyOfRange(canvases, from * MultiFashion.PIXELS, (from + n) * MultiFashion.PIXELS));
        return in;
    }

    @Test
    void hardFloat32MatchesTern() throws Exception {
        ModelDef def = model("hard.tern");
        ModelProto m = OnnxExporter.export(def);
        assertEquals(List.of("left", "present", "right"), OnnxExporter.outputs(def));
        try (OrtSession s = OrtRunner.session(m.toByteArray())) {
            OrtRunner.Diff batch = OrtRunner.compare(def, OrtRunner.tern(def, input(0, CANVASES), CANVASES),
                    OrtRunner.ort(s, def, input(0, CANVASES), CANVASES));
            System.out.println("hard.tern float32 on " + CANVASES + " canvases (one batch): " + batch);
            batch.assertWithinOneQuantum("hard.tern batch " + CANVASES);
            for (int i = 0; i < 3; i++) {
                OrtRunner.compare(def, OrtRunner.tern(def, input(i, 1), 1), OrtRunner.ort(s, def, input(i, 1), 1))
                        .assertWithinOneQuantum("hard.tern canvas " + i + " alone");
            }
        }
    }

    /** The other shipped float32 models: soft parameter sharing, and the every-op 1.0 example. */
    @Test
    void otherShippedModelsMatchTern() throws Exception {
        for (Path file : List.of(OrtRunner.repo().resolve("models/multifashion/soft.tern"),
                OrtRunner.repo().resolve("models/examples/tiny-multitask.tern"))) {
            ModelDef def = TernModel.load(file).def();
            int n = 8;
            OrtRunner.Diff d = OrtRunner.check(def, input(0, n), n);
            System.out.println(file.getFileName() + " float32 on " + n + " canvases: " + d);
            d.assertWithinOneQuantum(file.toString());
        }
    }

    /** Node by node, each fed Tern's values of its inputs, every layer of hard-int8.tern is within one quantum. */
    @Test
    void hardInt8LayerByLayerWithinOneQuantum() throws Exception {
        int n = 8;
        LayerByLayer.compare(model("hard-int8.tern"), input(0, n), n).forEach((node, d) -> {
            System.out.println("hard-int8.tern node " + node + " alone on " + n + " canvases: " + d);
            d.assertWithinOneQuantum("hard-int8.tern node " + node + " alone");
        });
    }

    /**
     * hard.tern quantized with 7-bit weights ({@code tern quantize --weight-bits 7}: [-63, 63])
     * is exported and run in ORT's default session on every CPU, x86 without VNNI included
     * (no pair of u8 x s8 products leaves 16 bits): within the bounds of the 8-bit model
     * (hardInt8MatchesTernWithinQuanta), and all u8s8 integer kernels with uint8 activations.
     * Calibrated (min-max) on 64 test canvases after the 32 compared.
     */
    @Test
    void hardInt8With7BitWeightsMatchesTernInADefaultSession(@TempDir Path tmp) throws Exception {
        ModelDef fp32 = model("hard.tern");
        CanvasSet calib = new MultiFashion(FashionMnist.load(OrtRunner.repo().resolve(FashionMnist.REPO_DIR))).test()
                .subset(CANVASES + 64).slice(CANVASES, 64);
        Map<String, Range> ranges = Calibrator.ranges(fp32, Calibrator.collect(fp32, new Calibrator.Samples() {
            public int size() {
                return calib.size();
            }

            public void fill(int i, float[] dst, int off) {
                calib.fill(i, dst, off);
            }
        }, false, false), CalibrationMethod.MINMAX);
        ModelDef def = Quantizer.quantize(fp32, ranges, Collections.emptySet(), WeightScheme.of(false, 7));
        assertTrue(OnnxExporter.x86SaturationRisks(def).isEmpty(), OnnxExporter.x86SaturationRisks(def).toString());
        assertFalse(OnnxExporter.x86SaturationRisks(model("hard-int8.tern")).isEmpty());
        Map<String, float[]> tern = OrtRunner.tern(def, input(0, CANVASES), CANVASES);
        for (OnnxExporter.Options options : List.of(OnnxExporter.Options.defaults(),
                OnnxExporter.Options.defaults().withUint8Activations(true))) {
            Path optimized = tmp.resolve("optimized-" + options.uint8Activations() + ".onnx");
            Map<String, float[]> ort;
            try (OrtSession s = OrtRunner.session(OnnxExporter.toBytes(def, options), Collections.emptyMap(), optimized)) {
                ort = OrtRunner.ort(s, def, input(0, CANVASES), CANVASES);
            }
            OrtRunner.Diff d = OrtRunner.compare(def, tern, ort);
            Map<String, Integer> ops = OrtRunner.ops(optimized);
            System.out.println("hard.tern, 7-bit weights, " + (options.uint8Activations() ? "uint8" : "int8") + " activations, on "
                    + CANVASES + " canvases, ORT default session (" + OrtArithmetic.u8s8() + " u8s8 here): " + d
                    + "; ORT ran " + ops);
            for (String o : List.of("left", "present", "right")) {
                assertTrue(d.get(o).maxQuanta <= 3, o + ": " + d.get(o));
                OrtRunner.assertShare(0.97, d.get(o).shareWithinOneQuantum(), o + " logits within one quantum");
            }
            OrtRunner.assertShare(0.9, OrtRunner.argmaxAgreement(tern.get("left"), ort.get("left"), 10), "left argmax agreement");
            OrtRunner.assertShare(0.9, OrtRunner.argmaxAgreement(tern.get("right"), ort.get("right"), 10), "right argmax agreement");
            if (options.uint8Activations()) {
                assertEquals(4, ops.getOrDefault("com.microsoft:QLinearConv", 0), ops.toString());
                assertEquals(4, ops.getOrDefault("com.microsoft:QGemm", 0), ops.toString());
            }
        }
    }

    /**
     * Through four int8 convolutions and two int8 dense layers, the one-quantum rounding
     * differences of each layer (Tern's TFLite fixed-point requantization vs ONNX Runtime's
     * float requantization) propagate to the logits: measured on the shipped model, at most
     * 2 quanta and over 99% of the logits within one quantum; the predicted classes agree.
     */
    @Test
    void hardInt8MatchesTernWithinQuanta(@TempDir Path tmp) throws Exception {
        ModelDef def = model("hard-int8.tern");
        ModelProto m = OnnxExporter.export(def);
        for (boolean fusion : new boolean[] {false, true}) {
            Path optimized = tmp.resolve("optimized-" + fusion + ".onnx");
            OrtRunner.Diff d;
            Map<String, float[]> tern = OrtRunner.tern(def, input(0, CANVASES), CANVASES);
            Map<String, float[]> ort;
            try (OrtSession s = OrtRunner.session(m.toByteArray(), OrtRunner.exactConfig(def, fusion), optimized)) {
                ort = OrtRunner.ort(s, def, input(0, CANVASES), CANVASES);
                d = OrtRunner.compare(def, tern, ort);
                for (int i = 0; i < 2; i++) {
                    OrtRunner.Diff one = OrtRunner.compare(def, OrtRunner.tern(def, input(i, 1), 1), OrtRunner.ort(s, def, input(i, 1), 1));
                    for (String o : one.outputs.keySet()) {
                        assertTrue(one.get(o).maxQuanta <= 2, "canvas " + i + " alone, " + o + ": " + one.get(o));
                    }
                }
            }
            if (!fusion && !OrtRunner.exactConfig(def, false).isEmpty()) {
                // Not asserted, reported: what ORT's default session computes where its u8 x s8 kernels saturate.
                try (OrtSession s = OrtRunner.session(m.toByteArray())) {
                    Map<String, float[]> sat = OrtRunner.ort(s, def, input(0, CANVASES), CANVASES);
                    System.out.println("hard-int8.tern on " + CANVASES + " canvases, ORT default session on this CPU, whose u8 x s8 "
                            + "kernels saturate: " + OrtRunner.compare(def, tern, sat) + "; left/right argmax agreement "
                            + OrtRunner.argmaxAgreement(tern.get("left"), sat.get("left"), 10) + "/"
                            + OrtRunner.argmaxAgreement(tern.get("right"), sat.get("right"), 10));
                }
            }
            Map<String, Integer> ops = OrtRunner.ops(optimized);
            System.out.println("hard-int8.tern on " + CANVASES + " canvases, ORT " + (fusion ? "with" : "without")
                    + " session.qdqisint8allowed: " + d + "; left/right argmax agreement "
                    + OrtRunner.argmaxAgreement(tern.get("left"), ort.get("left"), 10) + "/"
                    + OrtRunner.argmaxAgreement(tern.get("right"), ort.get("right"), 10) + "; ORT ran " + ops);
            for (String o : List.of("left", "present", "right")) {
                assertTrue(d.get(o).quantum > 0, o + " is an int8 value");
                assertTrue(d.get(o).maxQuanta <= 3, o + ": " + d.get(o));
                OrtRunner.assertShare(0.97, d.get(o).shareWithinOneQuantum(), o + " logits within one quantum");
            }
            OrtRunner.assertShare(0.9, OrtRunner.argmaxAgreement(tern.get("left"), ort.get("left"), 10), "left argmax agreement");
            OrtRunner.assertShare(0.9, OrtRunner.argmaxAgreement(tern.get("right"), ort.get("right"), 10), "right argmax agreement");
            if (fusion) {
                // ORT runs the whole QDQ graph as int8 kernels: no float convolution or Gemm is left.
                assertEquals(4, ops.getOrDefault("com.microsoft:QLinearConv", 0), ops.toString());
                assertEquals(4, ops.getOrDefault("com.microsoft:QGemm", 0), ops.toString());
                assertFalse(ops.containsKey("Conv") || ops.containsKey("Gemm"), ops.toString());
            }
        }
    }
}
