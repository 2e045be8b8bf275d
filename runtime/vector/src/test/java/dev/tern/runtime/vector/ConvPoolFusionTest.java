package dev.tern.runtime.vector;

import dev.tern.runtime.Backend;
import dev.tern.runtime.PlanOptions;
import dev.tern.runtime.internal.KernelSpec;
import dev.tern.runtime.Session;
import dev.tern.runtime.SessionOptions;
import dev.tern.runtime.TernException;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.Padding;
import dev.tern.runtime.model.QuantParams;
import dev.tern.runtime.model.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused int8 Conv2D + 2x2 max pool ({@code int8-conv2d+max_pool-vector}): the same bytes
 * as the two kernels run one after the other (the reference's, and the vector backend's with
 * fusion off) on random shapes, and the plan fuses only where that is exact.
 * Requantization is monotonic in the int32 sum, so pooling the raw sums and requantizing once
 * must give the bytes of requantizing four times and pooling.
 */
class ConvPoolFusionTest {
    static final long SEED = Long.getLong("tern.test.seed", 0x7E57_2024L);
    /** The names of the fused kernels' variants start so. */
    static final String FUSED = "int8-conv2d+max_pool-";
    static final int L = Lanes.floatLanes();

    private String savedKernels;
    private String savedFuse;

    @BeforeEach
    void save() {
        savedKernels = System.getProperty("tern.kernels");
        savedFuse = System.getProperty("tern.fuse");
        System.clearProperty("tern.kernels");
        System.clearProperty("tern.fuse");
        TernModel.vectorBackendStatus(); // loads the vector jar's registrations
    }

