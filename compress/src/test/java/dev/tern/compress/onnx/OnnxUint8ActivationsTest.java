package dev.tern.compress.onnx;

import ai.onnxruntime.OrtSession;
import dev.tern.compress.onnx.proto.Onnx.ModelProto;
import dev.tern.compress.onnx.proto.Onnx.NodeProto;
import dev.tern.compress.onnx.proto.Onnx.TensorProto;
import dev.tern.compress.onnx.proto.Onnx.ValueInfoProto;
import dev.tern.compress.quant.Quantizer;
import dev.tern.compress.quant.WeightScheme;
import dev.tern.runtime.Int8Cases;
import dev.tern.runtime.OpCases;
import dev.tern.runtime.TestModels;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.OpType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code Options.withUint8Activations(true)}: int8 activations written as uint8 (zero point
 * + 128, same scale), int8 weights, int32 biases. The graph is the int8 export with only the
 * activation zero points changed; in ONNX Runtime it gives the int8 export's results within
 * the same bounds of Tern, and ORT's x86 build fuses it into integer kernels by default.
 */
class OnnxUint8ActivationsTest {
    static final OnnxExporter.Options UINT8 = OnnxExporter.Options.defaults().withUint8Activations(true);

    @Test
    void options() {
        OnnxExporter.Options d = OnnxExporter.Options.defaults();
        assertFalse(d.uint8Activations());
        assertTrue(UINT8.uint8Activations());
        assertFalse(d.uint8Activations(), "immutable");
        assertSame(d, d.withUint8Activations(false));
        assertEquals(d, UINT8.withUint8Activations(false));
        assertNotEquals(d, UINT8);
        // the one-argument methods are the defaults: int8 activations
        ModelDef def = OnnxOpsTest.golden("all-ops-int8-1.1.tern");
        assertArrayEquals(OnnxExporter.toBytes(def, d), OnnxExporter.toBytes(def));
        assertEquals(OnnxExporter.export(def, d), OnnxExporter.export(def));
    }

    /**
     * The uint8 graph is the int8 graph node for node; the only initializers that differ are
     * the activation zero points, int8 z -> uint8 z + 128. Weights (int8, zero point 0), int32
     * biases, scales and the float32 inputs and outputs are the same.
     */
    @Test
    void onlyActivationZeroPointsChange() throws Exception {
        for (ModelDef def : List.of(OnnxOpsTest.golden("all-ops-int8-1.1.tern"), TestModels.allOpsInt8(2024),
                OnnxShippedModelsTest.model("hard-int8.tern"))) {
            ModelProto s8 = OnnxExporter.export(def);
            ModelProto u8 = OnnxExporter.export(def, UINT8);
            assertEquals(s8.getGraph().getNodeList(), u8.getGraph().getNodeList(), def.name());
            assertEquals(s8.getGraph().getInputList(), u8.getGraph().getInputList());
            assertEquals(s8.getGraph().getOutputList(), u8.getGraph().getOutputList());
            for (ValueInfoProto v : u8.getGraph().getOutputList()) {
                assertEquals(OnnxGraph.FLOAT, v.getType().getTensorType().getElemType(), v.getName());
            }
            assertEquals(s8.getGraph().getInitializerCount(), u8.getGraph().getInitializerCount());
            Map<String, Integer> activationZeroPoints = activationZeroPoints(u8);
            assertTrue(activationZeroPoints.size() >= 2, def.name() + ": " + activationZeroPoints);
            int changed = 0;
            for (int i = 0; i < s8.getGraph().getInitializerCount(); i++) {
                TensorProto a = s8.getGraph().getInitializer(i);
                TensorProto b = u8.getGraph().getInitializer(i);
                assertEquals(a.getName(), b.getName());
                if (activationZeroPoints.containsKey(b.getName())) {
                    assertEquals(OnnxGraph.INT8, a.getDataType(), a.getName());
                    assertEquals(OnnxGraph.UINT8, b.getDataType(), b.getName());
                    assertEquals(0, a.getDimsCount());
                    assertEquals(0, b.getDimsCount());
                    int z8 = a.getRawData().byteAt(0);
                    int zu8 = b.getRawData().byteAt(0) & 0xff;
                    assertEquals(z8 + 128, zu8, b.getName());
                    changed++;
                } else {
                    assertEquals(a, b, a.getName());
                    assertNotEquals(OnnxGraph.UINT8, b.getDataType(), b.getName());
                }
            }
            assertEquals(activationZeroPoints.size(), changed);
            assertTrue(u8.getDocString().contains("uint8"), u8.getDocString());
        }
    }

