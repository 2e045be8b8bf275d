package dev.tern.compress.tf;

import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.TaskKind;
import dev.tern.runtime.model.TaskSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Builds small graphs with TensorFlow Java, exports them as SavedModels, imports them, and
 * checks that Tern (reference and scalar kernels, through a written .tern file) computes what
 * TensorFlow computes, within 1e-4 on every output. Also checks the structure of the import:
 * which ops were folded or fused.
 */
class SavedModelImporterTest {
    @TempDir
    Path tmp;

    private ModelDef importAndCompare(Path sm, int batch, long seed) throws IOException {
        ModelDef def = SavedModelImporter.importModel(sm, ImportOptions.defaults());
        Parity.check(sm, def, tmp.resolve("model.tern"), batch, seed);
        return def;
    }

    private static List<Node> nodes(ModelDef def, OpType op) {
        List<Node> l = new ArrayList<>();
        for (Node n : def.nodes()) {
            if (n.op() == op) {
                l.add(n);
            }
        }
        return l;
    }

    private static Map<String, Operand<TFloat32>> outputs(Object... kv) {
        Map<String, Operand<TFloat32>> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            @SuppressWarnings("unchecked")
            Operand<TFloat32> o = (Operand<TFloat32>) kv[i + 1];
            m.put((String) kv[i], o);
        }
        return m;
    }

    @Test
    void conv2dSameAndValidStride2WithBiasAndRelu() throws IOException {
        Path sm = tmp.resolve("conv");
        try (TfGraph g = new TfGraph(1)) {
            Placeholder<TFloat32> x = g.input("image", -1, 9, 9, 3);
            Operand<TFloat32> y = g.tf.nn.relu(g.conv(x, 3, 3, 4, 2, "SAME"));   // 9 -> 5, asymmetric padding
            y = g.tf.nn.relu(g.conv(y, 3, 4, 5, 2, "VALID"));                    // 5 -> 2
            g.export(sm, "image", x, outputs("features", g.flatten(y, 2 * 2 * 5)));
        }
        ModelDef def = importAndCompare(sm, 3, 11);
        List<Node> convs = nodes(def, OpType.CONV2D);
        assertEquals(2, convs.size());
        for (Node c : convs) {
            assertEquals(Activation.RELU.id(), c.attributes().getString("activation", null), c.toString());
            assertEquals(3, c.inputs().size(), "conv with folded bias: " + c);
        }
        assertArrayEquals(new int[] {2, 2}, convs.get(0).attributes().getInts("strides", null));
        assertEquals("same", convs.get(0).attributes().getString("padding", null));
        assertEquals("valid", convs.get(1).attributes().getString("padding", null));
        assertArrayEquals(new int[] {4, 3, 3, 3}, def.tensor(convs.get(0).input(1)).shape(), "filter as [cout, kh, kw, cin]");
        assertTrue(nodes(def, OpType.RELU).isEmpty(), "relu fused");
        assertArrayEquals(new int[] {5, 5, 4}, def.shapeOf(convs.get(0).output()));
        assertEquals(1, nodes(def, OpType.FLATTEN).size());
        assertEquals("image", def.inputs().get(0).name());
        assertArrayEquals(new int[] {-1, 9, 9, 3}, def.inputs().get(0).shape());
        assertEquals("NHWC", def.inputs().get(0).layout());
        // no tern.json: one regression task per output, named after its key
        TaskSpec t = def.task("features");
        assertEquals(TaskKind.REGRESSION, t.kind());
        assertEquals(20, t.size());
        assertEquals("0", t.labels().get(0));
        assertEquals("features", t.output());
    }

    @Test
    void depthwiseWithBatchNormAndRelu6IsFolded() throws IOException {
        Path sm = tmp.resolve("dw");
        try (TfGraph g = new TfGraph(2)) {
            Placeholder<TFloat32> x = g.input("image", -1, 8, 8, 3);
            Operand<TFloat32> y = g.depthwise(x, 3, 3, 2, 1, "SAME");              // multiplier 2 -> 6 channels
            y = g.tf.nn.relu6(g.batchNorm(y, 6));
            Operand<TFloat32> z = g.conv(y, 1, 6, 4, 1, "VALID");                  // conv + bias + BN: bias folded too
            z = g.tf.nn.relu(g.batchNorm(z, 4));
            g.export(sm, "image", x, outputs("out", g.tf.math.mean(z, g.tf.constant(new int[] {1, 2}))));
        }
        ModelDef def = importAndCompare(sm, 2, 12);
        List<Node> dw = nodes(def, OpType.DEPTHWISE_CONV2D);
        assertEquals(1, dw.size());
        assertEquals(2, dw.get(0).attributes().getInt("multiplier", 0));
        assertEquals("relu6", dw.get(0).attributes().getString("activation", null));
        assertArrayEquals(new int[] {3, 3, 6}, def.tensor(dw.get(0).input(1)).shape());
        assertEquals(3, dw.get(0).inputs().size(), "batch norm became the depthwise bias");
        assertEquals("relu", nodes(def, OpType.CONV2D).get(0).attributes().getString("activation", null));
        assertEquals(1, nodes(def, OpType.GLOBAL_AVG_POOL).size());
        assertEquals(3, def.nodes().size(), "depthwise, conv, global pool: " + def.nodes());
        assertEquals("5", def.provenance().get("import.folded_ops"), "BN + relu6, bias + BN + relu");
    }

    @Test
    void poolingOps() throws IOException {
        Path sm = tmp.resolve("pool");
        try (TfGraph g = new TfGraph(3)) {
            Placeholder<TFloat32> x = g.input("image", -1, 9, 9, 4);
            Operand<TFloat32> a = g.tf.nn.maxPool(x, g.tf.constant(new int[] {1, 3, 3, 1}),
                    g.tf.constant(new int[] {1, 2, 2, 1}), "SAME");                 // MaxPoolV2
            Operand<TFloat32> b = g.tf.nn.avgPool(x, Arrays.asList(1L, 3L, 3L, 1L), Arrays.asList(1L, 2L, 2L, 1L), "SAME");
            Operand<TFloat32> c = g.raw("MaxPool", "maxpool_v1", x, Map.of("ksize", new long[] {1, 2, 2, 1},
                    "strides", new long[] {1, 2, 2, 1}, "padding", "VALID", "T", org.tensorflow.proto.DataType.DT_FLOAT));
            Operand<TFloat32> d = g.tf.nn.avgPool(x, Arrays.asList(1L, 2L, 3L, 1L), Arrays.asList(1L, 1L, 2L, 1L), "VALID");
            Operand<TFloat32> sum = g.tf.math.add(a, b);
            g.export(sm, "image", x, outputs(
                    "mean", g.tf.math.mean(sum, g.tf.constant(new int[] {1, 2})),
                    "max", g.tf.max(c, g.tf.constant(new int[] {-3, -2})),
                    "avg_keep", g.flatten(g.tf.math.mean(d, g.tf.constant(new int[] {1, 2}),
                            org.tensorflow.op.math.Mean.keepDims(true)), 4),
                    "squeezed", g.tf.squeeze(g.tf.max(b, g.tf.constant(new int[] {1, 2}),
                            org.tensorflow.op.core.Max.keepDims(true)), org.tensorflow.op.core.Squeeze.axis(List.of(1L, 2L)))));
        }
        ModelDef def = importAndCompare(sm, 2, 13);
        assertEquals(1, nodes(def, OpType.MAX_POOL).size() - 1, "MaxPoolV2 and MaxPool");
        assertEquals(2, nodes(def, OpType.AVG_POOL).size());
        assertEquals(2, nodes(def, OpType.GLOBAL_AVG_POOL).size());
        assertEquals(2, nodes(def, OpType.GLOBAL_MAX_POOL).size());
        assertEquals(2, nodes(def, OpType.FLATTEN).size(), "flatten, and the squeeze of [1, 1, c]");
        assertEquals(1, nodes(def, OpType.ADD).size());
    }

    @Test
    void denseHeadsWithSoftmaxAndSigmoidOutputs() throws IOException {
        Path sm = tmp.resolve("dense");
        try (TfGraph g = new TfGraph(4)) {
            Placeholder<TFloat32> x = g.input("image", -1, 6, 6, 2);
            Operand<TFloat32> h = g.tf.nn.relu(g.dense(g.flatten(x, 72), 72, 16));
            Operand<TFloat32> logits = g.dense(h, 16, 5);
            Operand<TFloat32> w2 = g.weights("fc2_w", 16, 3, 16);                 // transpose_b: [out, in]
            Operand<TFloat32> other = g.tf.linalg.matMul(h, w2, org.tensorflow.op.linalg.MatMul.transposeB(true));
            other = g.tf.math.add(other, g.variable("fc2_b", -0.5f, 0.5f, 3));  // AddV2 with a constant bias
            g.export(sm, "image", x, outputs("probs", g.tf.nn.softmax(logits), "scores", g.tf.math.sigmoid(other),
                    "logits", logits));
        }
        ModelDef def = importAndCompare(sm, 4, 14);
        List<Node> dense = nodes(def, OpType.DENSE);
        assertEquals(3, dense.size());
        for (Node d : dense) {
            assertEquals(3, d.inputs().size(), "bias folded: " + d);
        }
        assertArrayEquals(new int[] {16, 72}, def.tensor(dense.get(0).input(1)).shape(), "dense weights as [out, in]");
        assertEquals("relu", dense.get(0).attributes().getString("activation", null));
        assertEquals(OpType.SOFTMAX, def.nodes().stream().filter(n -> n.output().equals("probs")).findFirst().get().op());
        assertEquals(OpType.SIGMOID, def.nodes().stream().filter(n -> n.output().equals("scores")).findFirst().get().op());
        assertEquals(List.of("logits", "probs", "scores"), def.outputs());
    }

    @Test
    void residualAddAndConcat() throws IOException {
        Path sm = tmp.resolve("residual");
        try (TfGraph g = new TfGraph(5)) {
            Placeholder<TFloat32> x = g.input("image", -1, 7, 7, 4);
            Operand<TFloat32> a = g.tf.nn.relu(g.conv(x, 3, 4, 4, 1, "SAME"));
            Operand<TFloat32> b = g.conv(a, 3, 4, 4, 1, "SAME");
            Operand<TFloat32> res = g.tf.nn.relu(g.tf.math.add(b, x));                    // AddV2 + Relu fused
            Operand<TFloat32> cat = g.tf.concat(Arrays.asList(res, a), g.tf.constant(3)); // channels: 8
            Operand<TFloat32> cat2 = g.tf.concat(Arrays.asList(cat, x), g.tf.constant(-1)); // 12
            Operand<TFloat32> flat = g.flatten(cat2, 7 * 7 * 12);
            Operand<TFloat32> rows = g.tf.concat(Arrays.asList(g.tf.reshape(cat2, g.tf.constant(new int[] {-1, 49, 12})),
                    g.tf.reshape(x, g.tf.constant(new int[] {-1, 49, 4}))), g.tf.constant(2));
            g.export(sm, "image", x, outputs("flat", flat, "rows", g.flatten(rows, 49 * 16)));
        }
        ModelDef def = importAndCompare(sm, 2, 15);
        List<Node> adds = nodes(def, OpType.ADD);
        assertEquals(1, adds.size());
        assertEquals("relu", adds.get(0).attributes().getString("activation", null));
        List<Node> concats = nodes(def, OpType.CONCAT);
        assertEquals(3, concats.size());
        assertEquals(2, concats.get(0).attributes().getInt("axis", 0), "axis 3 of NHWC is per-sample axis 2");
        assertEquals(-1, concats.get(1).attributes().getInt("axis", 0));
        assertEquals(2, nodes(def, OpType.RESHAPE).size());
    }

    @Test
    void reluStaysSeparateWhenThePreActivationHasOtherReaders() throws IOException {
        Path sm = tmp.resolve("shared");
        try (TfGraph g = new TfGraph(6)) {
            Placeholder<TFloat32> x = g.input("x", -1, 12);
            Operand<TFloat32> pre = g.dense(x, 12, 8);
            Operand<TFloat32> act = g.tf.nn.relu6(pre);
            Operand<TFloat32> pre2 = g.dense(x, 12, 8);
            Operand<TFloat32> viaIdentity = g.tf.identity(pre2);
            g.export(sm, "x", x, outputs("a", g.tf.math.add(act, pre), "b", g.tf.nn.relu(viaIdentity),
                    "pre2", g.tf.stopGradient(pre2)));
        }
        ModelDef def = importAndCompare(sm, 3, 16);
        assertEquals(1, nodes(def, OpType.RELU6).size(), "relu6 kept: the dense output is read twice");
        assertEquals(1, nodes(def, OpType.RELU).size(), "relu kept: the dense output is a signature output");
        for (Node d : nodes(def, OpType.DENSE)) {
            assertEquals("none", d.attributes().getString("activation", null));
        }
        assertEquals("NC", def.inputs().get(0).layout());
    }

    @Test
    void multiTaskModelWithTaskMetadata() throws IOException {
        Path sm = tmp.resolve("mtl-small");
        try (TfGraph g = new TfGraph(7)) {
            Placeholder<TFloat32> x = g.input("image", -1, 12, 12, 1);
            Operand<TFloat32> t = g.tf.nn.relu(g.batchNorm(g.conv(x, 3, 1, 6, 1, "SAME"), 6));
            t = g.tf.nn.maxPool(t, g.tf.constant(new int[] {1, 2, 2, 1}), g.tf.constant(new int[] {1, 2, 2, 1}), "VALID");
            t = g.tf.nn.relu(g.conv(t, 3, 6, 8, 2, "SAME"));
            Operand<TFloat32> feat = g.flatten(t, 3 * 3 * 8);
            g.export(sm, "image", x, outputs(
                    "left_logits", g.dense(feat, 72, 10),
                    "right_logits", g.dense(feat, 72, 10),
                    "present_logits", g.dense(feat, 72, 10)));
        }
        List<String> classes = List.of("t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker",
                "bag", "boot");
        float[] thresholds = new float[10];
        Arrays.fill(thresholds, 0.4f);
        Path written = SavedModelImporter.writeTaskMetadata(sm, new TaskMetadata("multi-fashion-tiny",
                new TaskMetadata.Input("pixels", "NHWC", new float[] {0f}, new float[] {255f}),
                List.of(TaskMetadata.Task.multiclass("left", "left_logits", classes),
                        TaskMetadata.Task.multiclass("right", "right_logits", classes),
                        TaskMetadata.Task.multilabel("present", "present_logits", classes, thresholds))));
        assertEquals(sm.resolve("assets.extra").resolve("tern.json"), written);

        ModelDef def = importAndCompare(sm, 3, 17);
        assertEquals("multi-fashion-tiny", def.name());
        assertEquals("pixels", def.inputs().get(0).name());
        assertArrayEquals(new float[] {255f}, def.inputs().get(0).std());
        assertEquals(List.of("left", "right", "present"), def.tasks().stream().map(TaskSpec::name).toList());
        assertEquals(TaskKind.MULTICLASS, def.task("left").kind());
        assertTrue(def.task("left").logits());
        assertEquals("boot", def.task("right").labels().get(9));
        assertEquals(TaskKind.MULTILABEL, def.task("present").kind());
        assertEquals(0.4f, def.task("present").threshold(3));
        assertEquals("left_logits", def.task("left").output());
        // shared trunk: conv(+BN+relu), pool, conv, flatten, then three heads
        assertEquals(3, nodes(def, OpType.DENSE).size());
        assertEquals(2, nodes(def, OpType.CONV2D).size());
        assertEquals(7, def.nodes().size(), def.nodes().toString());

        Map<String, String> p = def.provenance();
        assertEquals("mtl-small", p.get("source"), "folder name, not an absolute path");
        assertEquals("tensorflow-savedmodel", p.get("source.format"));
        assertEquals("serving_default", p.get("source.signature"));
        assertEquals(64, p.get("source.sha256").length());
        assertEquals(org.tensorflow.TensorFlow.version(), p.get("tensorflow.version"));
        assertTrue(p.get("importer").endsWith(" " + SavedModelImporter.IMPORTER_VERSION));
        assertFalse(p.get("tern.version").isEmpty());

        assertArrayEquals(dev.tern.runtime.format.TernWriter.toBytes(def),
                dev.tern.runtime.format.TernWriter.toBytes(SavedModelImporter.importModel(sm)),
                "importing twice gives the same file");

        // options override parts of tern.json
        ModelDef renamed = SavedModelImporter.importModel(sm, ImportOptions.defaults().withModelName("other")
                .withTasks(List.of(TaskMetadata.Task.regression("left", "left_logits", null))));
        assertEquals("other", renamed.name());
        assertEquals(1, renamed.tasks().size());
        assertEquals(TaskKind.REGRESSION, renamed.task("left").kind());
        assertEquals("pixels", renamed.inputs().get(0).name());
        assertEquals(3, renamed.outputs().size(), "every signature output stays a graph output");
    }

    @Test
    void logitsDefaultsFollowTheOutputOp() throws IOException {
        Path sm = tmp.resolve("probs");
        try (TfGraph g = new TfGraph(8)) {
            Placeholder<TFloat32> x = g.input("x", -1, 6);
            Operand<TFloat32> h = g.dense(x, 6, 4);
            g.export(sm, "x", x, outputs("p", g.tf.nn.softmax(h), "q", g.tf.math.sigmoid(h), "l", h));
        }
        ModelDef def = SavedModelImporter.importModel(sm, ImportOptions.defaults().withTasks(List.of(
                new TaskMetadata.Task("a", "multiclass", "p", null, null, null),
                new TaskMetadata.Task("b", "multilabel", "q", null, null, null),
                new TaskMetadata.Task("c", "multiclass", "l", null, List.of("w", "x", "y", "z"), null))));
        assertFalse(def.task("a").logits(), "softmax output holds probabilities");
        assertFalse(def.task("b").logits(), "sigmoid output holds probabilities");
        assertTrue(def.task("c").logits());
        assertEquals(List.of("0", "1", "2", "3"), def.task("a").labels());
        Parity.check(sm, def, tmp.resolve("probs.tern"), 2, 18);
    }

    @Test
    void dynamicFlattenIdentityNAndFixedBatch() throws IOException {
        Path sm = tmp.resolve("keras-like");
        try (TfGraph g = new TfGraph(9)) {
            Placeholder<TFloat32> x = g.input("image", 2, 4, 4, 3);                  // fixed batch 2
            Operand<TFloat32> c = g.tf.nn.relu(g.conv(x, 3, 3, 4, 1, "SAME"));
            // Keras' Flatten: reshape to stack([shape(x)[0], -1]), a shape computed from the input
            Operand<org.tensorflow.types.TInt32> n = g.tf.stridedSlice(g.tf.shape(c),
                    org.tensorflow.ndarray.index.Indices.at(0));
            Operand<TFloat32> flat = g.tf.reshape(c, g.tf.stack(Arrays.asList(n, g.tf.constant(-1))));
            List<org.tensorflow.Output<?>> pair = g.tf.identityN(Arrays.asList(flat, c)).output();
            @SuppressWarnings("unchecked")
            Operand<TFloat32> viaN = (Operand<TFloat32>) pair.get(0);
            Operand<TFloat32> fixed = g.tf.reshape(c, g.tf.constant(new int[] {2, 16, 4}));  // batch given explicitly
            g.export(sm, "image", x, outputs("flat", g.dense(viaN, 64, 3), "rows", g.flatten(g.tf.nn.softmax(fixed), 64)));
        }
        ModelDef def = importAndCompare(sm, 2, 19);
        assertArrayEquals(new int[] {2, 4, 4, 3}, def.inputs().get(0).shape());
        assertEquals(2, nodes(def, OpType.FLATTEN).size());
        assertArrayEquals(new int[] {16, 4}, nodes(def, OpType.RESHAPE).get(0).attributes().getInts("shape", null));
        assertEquals("relu", nodes(def, OpType.CONV2D).get(0).attributes().getString("activation", null),
                "relu fused: the shape op reading the conv output does not count");
    }

    @Test
    void keepsTheSignatureOrderFreeAndReportsSupportedOps() {
        assertTrue(SavedModelImporter.supportedOps().containsAll(List.of("Conv2D", "DepthwiseConv2dNative", "MatMul",
                "BiasAdd", "AddV2", "FusedBatchNormV3", "MaxPoolV2", "AvgPool", "Mean", "Max", "Relu", "Relu6",
                "Sigmoid", "Softmax", "Reshape", "ConcatV2", "Identity", "IdentityN", "StopGradient", "ReadVariableOp")));
        assertFalse(SavedModelImporter.supportedOps().contains("Tanh"));
    }
}
