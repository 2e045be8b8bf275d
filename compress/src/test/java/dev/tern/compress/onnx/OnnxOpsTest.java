package dev.tern.compress.onnx;

import dev.tern.compress.BadInputException;
import dev.tern.compress.onnx.proto.Onnx.ModelProto;
import dev.tern.compress.onnx.proto.Onnx.NodeProto;
import dev.tern.compress.quant.Quantizer;
import dev.tern.compress.quant.WeightScheme;
import dev.tern.runtime.Int8Cases;
import dev.tern.runtime.OpCases;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.TestModels;
import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.Padding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every op exported to ONNX and run in ONNX Runtime against Tern's runtime: the random
 * single-op models of the runtime's tests (both paddings, strides 1 and 2, every fused
 * activation, with and without bias, batches of 1 to 3) in float32 within 1e-4 x max(1, |x|),
 * and their int8 versions (quantize -> int8 op -> dequantize) within one quantum; the golden
 * every-op models; weight-only int8.
 */
class OnnxOpsTest {
    /** Sizes (dot length, channels or vector length) each op is tried at. */
    private static final int[] SIZES = {1, 4, 9, 17, 33};

    @ParameterizedTest(name = "{0}")
    @EnumSource(OpType.class)
    void float32OpMatchesTern(OpType op) throws Exception {
        int n = 0;
        for (int size : SIZES) {
            List<OpCases.Case> cases = OpCases.cases(op, size, 7000 + size);
            if (cases == null) {
                assertTrue(op == OpType.QUANTIZE || op == OpType.DEQUANTIZE, op + " has no float cases");
                return; // int8 only: see int8OpWithinOneQuantum
            }
            for (OpCases.Case c : cases) {
                ModelDef def = c.model.apply(false);
                OrtRunner.check(def, c.inputs, c.batch).assertWithinOneQuantum(c.description);
                n++;
            }
        }
        assertTrue(n >= SIZES.length, "cases run: " + n);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(OpType.class)
    void int8OpWithinOneQuantum(OpType op) throws Exception {
        int n = 0;
        for (int size : SIZES) {
            List<OpCases.Case> cases = Int8Cases.cases(op, size, 8000 + size);
            if (cases == null) {
                assertTrue(op == OpType.SIGMOID || op == OpType.SOFTMAX || op.code() >= OpType.TRANSPOSE.code(), op + " has no int8 cases");
                return; // float only in Tern
            }
            for (OpCases.Case c : cases) {
                ModelDef def = c.model.apply(false);
                assertTrue(def.isQuantized());
                OrtRunner.Diff d = OrtRunner.check(def, c.inputs, c.batch);
                d.assertWithinOneQuantum(c.description);
                n++;
            }
        }
        assertTrue(n >= SIZES.length, "cases run: " + n);
    }

    /**
     * The int8 cases with 7-bit weights ([-63, 63], as {@code tern quantize --weight-bits 7}
     * writes them) in ORT's default session on every CPU: pairs of uint8 x int8 products stay
     * within 2 x 255 x 63 = 32,130, so even x86 CPUs without VNNI, whose u8 x s8 kernels add
     * pairs in saturating 16-bit lanes, compute them exactly. The 8-bit cases above run in a
     * default session only where ORT's kernels are exact ({@link OrtArithmetic}).
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(OpType.class)
    void int8OpWith7BitWeightsWithinOneQuantumInDefaultSession(OpType op) throws Exception {
        int n = 0;
        for (int size : SIZES) {
            List<OpCases.Case> cases = Int8Cases.cases(op, size, 8000 + size, Int8Cases.WEIGHTS_7_BIT);
            if (cases == null) {
                assertTrue(op == OpType.SIGMOID || op == OpType.SOFTMAX || op.code() >= OpType.TRANSPOSE.code(), op + " has no int8 cases");
                return;
            }
            for (OpCases.Case c : cases) {
                ModelDef def = c.model.apply(false);
                assertEquals(Collections.emptyList(), OnnxExporter.x86SaturationRisks(def), c.description);
                assertEquals(Collections.emptyMap(), OrtArithmetic.exactConfig(def), "a default session");
                OrtRunner.check(def, c.inputs, c.batch).assertWithinOneQuantum(c.description);
                n++;
            }
        }
        assertTrue(n >= SIZES.length, "cases run: " + n);
    }

    /** all-ops-1.0.tern: every float op in one three-head model, batch 5. */
    @Test
    void goldenAllOpsFloat32() throws Exception {
        ModelDef def = golden("all-ops-1.0.tern");
        // every float op of format 1.0 to 1.2; those added later have their own cases above
        EnumSet<OpType> upTo12 = EnumSet.range(OpType.DENSE, OpType.DEQUANTIZE);
        upTo12.removeAll(EnumSet.of(OpType.QUANTIZE, OpType.DEQUANTIZE));
        assertEquals(upTo12, EnumSet.copyOf(TestModels.ops(def)));
        int batch = 5;
        OrtRunner.Diff d = OrtRunner.check(def, input(def, batch, 11), batch);
        System.out.println("all-ops-1.0.tern float32, batch " + batch + ": " + d);
        d.assertWithinOneQuantum("all-ops-1.0.tern");
    }

    /**
     * all-ops-int8-1.1.tern, the int8 golden model. Node by node, each node fed Tern's values
     * of its inputs, every op is within one quantum. End to end, on the values its golden test
     * pins (left_fc, cat2, r_relu6: int8 all the way), the one-quantum differences of the
     * rounding rules (Tern: TFLite's fixed-point requantization, round-half-away quantize and
     * average pooling; ONNX Runtime: float requantization, round-half-to-even) propagate through
     * the chain of int8 layers, and are held to measured bounds (docs/ONNX.md).
     */
    @Test
    void goldenAllOpsInt8() throws Exception {
        ModelDef file = golden("all-ops-int8-1.1.tern");
        int batch = 32;
        Map<String, float[]> in = input(file, batch, 12);
        LayerByLayer.compare(file, in, batch).forEach((node, d) -> d.assertWithinOneQuantum("node " + node + " alone"));

        List<String> outs = new ArrayList<>(file.outputs());
        outs.add("left_fc");
        outs.add("r_relu6");
        ModelDef def = new ModelDef(file.name(), file.inputs(), new ArrayList<>(file.tensors().values()), file.nodes(),
                file.tasks(), outs, file.provenance());
        OrtRunner.Diff d = OrtRunner.check(def, in, batch);
        System.out.println("all-ops-int8-1.1.tern end to end, batch " + batch + ": " + d);
        assertTrue(d.get("left_fc").maxQuanta <= 2, "left_fc: " + d.get("left_fc"));
        assertTrue(d.get("cat2").maxQuanta <= 6, "cat2: " + d.get("cat2"));
        assertTrue(d.get("r_relu6").maxQuanta <= 16, "r_relu6: " + d.get("r_relu6"));
        OrtRunner.assertShare(0.9, d.get("left_fc").shareWithinOneQuantum(), "left_fc within one quantum");
        OrtRunner.assertShare(0.9, d.get("cat2").shareWithinOneQuantum(), "cat2 within one quantum");
    }

    /**
     * Layouts: values in NCHW (after a convolution) and NHWC (after a reshape) mixed in add and
     * concat on each axis, softmax over the channels of an NCHW value, pools of NHWC values,
     * image-shaped graph outputs, and the input itself as a graph output; float32 and int8.
     */
    @Test
    void mixedLayoutsMatchTern() throws Exception {
        ModelDef def = layoutsModel();
        int batch = 3;
        Map<String, float[]> in = input(def, batch, 5);
        OrtRunner.Diff d = OrtRunner.check(def, in, batch);
        d.assertWithinOneQuantum("layouts float32");

        ModelDef q = layoutsModelInt8();
        assertTrue(q.isQuantized());
        LayerByLayer.compare(q, in, batch).forEach((node, x) -> x.assertWithinOneQuantum("layouts int8, node " + node + " alone"));
        OrtRunner.Diff dq = OrtRunner.check(q, in, batch);
        System.out.println("layouts int8 end to end: " + dq);
        dq.outputs.forEach((o, x) -> assertTrue(x.maxQuanta <= 3, o + ": " + x));
    }

    /** The float32 model of {@link #mixedLayoutsMatchTern}. */
    static ModelDef layoutsModel() {
        Random rnd = new Random(99);
        ModelBuilder b = new ModelBuilder("layouts").input("image", -1, 6, 5, 3);
        String a = b.conv2d("a", "image", new int[] {4, 3, 3, 3}, TestModels.random(rnd, 108, 0.5f), TestModels.random(rnd, 4, 0.1f),
                1, Padding.SAME, Activation.RELU);
        String f = b.conv2d("f", "image", new int[] {4, 1, 1, 3}, TestModels.random(rnd, 12, 0.5f), null, 1, Padding.VALID,
                Activation.NONE);
        String r = b.reshape("r", b.flatten("fl", a), 6, 5, 4);
        String m = b.add("m", f, r, Activation.RELU6);
        String ch = b.concat("ch", 0, a, f);
        String cw = b.concat("cw", 1, a, r);
        String cc = b.concat("cc", -1, m, "image");
        String sm = b.softmax("sm", a);
        String sg = b.sigmoid("sg", cw);
        String gp = b.globalAvgPool("gp", r);
        String gm = b.globalMaxPool("gm", cc);
        String mp = b.maxPool("mp", cc, 2, 2, Padding.SAME);
        String ap = b.avgPool("ap", "image", 3, 2, Padding.SAME);
        String dw = b.depthwiseConv2d("dw", r, new int[] {2, 2, 8}, TestModels.random(rnd, 32, 0.5f), null, 2, 1, Padding.SAME,
                Activation.NONE);
        String fc = b.dense("fc", b.flatten("chf", ch), 3, 240, TestModels.random(rnd, 720, 0.2f), null, Activation.NONE);
        for (String o : new String[] {"image", ch, sm, sg, gp, gm, mp, ap, dw, fc}) {
            b.output(o);
        }
        return b.build();
    }

    /** Its int8 version, calibrated on the test's input (batch 3, seed 5). */
    static ModelDef layoutsModelInt8() {
        ModelDef def = layoutsModel();
        return Int8Cases.quantize(def, input(def, 3, 5), 3, new Random(4));
    }

    /** Weight-only int8 (int8 weights behind DequantizeLinear, float activations), per channel and per tensor. */
    @Test
    void weightOnlyInt8MatchesTern() throws Exception {
        for (boolean perTensor : new boolean[] {false, true}) {
            ModelDef def = Quantizer.weightOnly(golden("all-ops-1.0.tern"), WeightScheme.of(perTensor, 8));
            assertTrue(def.isQuantized());
            ModelProto m = OnnxExporter.export(def);
            long dq = m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("DequantizeLinear")).count();
            assertTrue(dq >= 5, "weights behind DequantizeLinear: " + dq);
            int batch = 3;
            OrtRunner.Diff d = OrtRunner.check(def, input(def, batch, 13), batch);
            d.assertWithinOneQuantum("weight-only, per tensor " + perTensor);
        }
    }