    /** Zero-point initializers of QuantizeLinear/DequantizeLinear nodes on activations (not on weights or biases). */
    private static Map<String, Integer> activationZeroPoints(ModelProto m) {
        Map<String, TensorProto> init = new HashMap<>();
        m.getGraph().getInitializerList().forEach(t -> init.put(t.getName(), t));
        Map<String, Integer> out = new HashMap<>();
        for (NodeProto n : m.getGraph().getNodeList()) {
            boolean q = n.getOpType().equals("QuantizeLinear");
            if (!q && !n.getOpType().equals("DequantizeLinear")) {
                continue;
            }
            assertEquals(3, n.getInputCount(), n.getName());
            if (!q && init.containsKey(n.getInput(0))) {
                // a weight or bias: int8 / int32 with zero point 0
                int t = init.get(n.getInput(0)).getDataType();
                assertTrue(t == OnnxGraph.INT8 || t == OnnxGraph.INT32, n.getName());
                assertEquals(t, init.get(n.getInput(2)).getDataType(), n.getName());
                continue;
            }
            out.put(n.getInput(2), init.get(n.getInput(2)).getDataType());
        }
        return out;
    }

    /** Float32 and weight-only int8 models have no int8 activations: the option changes nothing. */
    @Test
    void noEffectWithoutInt8Activations() {
        ModelDef f = OnnxOpsTest.golden("all-ops-1.0.tern");
        ModelDef w = Quantizer.weightOnly(f, WeightScheme.DEFAULT);
        for (ModelDef def : List.of(f, w)) {
            assertFalse(OnnxExporter.hasInt8Activations(def));
            assertArrayEquals(OnnxExporter.toBytes(def), OnnxExporter.toBytes(def, UINT8), def.name());
        }
        assertTrue(OnnxExporter.hasInt8Activations(OnnxOpsTest.golden("all-ops-int8-1.1.tern")));
    }

    /** Every int8 op (Int8Cases, quantize and dequantize included) exported with uint8 activations: within one quantum of Tern. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(OpType.class)
    void int8OpWithinOneQuantum(OpType op) throws Exception {
        int n = 0;
        for (int size : new int[] {1, 9, 33}) {
            List<OpCases.Case> cases = Int8Cases.cases(op, size, 8000 + size);
            if (cases == null) {
                assertTrue(op == OpType.SIGMOID || op == OpType.SOFTMAX || op.code() >= OpType.TRANSPOSE.code(), op + " has no int8 cases");
                return;
            }
            for (OpCases.Case c : cases) {
                ModelDef def = c.model.apply(false);
                OrtRunner.check(def, c.inputs, c.batch, UINT8).assertWithinOneQuantum(c.description + ", uint8 activations");
                n++;
            }
        }
        assertTrue(n >= 3, "cases run: " + n);
    }

    /**
     * all-ops-int8-1.1.tern with uint8 activations: node by node within one quantum of Tern,
     * end to end within the int8 export's bounds (OnnxOpsTest.goldenAllOpsInt8), and its
     * outputs against the int8 export's in ORT.
     */
    @Test
    void goldenAllOpsInt8(@TempDir Path tmp) throws Exception {
        ModelDef file = OnnxOpsTest.golden("all-ops-int8-1.1.tern");
        int batch = 32;
        Map<String, float[]> in = OnnxOpsTest.input(file, batch, 12);
        LayerByLayer.compare(file, in, batch, UINT8).forEach((node, d) -> d.assertWithinOneQuantum("uint8, node " + node + " alone"));

        List<String> outs = new ArrayList<>(file.outputs());
        outs.add("left_fc");
        outs.add("r_relu6");
        ModelDef def = new ModelDef(file.name(), file.inputs(), new ArrayList<>(file.tensors().values()), file.nodes(),
                file.tasks(), outs, file.provenance());
        Map<String, float[]> tern = OrtRunner.tern(def, in, batch);
        Map<String, float[]> s8;
        Map<String, float[]> s8Fused;
        try (OrtSession s = OrtRunner.exactSession(def, OnnxExporter.toBytes(def))) {
            s8 = OrtRunner.ort(s, def, in, batch);
        }
        try (OrtSession s = OrtRunner.session(OnnxExporter.toBytes(def), OrtRunner.exactConfig(def, true), null)) {
            s8Fused = OrtRunner.ort(s, def, in, batch);
        }
        Path optimized = tmp.resolve("u8.onnx");
        Map<String, float[]> u8;
        try (OrtSession s = OrtRunner.session(OnnxExporter.toBytes(def, UINT8), OrtRunner.exactConfig(def, false), optimized)) {
            u8 = OrtRunner.ort(s, def, in, batch);
        }
        OrtRunner.Diff d = OrtRunner.compare(def, tern, u8);
        OrtRunner.Diff vsInt8 = OrtRunner.compare(def, s8, u8);
        OrtRunner.Diff vsInt8Fused = OrtRunner.compare(def, s8Fused, u8);
        Map<String, Integer> ops = OrtRunner.ops(optimized);
        System.out.println("all-ops-int8-1.1.tern uint8 activations end to end, batch " + batch + ": " + d
                + "; against the int8 export: " + vsInt8 + "; against the int8 export with session.qdqisint8allowed: "
                + vsInt8Fused + "; ORT ran " + ops);
        assertTrue(d.get("left_fc").maxQuanta <= 2, "left_fc: " + d.get("left_fc"));
        assertTrue(d.get("cat2").maxQuanta <= 6, "cat2: " + d.get("cat2"));
        assertTrue(d.get("r_relu6").maxQuanta <= 16, "r_relu6: " + d.get("r_relu6"));
        OrtRunner.assertShare(0.9, d.get("left_fc").shareWithinOneQuantum(), "left_fc within one quantum");
        OrtRunner.assertShare(0.9, d.get("cat2").shareWithinOneQuantum(), "cat2 within one quantum");
        // ORT's default options fuse the uint8 graph's convolutions, dense layers, add, pools and concat
        assertEquals(2, ops.getOrDefault("com.microsoft:QLinearConv", 0), ops.toString());
        assertEquals(4, ops.getOrDefault("com.microsoft:QGemm", 0), ops.toString());
        assertFalse(ops.containsKey("Conv") || ops.containsKey("Gemm"), ops.toString());
    }

