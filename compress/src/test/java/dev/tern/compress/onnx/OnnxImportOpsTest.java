package dev.tern.compress.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import dev.tern.compress.onnx.proto.Onnx.AttributeProto;
import dev.tern.compress.onnx.proto.Onnx.GraphProto;
import dev.tern.compress.onnx.proto.Onnx.ModelProto;
import dev.tern.compress.onnx.proto.Onnx.NodeProto;
import dev.tern.compress.onnx.proto.Onnx.OperatorSetIdProto;
import dev.tern.compress.onnx.proto.Onnx.TensorProto;
import dev.tern.compress.onnx.proto.Onnx.TensorShapeProto;
import dev.tern.compress.onnx.proto.Onnx.TypeProto;
import dev.tern.compress.onnx.proto.Onnx.ValueInfoProto;
import dev.tern.runtime.Backend;
import dev.tern.runtime.Session;
import dev.tern.runtime.SessionOptions;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.ModelDef;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Import paths ONNX's node tests do not reach, each a small graph built here and run in ONNX
 * Runtime (the oracle) and in Tern on the reference, scalar and vector backends, batch 3 through
 * a symbolic batch axis: grouped and dilated convolutions with asymmetric and auto padding,
 * depthwise with a channel multiplier, pooling with ceil_mode and counted padding, softmax over
 * channels, a channel shuffle (reshape, transpose, reshape), BN after a grouped convolution.
 * (Average pooling with both count_include_pad and ceil_mode is left out: a window that ceil_mode
 * adds past the padding is divided by its cells inside the padded input in Tern and PyTorch, by
 * the whole window in ONNX Runtime 1.23; docs/ONNX.md.)
 */
class OnnxImportOpsTest {
    private final Random rnd = new Random(41);

    private static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    private static AttributeProto integer(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    private static AttributeProto string(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(v)).build();
    }

