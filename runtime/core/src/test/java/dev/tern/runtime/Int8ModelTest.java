package dev.tern.runtime;

import dev.tern.runtime.format.TernReader;
import dev.tern.runtime.format.TernWriter;
import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.QuantParams;
import dev.tern.runtime.model.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Int8 models as a whole: typing rules, checks at build/write/read, file round trip, weight-only int8. */
class Int8ModelTest {
    static Iterable<Backend> backends() {
        return TestModels.backends();
    }

    private static List<String> in(String... names) {
        return new ArrayList<>(Arrays.asList(names));
    }

    private static Attributes q(float scale, int zp) {
        return Attributes.builder().put("scale", scale).put("zero_point", zp).build();
    }

    /** x[4] -> quantize(inScale) -> dense 4->2 (weights scale wScale, out scale outScale) -> dequantize. */
    private static ModelBuilder dense(float inScale, float wScale, float outScale, byte w0) {
        ModelBuilder b = new ModelBuilder("d").input("x", -1, 4);
        b.node(new Node("qx", OpType.QUANTIZE, in("x"), "xq", q(inScale, 0)));
        b.constant(Tensor.ofInt8("w", new int[] {2, 4}, new byte[] {w0, 2, 3, 4, 5, 6, 7, 8},
                new QuantParams(new float[] {wScale, wScale}, new int[2], 0)));
        b.node(new Node("dense", OpType.DENSE, in("xq", "w"), "yq", q(outScale, 0)));
        b.node(new Node("dq", OpType.DEQUANTIZE, in("yq"), "y", Attributes.EMPTY));
        b.output("y");
        return b;
    }

    @Test
    void impossibleScalesAreRejectedWhenTheModelIsBuiltSoNoFileIsWritten(@TempDir Path dir) {
        dense(0.5f, 0.01f, 0.1f, (byte) 1).build(); // fine
        // multiplier 1e-20 needs a right shift of 66 bits: not representable in 32-bit fixed point.
        InvalidModelException e = assertThrows(InvalidModelException.class, () -> dense(1e-10f, 1e-10f, 1f, (byte) 1).build());
        assertTrue(e.getMessage().contains("impossible requantization"), e.getMessage());
        // multiplier 2^40: larger than a left shift of 30 allows.
        assertThrows(InvalidModelException.class, () -> dense(1e6f, 1e6f, 1e-3f, (byte) 1).build());
        Path file = dir.resolve("m.tern");
        assertThrows(InvalidModelException.class, () -> TernWriter.write(dense(1e-10f, 1e-10f, 1f, (byte) 1).build(), file));
        assertFalse(Files.exists(file));
        // -128 is outside the symmetric weight range [-127, 127].
        e = assertThrows(InvalidModelException.class, () -> dense(0.5f, 0.01f, 0.1f, (byte) -128).build());
        assertTrue(e.getMessage().contains("-128"), e.getMessage());
    }

    @Test
    void aFileWithImpossibleScalesIsRejectedWhenRead() {
        byte[] good = TernWriter.toBytes(dense(0.5f, 0.25f, 0.125f, (byte) 1).build());
        // Patch the dense node's output scale attribute (0.125f) to 1e-30f in the GRPH section and
        // fix the CRCs: the reader must reject the model, not run it.
        byte[] bad = dev.tern.runtime.format.FileImageAccess.patchFloat(good, 0.125f, 1e-30f);
        TernException e = assertThrows(TernException.class, () -> TernReader.read(java.nio.ByteBuffer.wrap(bad)));
        assertTrue(e.getMessage().contains("requantization"), e.getMessage());
    }

    @Test
    void typeRulesNameWhatIsWrong() {
        // int8 into sigmoid
        ModelBuilder b = new ModelBuilder("t").input("x", -1, 3);
        b.node(new Node("qx", OpType.QUANTIZE, in("x"), "xq", q(0.1f, 0)));
        b.node(new Node("s", OpType.SIGMOID, in("xq"), "y", Attributes.EMPTY));
        b.output("y");
        assertMessage(b, "sigmoid reads float32");
        // graph output left int8
        b = new ModelBuilder("t").input("x", -1, 3);
        b.node(new Node("qx", OpType.QUANTIZE, in("x"), "xq", q(0.1f, 0)));
        b.output("xq");
        assertMessage(b, "graph outputs must be float32");
        // quantize without scale
        b = new ModelBuilder("t").input("x", -1, 3);
        b.node(new Node("qx", OpType.QUANTIZE, in("x"), "xq", Attributes.builder().put("zero_point", 0).build()));
        b.node(new Node("dq", OpType.DEQUANTIZE, in("xq"), "y", Attributes.EMPTY));
        b.output("y");
        assertMessage(b, "needs attributes scale and zero_point");
        // zero point out of range
        b = new ModelBuilder("t").input("x", -1, 3);
        b.node(new Node("qx", OpType.QUANTIZE, in("x"), "xq", q(0.1f, 200)));
        b.node(new Node("dq", OpType.DEQUANTIZE, in("xq"), "y", Attributes.EMPTY));
        b.output("y");
        assertMessage(b, "zero point must be in [-128, 127]");
        // bias with the wrong scale
        b = dense(0.5f, 0.25f, 0.125f, (byte) 1);
        ModelBuilder c = new ModelBuilder("t").input("x", -1, 4);
        c.node(new Node("qx", OpType.QUANTIZE, in("x"), "xq", q(0.5f, 0)));
        c.constant(Tensor.ofInt8("w", new int[] {2, 4}, new byte[8], QuantParams.perTensor(0.25f, 0)));
        c.constant(Tensor.ofInt32("b", new int[] {2}, new int[2], QuantParams.perTensor(0.5f, 0)));
        c.node(new Node("dense", OpType.DENSE, in("xq", "w", "b"), "yq", q(0.1f, 0)));
        c.node(new Node("dq", OpType.DEQUANTIZE, in("yq"), "y", Attributes.EMPTY));
        c.output("y");
        assertMessage(c, "expected input scale x weight scale = 0.125");
        // int8 input with float weights
        c = new ModelBuilder("t").input("x", -1, 4);
        c.node(new Node("qx", OpType.QUANTIZE, in("x"), "xq", q(0.5f, 0)));
        c.constant("w", new int[] {2, 4}, new float[8]);
        c.node(new Node("dense", OpType.DENSE, in("xq", "w"), "y", Attributes.EMPTY));
        c.output("y");
        assertMessage(c, "int8 inputs need int8 weights");
    }

