package dev.tern.compress.onnx;

import dev.tern.runtime.model.ModelDef;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The saturation of ONNX Runtime's u8 x s8 kernels on x86 CPUs without VNNI, shown on a probe
 * whose exact sum needs more than 16 bits per pair of products ({@link OrtArithmetic}), and
 * the two ways that are exact on every CPU: weights within [-64, 64], and the session option
 * {@code session.x64quantprecision = 1}. On a CPU with VNNI (or ARM) every form is exact; on
 * one without (scripts/x86-avx2-test runs these tests on an emulated AMD Zen 3), the default
 * session with 8-bit weights gives the saturated sum.
 */
class OrtArithmeticTest {
    private static final OnnxExporter.Options INT8 = OnnxExporter.Options.defaults();
    private static final OnnxExporter.Options UINT8 = OnnxExporter.Options.defaults().withUint8Activations(true);

    /** The verdict, printed; where the CPU is known (-Dtern.test.ortU8S8), the probe must find the same. */
    @Test
    void probeFindsWhatTheCpuIsKnownToDo() {
        OrtArithmetic.U8S8 v = OrtArithmetic.u8s8();
        System.out.println("ORT u8 x s8 on this CPU (os.arch " + System.getProperty("os.arch") + "): " + v + ". "
                + OrtArithmetic.describe());
        OrtArithmetic.U8S8 expected = OrtArithmetic.expected();
        if (expected != null) {
            assertEquals(expected, v, "-D" + OrtArithmetic.EXPECTED + " says " + expected + ", the probe found " + v);
        }
    }

    /** Tern's integer sums are exact on every backend and CPU: the probe's output is 250 steps for any w. */
    @Test
    void ternComputesTheExactSum() {
        for (int w : new int[] {1, 63, 64, 65, 127}) {
            float[] y = OrtRunner.tern(OrtArithmetic.probe(w), OrtArithmetic.probeInput(), 2).get("y");
            for (float v : y) {
                assertEquals(OrtArithmetic.exactOutput(w), v, 1e-3 * OrtArithmetic.exactOutput(w), "w = " + w);
            }
        }
        // the probe tells the two apart for every w beyond 64, and cannot for w <= 64
        assertNotEquals(OrtArithmetic.exactOutput(127), OrtArithmetic.saturatedOutput(127));
        assertNotEquals(OrtArithmetic.exactOutput(65), OrtArithmetic.saturatedOutput(65));
        assertEquals(OrtArithmetic.exactOutput(64), OrtArithmetic.saturatedOutput(64));
    }

    /**
     * Weights within [-64, 64] are exact in ORT's default session on every CPU (2 x 255 x 64 =
     * 32,640 fits 16 bits); that is why {@code tern quantize --weight-bits 7} writes [-63, 63].
     * Beyond 64, the default session gives the exact sum where the CPU has VNNI and the
     * saturated one where it has not.
     */
    @Test
    void weightsWithin64AreExactInADefaultSession() throws Exception {
        for (OnnxExporter.Options o : List.of(INT8, UINT8)) {
            for (int w : new int[] {1, 63, 64}) {
                assertProbe(w, Collections.emptyMap(), o, OrtArithmetic.exactOutput(w));
            }
            boolean exact = OrtArithmetic.u8s8() == OrtArithmetic.U8S8.EXACT;
            for (int w : new int[] {65, 127}) {
                assertProbe(w, Collections.emptyMap(), o, exact ? OrtArithmetic.exactOutput(w) : OrtArithmetic.saturatedOutput(w));
            }
        }
    }

    /** {@code session.x64quantprecision = 1}: ORT runs 8-bit weights as uint8 (u8 x u8 kernels), exact on every CPU. */
    @Test
    void precisionOptionIsExactForAnyWeight() throws Exception {
        Map<String, String> precise = Map.of(OrtArithmetic.X64_QUANT_PRECISION, "1");
        for (OnnxExporter.Options o : List.of(INT8, UINT8)) {
            for (int w : new int[] {63, 65, 127}) {
                assertProbe(w, precise, o, OrtArithmetic.exactOutput(w));
            }
        }
    }

    /**
     * With {@code session.qdqisint8allowed = 1} ORT fuses the int8 export (int8 activations) into
     * s8 x s8 kernels, which on x86 are plain int32 loops: exact on every CPU, 8-bit weights too.
     */
    @Test
    void int8FusionIsExactForAnyWeight() throws Exception {
        for (int w : new int[] {63, 65, 127}) {
            assertProbe(w, Map.of(OrtRunner.QDQ_IS_INT8_ALLOWED, "1"), INT8, OrtArithmetic.exactOutput(w));
        }
    }

    /** The exporter's list of layers at risk holds exactly the layers with weights beyond 64. */
    @Test
    void saturationRisksNameTheLayersBeyond64() {
        assertTrue(OnnxExporter.x86SaturationRisks(OrtArithmetic.probe(64)).isEmpty());
        List<OnnxExporter.SaturationRisk> r = OnnxExporter.x86SaturationRisks(OrtArithmetic.probe(65));
        assertEquals(1, r.size());
        assertEquals("fc", r.get(0).node);
        assertEquals(65, r.get(0).maxWeight);
        assertEquals(127, OnnxExporter.x86SaturationRisks(OrtArithmetic.probe(127)).get(0).maxWeight);
        ModelDef def = OrtArithmetic.probe(127);
        Map<String, String> config = OrtArithmetic.exactConfig(def);
        assertEquals(OrtArithmetic.u8s8() == OrtArithmetic.U8S8.EXACT ? Map.of() : Map.of(OrtArithmetic.X64_QUANT_PRECISION, "1"),
                config);
        assertEquals(Map.of(), OrtArithmetic.exactConfig(OrtArithmetic.probe(63)));
    }

    private static void assertProbe(int w, Map<String, String> config, OnnxExporter.Options o, float expected) throws Exception {
        float[] y = OrtArithmetic.probeOutput(w, config, o);
        for (float v : y) {
            assertEquals(expected, v, "w = " + w + ", session " + config + ", " + (o.uint8Activations() ? "uint8" : "int8")
                    + " activations (exact " + OrtArithmetic.exactOutput(w) + ", saturated " + OrtArithmetic.saturatedOutput(w) + ")");
        }
    }
}