    /** Int8 values in NCHW and NHWC, transposed, concatenated, pooled and as graph outputs (OnnxOpsTest.mixedLayoutsMatchTern), as uint8. */
    @Test
    void mixedLayouts() throws Exception {
        ModelDef q = OnnxOpsTest.layoutsModelInt8();
        int batch = 3;
        Map<String, float[]> in = OnnxOpsTest.input(q, batch, 5);
        LayerByLayer.compare(q, in, batch, UINT8).forEach((node, x) -> x.assertWithinOneQuantum("layouts uint8, node " + node + " alone"));
        OrtRunner.Diff d = OrtRunner.check(q, in, batch, UINT8);
        System.out.println("layouts int8 model, uint8 activations, end to end: " + d);
        d.outputs.forEach((o, x) -> assertTrue(x.maxQuanta <= 3, o + ": " + x));
    }

    /**
     * hard-int8.tern with uint8 activations on real canvases: within the int8 export's bounds
     * of Tern (OnnxShippedModelsTest.hardInt8MatchesTernWithinQuanta), and with ORT's default
     * session options fused into integer kernels: no float Conv or Gemm left.
     */
    @Test
    void hardInt8FusedByDefault(@TempDir Path tmp) throws Exception {
        OnnxShippedModelsTest.data();
        ModelDef def = OnnxShippedModelsTest.model("hard-int8.tern");
        int n = OnnxShippedModelsTest.CANVASES;
        Map<String, float[]> input = OnnxShippedModelsTest.input(0, n);
        Map<String, float[]> tern = OrtRunner.tern(def, input, n);
        Map<String, float[]> s8;
        try (OrtSession s = OrtRunner.session(OnnxExporter.toBytes(def), OrtRunner.exactConfig(def, true), null)) {
            s8 = OrtRunner.ort(s, def, input, n); // the int8 export, fused with session.qdqisint8allowed
        }
        Path optimized = tmp.resolve("u8.onnx");
        Map<String, float[]> u8;
        try (OrtSession s = OrtRunner.session(OnnxExporter.toBytes(def, UINT8), OrtRunner.exactConfig(def, false), optimized)) {
            u8 = OrtRunner.ort(s, def, input, n);
            for (int i = 0; i < 2; i++) {
                OrtRunner.Diff one = OrtRunner.compare(def, OrtRunner.tern(def, OnnxShippedModelsTest.input(i, 1), 1),
                        OrtRunner.ort(s, def, OnnxShippedModelsTest.input(i, 1), 1));
                for (String o : one.outputs.keySet()) {
                    assertTrue(one.get(o).maxQuanta <= 2, "canvas " + i + " alone, " + o + ": " + one.get(o));
                }
            }
        }
        OrtRunner.Diff d = OrtRunner.compare(def, tern, u8);
        OrtRunner.Diff vsInt8 = OrtRunner.compare(def, s8, u8);
        Map<String, Integer> ops = OrtRunner.ops(optimized);
        System.out.println("hard-int8.tern uint8 activations on " + n + " canvases, default ORT options: " + d
                + "; against the int8 export (qdqisint8allowed): " + vsInt8 + "; ORT ran " + ops);
        for (String o : List.of("left", "present", "right")) {
            assertTrue(d.get(o).maxQuanta <= 3, o + ": " + d.get(o));
            // Measured equal on this machine (u8s8 and s8s8 kernels, the same integer arithmetic); allow a
            // quantum for x86 CPUs without VNNI, whose u8s8 kernels may saturate 16-bit pair sums.
            assertTrue(vsInt8.get(o).maxQuanta <= 1, o + " against the int8 export: " + vsInt8.get(o));
            OrtRunner.assertShare(0.97, d.get(o).shareWithinOneQuantum(), o + " logits within one quantum");
        }
        OrtRunner.assertShare(0.9, OrtRunner.argmaxAgreement(tern.get("left"), u8.get("left"), 10), "left argmax agreement");
        OrtRunner.assertShare(0.9, OrtRunner.argmaxAgreement(tern.get("right"), u8.get("right"), 10), "right argmax agreement");
        // Default options: the whole graph runs as u8s8 integer kernels.
        assertEquals(4, ops.getOrDefault("com.microsoft:QLinearConv", 0), ops.toString());
        assertEquals(4, ops.getOrDefault("com.microsoft:QGemm", 0), ops.toString());
        assertFalse(ops.containsKey("Conv") || ops.containsKey("Gemm") || ops.containsKey("MatMul"), ops.toString());
    }
}