    private TensorProto tensor(String name, float scale, long... dims) {
        int n = 1;
        for (long d : dims) {
            n *= (int) d;
        }
        ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putFloat((float) (rnd.nextGaussian() * scale));
        }
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1).setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    private static TensorProto int64s(String name, long... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        return TensorProto.newBuilder().setName(name).setDataType(7).addDims(v.length).setRawData(ByteString.copyFrom(b.array())).build();
    }

    private static ValueInfoProto value(String name, long... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (int i = 0; i < dims.length; i++) {
            s.addDim(i == 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("N")
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(dims[i]));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(1).setShape(s))).build();
    }

    private static NodeProto node(String op, List<String> in, String out, AttributeProto... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(out + "_node").addAllInput(in).addOutput(out);
        for (AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        return n.build();
    }

    /** Builds a graph from input x [N, c, h, w] to output y, runs it in ORT and in Tern (three backends), compares. */
    private void check(String what, long[] in, Consumer<GraphProto.Builder> body) throws Exception {
        GraphProto.Builder g = GraphProto.newBuilder().setName(what).addInput(value("x", in));
        body.accept(g);
        g.addOutput(ValueInfoProto.newBuilder().setName("y").setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(1))));
        byte[] bytes = ModelProto.newBuilder().setIrVersion(7).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13))
                .setGraph(g).build().toByteArray();
        OnnxImporter.Result r = OnnxImporter.importBytes(bytes, what, null);
        assertTrue(r.batched, what + ": the leading axis is the batch");
        ModelDef def = r.model;
        int batch = 3;
        int per = def.inputs().get(0).sampleSize();
        float[] x = new float[per * batch];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        long[] shape = in.clone();
        shape[0] = batch;
        float[] want;
        try (OrtSession s = OrtRunner.session(bytes); OnnxTensor t = OnnxTensor.createTensor(OrtRunner.ENV, FloatBuffer.wrap(x), shape);
             OrtSession.Result res = s.run(Map.of("x", t))) {
            FloatBuffer fb = ((OnnxTensor) res.get(0)).getFloatBuffer();
            want = new float[fb.remaining()];
            fb.get(want);
        }
        for (Backend b : new Backend[] {Backend.REFERENCE, Backend.SCALAR, Backend.VECTOR}) {
            TernModel m = TernModel.of(def, b);
            try (Session s = m.newSession(SessionOptions.defaults().withMaxBatch(batch))) {
                s.run(Map.of("x", x), m.allTasks());
                int n = want.length / batch;
                for (int k = 0; k < batch; k++) {
                    float[] got = s.output("y", k);
                    assertEquals(n, got.length, what + ": values per sample");
                    for (int i = 0; i < n; i++) {
                        float w = want[k * n + i];
                        assertEquals(w, got[i], 1e-4 * Math.max(1, Math.abs(w)), what + " on " + b.id() + ", sample " + k + "[" + i + "]");
                    }
                }
            }
        }
    }

    @Test
    void groupedDilatedConvolutionWithAsymmetricPadsThenBatchNorm() throws Exception {
        check("grouped", new long[] {1, 4, 9, 8}, g -> g
                .addInitializer(tensor("w", 0.5f, 6, 2, 3, 3)).addInitializer(tensor("b", 0.1f, 6))
                .addInitializer(tensor("s", 0.3f, 6)).addInitializer(tensor("o", 0.3f, 6)).addInitializer(tensor("m", 0.3f, 6))
                .addInitializer(TensorProto.newBuilder(tensor("v", 0.1f, 6)).clearRawData().setRawData(ByteString.copyFrom(
                        ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(2).putFloat(0.5f).putFloat(1.5f)
                                .putFloat(0.7f).putFloat(1.1f).array())))
                .addNode(node("Conv", List.of("x", "w", "b"), "c", integer("group", 2), ints("dilations", 2, 1),
                        ints("pads", 2, 0, 1, 2), ints("strides", 1, 2)))
                .addNode(node("BatchNormalization", List.of("c", "s", "o", "m", "v"), "y")));
    }

    @Test
    void depthwiseWithMultiplierAndSameLowerPadding() throws Exception {
        check("depthwise", new long[] {1, 3, 8, 7}, g -> g
                .addInitializer(tensor("w", 0.5f, 6, 1, 3, 3))
                .addNode(node("Conv", List.of("x", "w"), "y", integer("group", 3), string("auto_pad", "SAME_LOWER"),
                        ints("strides", 2, 2))));
    }

    @Test
    void poolingWithCeilModeAndCountedPadding() throws Exception {
        check("pools", new long[] {1, 2, 7, 8}, g -> g
                .addNode(node("MaxPool", List.of("x"), "p", ints("kernel_shape", 3, 3), ints("strides", 2, 2),
                        ints("pads", 1, 0, 0, 1), integer("ceil_mode", 1)))
                .addNode(node("AveragePool", List.of("p"), "y", ints("kernel_shape", 2, 3), ints("strides", 1, 2),
                        ints("pads", 1, 1, 1, 1), integer("count_include_pad", 1))));
    }

    @Test
    void softmaxOverChannelsAndReduceMeanKeepingDims() throws Exception {
        check("softmax", new long[] {1, 5, 3, 4}, g -> g
                .addInitializer(tensor("w", 0.5f, 5, 5, 1, 1))
                .addNode(node("Conv", List.of("x", "w"), "c"))
                .addNode(node("Softmax", List.of("c"), "s", integer("axis", 1)))
                .addNode(node("ReduceMean", List.of("s"), "y", ints("axes", 3), integer("keepdims", 1))));
    }

    @Test
    void channelShuffleBetweenConvolutions() throws Exception {
        check("shuffle", new long[] {1, 4, 5, 6}, g -> g
                .addInitializer(tensor("w1", 0.5f, 6, 4, 1, 1)).addInitializer(tensor("w2", 0.5f, 6, 6, 3, 3))
                .addInitializer(int64s("s1", 0, 2, 3, 5, 6)).addInitializer(int64s("s2", 0, 6, 5, 6))
                .addNode(node("Conv", List.of("x", "w1"), "a"))
                .addNode(node("Relu", List.of("a"), "r"))
                .addNode(node("Reshape", List.of("r", "s1"), "b"))
                .addNode(node("Transpose", List.of("b"), "t", ints("perm", 0, 2, 1, 3, 4)))
                .addNode(node("Reshape", List.of("t", "s2"), "u"))
                .addNode(node("Conv", List.of("u", "w2"), "y", ints("pads", 1, 1, 1, 1))));
    }

    @Test
    void squeezeAndExciteGateBroadcastOverTheImage() throws Exception {
        check("se", new long[] {1, 6, 5, 5}, g -> g
                .addInitializer(tensor("w", 0.5f, 6, 6, 1, 1)).addInitializer(tensor("k", 0.5f, 6, 1, 1))
                .addNode(node("GlobalAveragePool", List.of("x"), "p"))
                .addNode(node("Conv", List.of("p", "w"), "q"))
                .addNode(node("Sigmoid", List.of("q"), "gate"))
                .addNode(node("Mul", List.of("x", "gate"), "m"))
                .addNode(node("Add", List.of("m", "k"), "y")));
    }
}