    @AfterEach
    void restore() {
        restore("tern.kernels", savedKernels);
        restore("tern.fuse", savedFuse);
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    /** One random int8 conv + pool layer: geometry, quantization, data. */
    static final class Layer {
        int h, w, cin, cout, k, stride, batch;
        Padding convPad;
        Activation act;
        int poolWindow = 2, poolStride = 2;
        Padding poolPad = Padding.VALID;
        float inScale, outScale;
        int inZero, outZero;
        float[] wScales;
        byte[] weights;
        int[] bias;
        /** Input bytes (batch x h x w x cin), fed as the floats that quantize back to them. */
        byte[] q;

        @Override
        public String toString() {
            return "x=[" + h + "," + w + "," + cin + "] cout=" + cout + " k=" + k + " stride=" + stride + " " + convPad
                    + " " + act.id() + " zp in/out " + inZero + "/" + outZero + " pool " + poolWindow + "/" + poolStride
                    + " " + poolPad + " batch=" + batch + " bias=" + (bias != null);
        }

        float[] input() {
            float[] x = new float[q.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = (q[i] - inZero) * inScale;
            }
            return x;
        }

        /** Output dims of the conv (h, w). */
        int convOut(int size) {
            return convPad == Padding.SAME ? (size + stride - 1) / stride : (size - k) / stride + 1;
        }
    }

    /** A random layer; k, stride and padding random where k is 0, else 3x3 stride 1 SAME. */
    static Layer randomLayer(Random rnd, int h, int w, int cin, int cout, int k) {
        Layer c = new Layer();
        c.h = h;
        c.w = w;
        c.cin = cin;
        c.cout = cout;
        c.k = k > 0 ? k : new int[] {3, 3, 3, 1, 2, 5}[rnd.nextInt(6)];
        c.stride = k > 0 || rnd.nextInt(4) != 0 ? 1 : 2;
        c.convPad = k > 0 || rnd.nextBoolean() ? Padding.SAME : Padding.VALID;
        if (c.convOut(h) < 2 || c.convOut(w) < 2) {
            c.convPad = Padding.SAME;
        }
        c.act = Activation.values()[rnd.nextInt(3)];
        c.batch = 1 + rnd.nextInt(3);
        c.inZero = new int[] {-128, 127, 0, rnd.nextInt(256) - 128}[rnd.nextInt(4)];
        c.outZero = new int[] {-128, 127, -5, rnd.nextInt(256) - 128}[rnd.nextInt(4)];
        c.inScale = 0.01f + rnd.nextFloat() * 0.05f;
        int taps = c.k * c.k * cin;
        c.weights = new byte[cout * taps];
        for (int i = 0; i < c.weights.length; i++) {
            c.weights[i] = (byte) (rnd.nextInt(255) - 127);
        }
        c.wScales = new float[cout];
        for (int o = 0; o < cout; o++) {
            c.wScales[o] = 0.002f + rnd.nextFloat() * 0.02f;
        }
        // output scale: a typical sum (sqrt(taps) x 64 x 73 integer units) spans about 60 output steps,
        // stretched so that some layers saturate and some barely use the range
        double typical = Math.sqrt(taps) * 64 * 73 * c.inScale * c.wScales[0];
        c.outScale = (float) (typical / 60 * Math.exp(rnd.nextGaussian()));
        if (rnd.nextInt(5) == 0) {
            // one channel with a multiplier >= 1 (a left shift: the scalar requantization form)
            c.wScales[rnd.nextInt(cout)] = (float) (1.5 * c.outScale / c.inScale);
        }
        if (rnd.nextInt(4) != 0) {
            c.bias = new int[cout];
            for (int o = 0; o < cout; o++) {
                c.bias[o] = (int) (rnd.nextGaussian() * 3 * Math.sqrt(taps) * 64 * 73);
            }
        }
        c.q = new byte[c.batch * h * w * cin];
        int mode = rnd.nextInt(3);
        for (int i = 0; i < c.q.length; i++) {
            // mode 1: bands at the zero point (windows whose sums are exactly 0); mode 2: saturated ends
            int pixelRow = i / (w * cin) % h;
            c.q[i] = (byte) (mode == 1 && pixelRow % 5 < 2 ? c.inZero
                    : mode == 2 ? (rnd.nextBoolean() ? -128 : 127) : rnd.nextInt(256) - 128);
        }
        return c;
    }

    /** quantize -> conv (int8) -> max pool -> dequantize to "y"; extra nodes by variant. */
    static ModelDef model(Layer c, String variant) {
        ModelBuilder b = new ModelBuilder("convpool").input("x", -1, c.h, c.w, c.cin);
        if (variant.equals("between")) {
            b.input("z", -1, 7);
        }
        b.node(new Node("xq", OpType.QUANTIZE, list("x"), "x_q",
                Attributes.builder().put("scale", c.inScale).put("zero_point", c.inZero).build()));
        List<String> ins = list("x_q");
        ins.add(b.constant(Tensor.ofInt8("conv/filter", new int[] {c.cout, c.k, c.k, c.cin}, c.weights,
                new QuantParams(c.wScales, new int[c.cout], 0))));
        if (c.bias != null) {
            float[] bs = new float[c.cout];
            for (int o = 0; o < c.cout; o++) {
                bs[o] = (float) ((double) c.inScale * c.wScales[o]);
            }
            ins.add(b.constant(Tensor.ofInt32("conv/bias", new int[] {c.cout}, c.bias, new QuantParams(bs, new int[c.cout], 0))));
        }
        b.node(new Node("conv", OpType.CONV2D, ins, "c", Attributes.builder().put("strides", new int[] {c.stride, c.stride})
                .put("padding", c.convPad.id()).put("activation", c.act.id()).put("scale", c.outScale)
                .put("zero_point", c.outZero).build()));
        if (variant.equals("between")) {
            // an int8 value defined and dead between the conv and the pool: without the pool output's
            // lifetime starting at the fused conv, the arena puts both at the same offset
            b.node(new Node("zq", OpType.QUANTIZE, list("z"), "z_q",
                    Attributes.builder().put("scale", 0.1f).put("zero_point", 3).build()));
            b.node(new Node("zdq", OpType.DEQUANTIZE, list("z_q"), "zf", Attributes.EMPTY));
            b.output("zf");
        }
        if (variant.equals("shared")) {
            // the conv output also read by a second node: not fused
            b.node(new Node("cdq", OpType.DEQUANTIZE, list("c"), "cf", Attributes.EMPTY));
            b.output("cf");
        }
        b.node(new Node("pool", OpType.MAX_POOL, list("c"), "p", Attributes.builder()
                .put("window", new int[] {c.poolWindow, c.poolWindow}).put("strides", new int[] {c.poolStride, c.poolStride})
                .put("padding", c.poolPad.id()).build()));
        b.node(new Node("dq", OpType.DEQUANTIZE, list("p"), "y", Attributes.EMPTY));
        b.output("y");
        return b.build();
    }

    private static List<String> list(String s) {
        List<String> l = new ArrayList<>();
        l.add(s);
        return l;
    }

    /** Every output of every sample, the model compiled as {@code options} say. */
    static Map<String, float[][]> run(ModelDef def, Backend backend, PlanOptions options, Map<String, float[]> in, int batch,
                                      Map<String, String> kernels) {
        TernModel m = TernModel.of(def, backend, options);
        if (kernels != null) {
            kernels.putAll(m.kernels());
        }
        Map<String, float[][]> out = new LinkedHashMap<>();
        try (Session s = m.newSession(SessionOptions.defaults().withMaxBatch(batch))) {
            s.run(in, m.allTasks());
            for (String o : def.outputs()) {
                float[][] y = new float[batch][];
                for (int i = 0; i < batch; i++) {
                    y[i] = s.output(o, i);
                }
                out.put(o, y);
            }
        }
        return out;
    }

    /**
     * Runs a layer on the reference, on vector unfused and vector fused; all three agree bit
     * for bit (dequantizing is one-to-one, so equal floats are equal bytes); returns whether
     * the plan fused the pair.
     */
    static boolean check(Layer c, String variant) {
        return check(c, variant, PlanOptions.defaults()) != null;
    }

    /**
     * {@link #check(Layer, String)} with the fused run compiled as {@code fused} says (say, asking
     * for one variant of the fused kernel); returns the fused kernel's name, or null where the
     * pair was not fused.
     */
    static String check(Layer c, String variant, PlanOptions fusedOptions) {
        ModelDef def = model(c, variant);
        Map<String, float[]> in = new LinkedHashMap<>();
        in.put("x", c.input());
        if (variant.equals("between")) {
            float[] z = new float[7 * c.batch];
            for (int i = 0; i < z.length; i++) {
                z[i] = i * 0.37f - 1f;
            }
            in.put("z", z);
        }
        Map<String, String> unfused = new LinkedHashMap<>();
        Map<String, String> fused = new LinkedHashMap<>();
        Map<String, float[][]> ref = run(def, Backend.REFERENCE, PlanOptions.defaults(), in, c.batch, null);
        Map<String, float[][]> never = run(def, Backend.VECTOR, PlanOptions.defaults().withFusion(false), in, c.batch, unfused);
        Map<String, float[][]> auto = run(def, Backend.VECTOR, fusedOptions, in, c.batch, fused);
        assertTrue(unfused.get("conv").startsWith("int8-conv2d-")
                && unfused.get("conv").endsWith(Lanes.WIDE_BYTES ? "-vector" : "-scalar"), unfused.get("conv") + " " + c);
        for (String o : def.outputs()) {
            for (int s = 0; s < c.batch; s++) {
                assertArrayEquals(ref.get(o)[s], never.get(o)[s], 0f, "unfused, output " + o + " sample " + s + ": " + c);
                assertArrayEquals(ref.get(o)[s], auto.get(o)[s], 0f, "fused " + fused.get("conv") + ", output " + o
                        + " sample " + s + ": " + c);
            }
        }
        boolean isFused = fused.get("conv").startsWith(FUSED);
        assertEquals(isFused ? "fused into conv" : unfused.get("pool"), fused.get("pool"), c.toString());
        return isFused ? fused.get("conv") : null;
    }

    /** The random layers of {@link #fusedConvPoolMatchesTheUnfusedKernelsBitForBit}, from a seed. */
    static Layer randomLayer(Random rnd) {
        int[] cins = {1, 2, 3, 8, 17, 2 * L + 1, 40};
        int[] couts = {1, 3, L, 2 * L - 1, 2 * L, 2 * L + 3, 4 * L + 5, 64};
        int h = 4 + rnd.nextInt(14);
        int w = 4 + rnd.nextInt(14);
        return randomLayer(rnd, h, w, cins[rnd.nextInt(cins.length)], couts[rnd.nextInt(couts.length)], 0);
    }

    /**
     * The property test of one fused kernel variant (a registry entry): on {@code cases} random
     * layers, the plan asked to use it, the same bytes as the unfused kernels and the reference
     * wherever it takes the pair; returns how many it took.
     */
    static int checkVariant(KernelSpec spec, long seed, int cases) {
        assertEquals(KernelSpec.Kind.FUSED, spec.kind, spec.name);
        Random rnd = new Random(seed);
        int took = 0;
        for (int i = 0; i < cases; i++) {
            Layer c = randomLayer(rnd);
            String name = check(c, "plain", PlanOptions.defaults().preferring(spec.name));
            took += spec.name.equals(name) ? 1 : 0;
        }
        return took;
    }

    /**
     * Random layers with fixed seeds: input and output channels around multiples of 2L (the
     * narrow last channel block), odd and even conv outputs (VALID pooling drops the last row
     * and column of an odd one; an odd pooled width overlaps its last pair), SAME and VALID,
     * kernels 1 to 5, strides 1 and 2, no activation, ReLU and ReLU6, zero points at both ends,
     * zero-point bands and saturated inputs, channels with a left-shift multiplier, batches 1-3.
     */
    @Test
    void fusedConvPoolMatchesTheUnfusedKernelsBitForBit() {
        Random rnd = new Random(SEED);
        int fusedCount = 0;
        int cases = 120;
        for (int i = 0; i < cases; i++) {
            Layer c = randomLayer(rnd);
            boolean expected = Lanes.WIDE_BYTES && c.convOut(c.w) / 2 >= 2 && c.convOut(c.h) / 2 >= 1
                    && Int8Conv2d.floatExact(c.weights, c.cout, c.k * c.k * c.cin, c.inZero);
            boolean fused = check(c, "plain");
            assertEquals(expected, fused, "case " + i + ": " + c);
            fusedCount += fused ? 1 : 0;
        }
        if (Lanes.WIDE_BYTES) {
            assertTrue(fusedCount > cases / 2, fusedCount + " of " + cases + " cases fused");
        }
    }

    /** The teacher's two fused shapes, exactly: 36x36x32 -> 32 and 18x18x64 -> 64, 3x3 SAME ReLU. */
    @Test
    void teacherShapesFuseAndMatch() {
        Random rnd = new Random(SEED + 1);
        for (int[] s : new int[][] {{36, 32, 32}, {18, 64, 64}}) {
            Layer c = randomLayer(rnd, s[0], s[0], s[1], s[2], 3);
            c.act = Activation.RELU;
            assertEquals(Lanes.WIDE_BYTES, check(c, "plain"), c.toString());
        }
    }

    /** Where the plan must not fuse, or the kernel must decline: the unfused kernels run, same bytes. */
    @Test
    void fallsBackWhereFusionDoesNotApply() {
        Random rnd = new Random(SEED + 2);
        // the conv output has a second reader
        Layer c = randomLayer(rnd, 8, 8, 4, 2 * L + 3, 3);
        assertTrue(!check(c, "shared"), "conv output read twice: " + c);
        // pool windows the fused kernel does not take: 3x3 stride 1 SAME, 2x2 stride 1, 2x2 SAME over an odd size
        c = randomLayer(rnd, 9, 9, 3, 5, 3);
        c.poolWindow = 3;
        c.poolStride = 1;
        c.poolPad = Padding.SAME;
        assertTrue(!check(c, "plain"), c.toString());
        c.poolWindow = 2;
        assertTrue(!check(c, "plain"), c.toString());
        c.poolStride = 2;
        assertTrue(!check(c, "plain"), "SAME over 9 clips the last window: " + c);
        // ... but 2x2 SAME over an even size has whole windows only, as VALID
        c = randomLayer(rnd, 10, 10, 3, 5, 3);
        c.poolPad = Padding.SAME;
        assertEquals(Lanes.WIDE_BYTES, check(c, "plain"), c.toString());
        // a pooled row one pixel wide
        c = randomLayer(rnd, 8, 3, 2, 7, 3);
        assertTrue(!check(c, "plain"), c.toString());
        // the conv's int32 path (3 x 3 x 320 random taps pass 2^24): the kernel declines
        c = randomLayer(rnd, 6, 8, 320, 2 * L + 3, 3);
        assertTrue(!Int8Conv2d.floatExact(c.weights, c.cout, 9 * c.cin, c.inZero));
        assertTrue(!check(c, "plain"), c.toString());
    }

    /**
     * An int8 value defined and dead between the fused conv and its pool: the fused kernel
     * writes the pool's output when the conv runs, so the plan must keep that value elsewhere.
     */
    @Test
    void valuesBetweenTheFusedNodesDoNotShareThePoolOutput() {
        Random rnd = new Random(SEED + 3);
        Layer c = randomLayer(rnd, 8, 8, 4, 8, 3);
        assertEquals(Lanes.WIDE_BYTES, check(c, "between"));
    }

    @Test
    void fuseSwitchIsChecked() {
        Layer c = randomLayer(new Random(SEED + 4), 8, 8, 2, 3, 3);
        System.setProperty("tern.fuse", "sometimes");
        try {
            TernException e = assertThrows(TernException.class, () -> TernModel.of(model(c, "plain"), Backend.VECTOR));
            assertTrue(e.getMessage().contains("tern.fuse"), e.getMessage());
        } finally {
            System.clearProperty("tern.fuse");
        }
    }

    /**
     * The shipped int8 teacher: Conv2d_1 and Conv2d_3 fuse with the max pools after them, and
     * its outputs are the same bytes fused, unfused and on the reference, on canvases with
     * black bands, all black, all white, random, and sparse.
     */
    @Test
    void int8TeacherFusedMatchesUnfusedAndTheReference() throws IOException {
        Path file = Paths.get("../../models/multifashion/hard-int8.tern");
        Assumptions.assumeTrue(Files.isRegularFile(file), "run from runtime/vector in the repo");
        TernModel ref = TernModel.load(file, Backend.REFERENCE);
        TernModel never = TernModel.load(file, Backend.VECTOR, PlanOptions.defaults().withFusion(false));
        TernModel fused = TernModel.load(file, Backend.VECTOR, PlanOptions.defaults());
        String vectorConv = Lanes.WIDE_BYTES ? VectorBackendTest.teacherConv() : "int8-conv2d-scalar";
        assertEquals(vectorConv, never.kernels().get("Conv2d_1"));
        assertEquals(vectorConv, fused.kernels().get("Conv2d"), "the first conv feeds a conv");
        if (Lanes.WIDE_BYTES) {
            String pool = vectorConv.replace("int8-conv2d-", FUSED);
            assertEquals(pool, fused.kernels().get("Conv2d_1"), fused.kernels().toString());
            assertEquals(pool, fused.kernels().get("Conv2d_3"), fused.kernels().toString());
            assertEquals("fused into Conv2d_1", fused.kernels().get("MaxPool"), fused.kernels().toString());
            assertEquals("fused into Conv2d_3", fused.kernels().get("MaxPool_1"), fused.kernels().toString());
        } else {
            assertEquals(never.kernels(), fused.kernels());
        }
        int size = ref.def().inputs().get(0).sampleSize();
        int batch = 6;
        float[] x = new float[batch * size];
        Random rnd = new Random(SEED + 9);
        for (int i = 0; i < size; i++) {
            x[i] = (i / 36) % 12 < 5 ? 0f : rnd.nextFloat();
            x[size + i] = 0f;
            x[2 * size + i] = 1f;
            x[3 * size + i] = rnd.nextFloat();
            x[4 * size + i] = rnd.nextFloat() < 0.7f ? 0f : rnd.nextFloat();
            x[5 * size + i] = (i % 36) < 18 ? 1f : rnd.nextFloat() * 0.2f;
        }
        SessionOptions options = SessionOptions.defaults().withMaxBatch(batch);
        try (Session a = ref.newSession(options); Session b = never.newSession(options); Session f = fused.newSession(options)) {
            a.run(x, ref.allTasks());
            b.run(x, never.allTasks());
            f.run(x, fused.allTasks());
            for (String out : ref.def().outputs()) {
                for (int s = 0; s < batch; s++) {
                    assertArrayEquals(a.output(out, s), b.output(out, s), 0f, "unfused " + out + " sample " + s);
                    assertArrayEquals(a.output(out, s), f.output(out, s), 0f, "fused " + out + " sample " + s);
                }
            }
        }
    }
}