    @Test
    void accumulatorOverflowIsRejected() {
        // 70,000 inputs x 255 x 127 > 2^31 - 1.
        int n = 70_000;
        ModelBuilder b = new ModelBuilder("big").input("x", -1, n);
        b.node(new Node("qx", OpType.QUANTIZE, in("x"), "xq", q(0.5f, 0)));
        b.constant(Tensor.ofInt8("w", new int[] {1, n}, new byte[n], QuantParams.perTensor(0.01f, 0)));
        b.node(new Node("dense", OpType.DENSE, in("xq", "w"), "yq", q(0.1f, 0)));
        b.node(new Node("dq", OpType.DEQUANTIZE, in("yq"), "y", Attributes.EMPTY));
        b.output("y");
        assertMessage(b, "accumulator could overflow");
    }

    private static void assertMessage(ModelBuilder b, String part) {
        InvalidModelException e = assertThrows(InvalidModelException.class, b::build);
        assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void int8ModelSurvivesTheFileBitForBit(Backend backend) throws IOException {
        ModelDef def = TestModels.allOpsInt8(5);
        byte[] bytes = TernWriter.toBytes(def);
        assertEquals(1, java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).getShort(10), "minor version 1.1");
        ModelDef read = TernReader.read(java.nio.ByteBuffer.wrap(bytes));
        assertArrayEquals(bytes, TernWriter.toBytes(read), "re-written bytes");
        float[] x = TestModels.random(new Random(5), 2 * TestModels.ALL_OPS_INPUT_SIZE, 1f);
        TernModel a = TernModel.of(def, backend);
        TernModel b = TernModel.of(read, backend);
        try (Session sa = a.newSession(SessionOptions.defaults().withMaxBatch(2));
             Session sb = b.newSession(SessionOptions.defaults().withMaxBatch(2))) {
            sa.run(x);
            sb.run(x);
            for (String out : def.outputs()) {
                for (int s = 0; s < 2; s++) {
                    TestModels.assertBitwiseEquals(sa.output(out, s), sb.output(out, s), out);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void int8ModelTracksTheFloatModel(Backend backend) {
        // Not a bound on quantization error in general: a sanity check that the int8 graph computes
        // the float graph's function (the heads agree on the top class for most random inputs).
        ModelDef f = TestModels.allOps(7);
        ModelDef q = TestModels.allOpsInt8(7);
        Random rnd = new Random(7);
        int agree = 0;
        int n = 50;
        try (Session sf = TernModel.of(f, backend).newSession(); Session sq = TernModel.of(q, backend).newSession()) {
            for (int i = 0; i < n; i++) {
                float[] x = TestModels.random(rnd, TestModels.ALL_OPS_INPUT_SIZE, 1f);
                int a = sf.run(x).multiclass("left").argmax(0);
                int b = sq.run(x).multiclass("left").argmax(0);
                agree += a == b ? 1 : 0;
            }
        }
        assertTrue(agree >= n * 0.8, "top-1 agreement " + agree + "/" + n);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void weightOnlyInt8RunsFloatKernelsOnDequantizedWeights(Backend backend) {
        // Dense 5 -> 3 with int8 weights and float input (dynamic mode) equals, bit for bit, the
        // float model whose weights are scale[c] * q.
        Random rnd = new Random(11);
        byte[] w = new byte[15];
        float[] wf = new float[15];
        float[] scales = {0.01f, 0.02f, 0.5f};
        for (int i = 0; i < 15; i++) {
            w[i] = (byte) (rnd.nextInt(255) - 127);
            wf[i] = scales[i / 5] * w[i];
        }
        float[] bias = {0.1f, -0.2f, 0.3f};
        ModelBuilder hb = new ModelBuilder("h").input("x", -1, 5);
        hb.constant(Tensor.ofInt8("w", new int[] {3, 5}, w, new QuantParams(scales, new int[3], 0)));
        hb.constant("b", new int[] {3}, bias);
        hb.output(hb.op("dense", OpType.DENSE, Attributes.builder().put("activation", "relu").build(), "x", "w", "b"));
        ModelBuilder fb = new ModelBuilder("f").input("x", -1, 5);
        fb.output(fb.dense("dense", "x", 3, 5, wf, bias, dev.tern.runtime.model.Activation.RELU));
        ModelDef h = hb.build();
        assertEquals(DType.INT8, h.tensor("w").dtype());
        assertEquals("f32-dense-" + TernModel.of(h, backend).kernelBackends().get("dense").id(),
                TernModel.of(h, backend).kernels().get("dense"));
        float[] x = TestModels.random(rnd, 5, 2f);
        try (Session a = TernModel.of(h, backend).newSession(); Session b = TernModel.of(fb.build(), backend).newSession()) {
            a.run(x);
            b.run(x);
            TestModels.assertBitwiseEquals(b.output("dense", 0), a.output("dense", 0), "weight-only int8 vs float");
        }
    }
}