    @Test
    void everyOpTypeIsMapped() {
        assertEquals(EnumSet.allOf(OpType.class), OnnxExporter.SUPPORTED);
    }

    /** An op the exporter does not map is refused before anything is built, naming the node and the op. */
    @Test
    void refusesAnOpItDoesNotMap() {
        ModelDef def = golden("all-ops-1.0.tern");
        Set<OpType> without = EnumSet.copyOf(OnnxExporter.SUPPORTED);
        without.remove(OpType.AVG_POOL);
        BadInputException e = assertThrows(BadInputException.class, () -> OnnxExporter.export(def, without));
        assertTrue(e.getMessage().contains("'ap'") && e.getMessage().contains("avg_pool"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    /** Layout: one NHWC -> NCHW transpose at the input, one back before flatten/reshape; outputs keep Tern's names. */
    @Test
    void graphKeepsNamesAndTransposesOnlyAtLayoutChanges() {
        ModelDef def = golden("all-ops-1.0.tern");
        ModelProto m = OnnxExporter.export(def);
        assertEquals(OnnxExporter.OPSET, m.getOpsetImport(0).getVersion());
        assertEquals(OnnxExporter.IR_VERSION, m.getIrVersion());
        assertEquals("tern", m.getProducerName());
        assertEquals("image", m.getGraph().getInput(0).getName());
        assertEquals("N", m.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam());
        List<String> outs = new ArrayList<>();
        m.getGraph().getOutputList().forEach(v -> outs.add(v.getName()));
        assertEquals(OnnxExporter.outputs(def), outs);
        Map<String, Integer> ops = new LinkedHashMap<>();
        for (NodeProto n : m.getGraph().getNodeList()) {
            ops.merge(n.getOpType(), 1, Integer::sum);
        }
        // image -> NCHW once; sum (for r_flat) and cat2's inputs are pooled in NCHW; p_rs reads [32] (no image)
        assertEquals(2, (int) ops.get("Transpose"), ops.toString());
        for (Node n : def.nodes()) {
            assertTrue(m.getGraph().getNodeList().stream().anyMatch(x -> x.getName().equals(n.name())), "node " + n.name());
        }
    }

    static ModelDef golden(String file) {
        try {
            return TernModel.load(OrtRunner.repo().resolve("runtime/core/src/test/resources/dev/tern/runtime/golden/" + file)).def();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Map<String, float[]> input(ModelDef def, int batch, long seed) {
        Random rnd = new Random(seed);
        Map<String, float[]> in = new LinkedHashMap<>();
        in.put(def.inputs().get(0).name(), TestModels.random(rnd, batch * def.inputs().get(0).sampleSize(), 1.5f));
        return in;
    }
}
