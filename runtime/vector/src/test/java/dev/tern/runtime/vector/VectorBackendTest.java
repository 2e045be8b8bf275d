package dev.tern.runtime.vector;

import dev.tern.runtime.Backend;
import dev.tern.runtime.Results;
import dev.tern.runtime.Session;
import dev.tern.runtime.SessionOptions;
import dev.tern.runtime.TaskSet;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.format.TernWriter;
import dev.tern.runtime.KernelChecks;
import dev.tern.runtime.OpCases;
import dev.tern.runtime.internal.KernelRegistry;
import dev.tern.runtime.internal.KernelSpec;
import dev.tern.runtime.PlanOptions;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.Padding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Vector API backend, in a JVM that has jdk.incubator.vector and this jar: it is the
 * default, its kernels are registered, and every one of them matches the reference on random
 * shapes with vector tails (sizes around multiples of the lane count).
 */
class VectorBackendTest {
    static final long SEED = Long.getLong("tern.test.seed", 0x7E57_2024L);
    /** Unit roundoff of float32 (2^-24). */
    static final double U = Math.ulp(1f) / 2;

    private String savedProperty;

    @BeforeEach
    void clearOverride() {
        savedProperty = System.getProperty("tern.kernels");
        System.clearProperty("tern.kernels");
    }

    @AfterEach
    void restoreOverride() {
        if (savedProperty == null) {
            System.clearProperty("tern.kernels");
        } else {
            System.setProperty("tern.kernels", savedProperty);
        }
    }

    @Test
    void vectorIsTheDefaultBackendWhenTheIncubatorModuleIsPresent() {
        assertEquals("available", TernModel.vectorBackendStatus());
        assertEquals(Backend.VECTOR, TernModel.defaultBackend());
        TernModel m = TernModel.of(allOps(1));
        assertEquals(Backend.VECTOR, m.backend());
        assertEquals("f32-dense-vector", m.kernels().get("fc"));
        assertTrue(m.kernels().get("conv").matches("f32-conv2d(-patches)?-vector"), m.kernels().get("conv"));
        assertEquals("f32-max_pool-vector", m.kernels().get("mp"));
        ModelBuilder avg = new ModelBuilder("avg").input("x", -1, 4, 4, 3);
        avg.output(avg.avgPool("ap", "x", 2, 2, Padding.VALID));
        assertEquals(Backend.SCALAR, TernModel.of(avg.build()).kernelBackends().get("ap"),
                "ops without a vector kernel fall back to scalar");
        assertEquals(Backend.REFERENCE, m.kernelBackends().get("sm"), "and from there to the reference");
        System.setProperty("tern.kernels", "scalar");
        assertEquals(Backend.SCALAR, TernModel.defaultBackend(), "-Dtern.kernels still wins");
    }

    @Test
    void loadUsesTheVectorBackend(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("m.tern");
        TernWriter.write(allOps(2), file);
        assertEquals(Backend.VECTOR, TernModel.load(file).backend());
    }

    @Test
    void laneCountIsAPowerOfTwo() {
        int lanes = Lanes.floatLanes();
        assertTrue(lanes >= 1 && Integer.bitCount(lanes) == 1, "lanes " + lanes);
    }

    /**
     * The int8 conv variant the shipped teacher's convolutions get on this machine with the
     * {@code -Dtern.*} switches of this JVM: the fma path over a padded copy, six-pixel blocks
     * where there are 32 vector registers, the float requantization (all proven exact there).
     */
    static String teacherConv() {
        PlanOptions o = PlanOptions.fromSystemProperties();
        boolean six = Lanes.REGISTERS_32 && !o.withoutVariants().contains("pad6");
        boolean fp32 = !o.withoutVariants().contains("fp32");
        return "int8-conv2d-fma-" + (six ? "pad6" : "pad4") + "-" + (fp32 ? "fp32" : "gemmlowp") + "-vector";
    }

    /** The entries this module's tests run: the vector backend's, and the scalar sparse ones it falls back to. */
    static List<KernelSpec> vectorEntries() {
        List<KernelSpec> out = new ArrayList<>();
        for (KernelSpec e : KernelRegistry.all().specs()) {
            if (e.backend == Backend.VECTOR || e.kind == KernelSpec.Kind.SPARSE && e.backend != Backend.REFERENCE) {
                out.add(e);
            }
        }
        return out;
    }

    /** Why the vector tests have no property test for {@code e}, or null. */
    static String missing(KernelSpec e) {
        if (e.kind == KernelSpec.Kind.FUSED) {
            return e.op == OpType.CONV2D && e.second == OpType.MAX_POOL && e.dtype == DType.INT8 ? null
                    : "no property test for fused " + e.name + ": add one as ConvPoolFusionTest.checkVariant";
        }
        return KernelChecks.missing(e);
    }

    @Test
    void everyVectorEntryHasAPropertyTest() {
        List<KernelSpec> entries = vectorEntries();
        StringBuilder b = new StringBuilder("vector backend's registry entries (" + entries.size() + ", "
                + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit vectors):\n");
        for (KernelSpec e : entries) {
            b.append(String.format("  %-6s %-5s %s%n", e.kind.name().toLowerCase(java.util.Locale.ROOT), e.auto ? "auto" : "asked",
                    e.name));
        }
        System.out.print(b);
        assertTrue(entries.stream().anyMatch(e -> e.backend == Backend.VECTOR), "the vector jar listed no kernels");
        List<String> missing = new ArrayList<>();
        for (KernelSpec e : entries) {
            if (missing(e) != null) {
                missing.add(missing(e));
            }
        }
        assertEquals(List.of(), missing);
    }

    /** Sizes around the lane count L, the 4/8/16 tiles, and primes. */
    static List<Integer> sizes() {
        int l = Lanes.floatLanes();
        TreeSet<Integer> s = new TreeSet<>(Arrays.asList(1, 2, 3, 4, 5, 7, 8, 9, 13, 15, 16, 17, 31, 32, 33, 97, 257,
                l - 1, l, l + 1, 2 * l - 1, 2 * l, 2 * l + 1, 3 * l, 3 * l + 1, 4 * l - 1, 4 * l + 3, 8 * l + l / 2));
        s.remove(0);
        return new ArrayList<>(s);
    }

    /**
     * Every entry of {@link #vectorEntries()}, variants included, against the reference: f32
     * Dense on dot lengths around the lane count ({@link #denseCase}), the other plain kernels
     * on the core's random op cases (both paddings, strides, tails, batches, offsets) with the
     * plan asked to use them, sparse kernels on masked weights, fused kernels on random layers.
     */
    @TestFactory
    List<DynamicNode> everyVectorKernelMatchesTheReference() {
        List<DynamicNode> perKernel = new ArrayList<>();
        for (KernelSpec e : vectorEntries()) {
            List<DynamicNode> tests = new ArrayList<>();
            if (e.kind == KernelSpec.Kind.FUSED) {
                long seed = SEED * 43 + e.name.hashCode();
                tests.add(DynamicTest.dynamicTest("40 random layers seed " + seed,
                        () -> assertTrue(ConvPoolFusionTest.checkVariant(e, seed, 40) > 0, e.name + " took no layer")));
            } else if (e.kind == KernelSpec.Kind.SPARSE) {
                for (double sp : dev.tern.runtime.SparseChecks.SPARSITIES) {
                    for (int size : new int[] {1, 5, F_LANES - 1, F_LANES, F_LANES + 1, 4 * F_LANES + 3, 129}) {
                        long seed = SEED * 41 + size + (long) (sp * 1000);
                        tests.add(DynamicTest.dynamicTest("sparsity=" + sp + " size=" + size + " seed=" + seed,
                                () -> dev.tern.runtime.SparseChecks.check(e, size, seed, sp)));
                    }
                }
            } else if (e.op == OpType.DENSE && e.dtype == DType.FLOAT32) {
                for (int size : sizes()) {
                    long seed = SEED * 31 + size;
                    tests.add(DynamicTest.dynamicTest("in=" + size + " seed=" + seed, () -> denseCase(size, seed)));
                }
            } else {
                tests.addAll(KernelChecks.tests(e, SEED));
            }
            perKernel.add(DynamicContainer.dynamicContainer(e.name, tests));
        }
        return perKernel;
    }

    static final int F_LANES = Lanes.floatLanes();

    /** Which int8 kernels the vector jar lists follows the vector size (see Lanes.WIDE_BYTES). */
    @Test
    void int8WideningKernelsAreRegisteredOnlyWithByteVectorsAsWideAsIntVectors() {
        TernModel.vectorBackendStatus();
        boolean wide = jdk.incubator.vector.IntVector.SPECIES_PREFERRED.length() * 8 >= 64;
        assertEquals(wide, Lanes.WIDE_BYTES);
        for (OpType op : new OpType[] {OpType.CONV2D, OpType.DEPTHWISE_CONV2D, OpType.DENSE}) {
            assertEquals(wide, !KernelRegistry.all().find(KernelSpec.Kind.PLAIN, op, null, DType.INT8, Backend.VECTOR).isEmpty(),
                    op + " at "
                    + jdk.incubator.vector.IntVector.SPECIES_PREFERRED.vectorBitSize() + " bits");
        }
    }

    /** Dense with dot length {@code in}, random out / bias / activation / batch / arena offset. */
    static void denseCase(int in, long seed) {
        Random rnd = new Random(seed);
        for (int variant = 0; variant < 3; variant++) {
            int out = new int[] {1, 3, 8, 17, 33}[rnd.nextInt(5)];
            // batches 1-3 run sample by sample; 4 and more also take the 4-sample blocked path and its remainder
            int batch = variant == 2 ? 4 + rnd.nextInt(6) : 1 + rnd.nextInt(3);
            int pad = variant == 1 ? 1 + rnd.nextInt(40) : 0;
            Activation act = Activation.values()[variant];
            float[] w = random(rnd, in * out, 1f);
            float[] bias = rnd.nextInt(4) == 0 ? null : random(rnd, out, 1f);
            float[] x = random(rnd, in * batch, 1f);
            float[] padIn = random(rnd, Math.max(pad, 1) * batch, 1f);
            String ctx = "in=" + in + " out=" + out + " batch=" + batch + " pad=" + pad + " " + act.id() + " bias="
                    + (bias != null) + " seed=" + seed;

            float[][] ref = runDense(in, out, w, bias, act, pad, x, padIn, batch, Backend.REFERENCE);
            float[][] vec = runDense(in, out, w, bias, act, pad, x, padIn, batch, Backend.VECTOR);
            // sum |w||x| + |b| per output, from the reference on absolute values without activation
            float[][] mag = runDense(in, out, abs(w), bias == null ? null : abs(bias), Activation.NONE, pad, abs(x),
                    padIn, batch, Backend.REFERENCE);
            for (int s = 0; s < batch; s++) {
                for (int o = 0; o < out; o++) {
                    // float32 dot of length n in any order: |error| <= n u sum|terms| (Higham 3.1); the
                    // reference rounds once more; x2 margin. Same bound as the core KernelPropertyTest.
                    double tol = 2.0 * (in + 2) * U * mag[s][o] + Float.MIN_NORMAL;
                    double diff = Math.abs((double) vec[s][o] - ref[s][o]);
                    if (!(diff <= tol)) {
                        fail(ctx + ": sample " + s + " output " + o + " reference " + ref[s][o] + " vector " + vec[s][o]
                                + " |diff| " + diff + " > " + tol);
                    }
                }
            }
        }
    }

    static float[][] runDense(int in, int out, float[] w, float[] bias, Activation act, int pad, float[] x, float[] padIn,
                              int batch, Backend backend) {
        ModelBuilder b = new ModelBuilder("dense");
        if (pad > 0) {
            b.input("pad", -1, pad);
        }
        b.input("x", -1, in);
        b.output(b.dense("fc", "x", out, in, w, bias, act));
        TernModel m = TernModel.of(b.build(), backend);
        assertEquals("f32-dense-" + backend.id(), m.kernels().get("fc"));
        Map<String, float[]> inputs = new LinkedHashMap<>();
        if (pad > 0) {
            inputs.put("pad", Arrays.copyOf(padIn, pad * batch));
        }
        inputs.put("x", x);
        try (Session s = m.newSession(SessionOptions.defaults().withMaxBatch(batch))) {
            s.run(inputs, m.allTasks());
            float[][] y = new float[batch][];
            for (int i = 0; i < batch; i++) {
                y[i] = s.output("fc", i);
            }
            return y;
        }
    }

    @Test
    void int8ConvFloatPathBound() {
        // zero point -128: |q - zp| <= 255; 255 x 127 = 32,385 per tap; 2^24 / 32,385 = 518.05
        byte[] w = new byte[519];
        Arrays.fill(w, (byte) -127);
        assertTrue(Int8Conv2d.floatExact(w, 1, 518, -128), "518 full-scale taps stay below 2^24");
        assertTrue(!Int8Conv2d.floatExact(w, 1, 519, -128), "519 reach 2^24");
        // zero point 0: |q| <= 128, so up to 1,032 taps
        byte[] w2 = new byte[2 * 1032];
        Arrays.fill(w2, (byte) 127);
        assertTrue(Int8Conv2d.floatExact(w2, 2, 1032, 0));
        w2[1032 + 5] = 0; // the second channel is smaller; the first still decides
        assertTrue(!Int8Conv2d.floatExact(w2, 1, 1033, 0));
    }

    /**
     * The int8 convolution on both of its paths, bit for bit against the reference: 16 input
     * channels (float FMAs, exact) and 320 (3 x 3 x 320 taps of random weights pass 2^24:
     * int multiply-adds); output channels 2L + 3 so the narrow last block runs too.
     */
    @Test
    void int8ConvBothPathsMatchTheReference() {
        TernModel.vectorBackendStatus();
        int lanes = Lanes.floatLanes();
        for (int cin : new int[] {16, 320}) {
            Random rnd = new Random(SEED + cin);
            int cout = 2 * lanes + 3;
            int h = 9;
            int w = 10;
            int batch = 2;
            ModelBuilder b = new ModelBuilder("conv").input("x", -1, h, w, cin);
            b.output(b.conv2d("conv", "x", new int[] {cout, 3, 3, cin}, ModelBuilder.random(rnd, cout * 9 * cin, 1f),
                    ModelBuilder.random(rnd, cout, 1f), 1, Padding.SAME, Activation.RELU));
            float[] x = ModelBuilder.random(rnd, batch * h * w * cin, 1f);
            Map<String, float[]> in = Collections.singletonMap("x", x);
            ModelDef q = dev.tern.runtime.Int8Cases.quantize(b.build(), in, batch, rnd);
            String filter = null;
            for (dev.tern.runtime.model.Node n : q.nodes()) {
                if (n.op() == OpType.CONV2D) {
                    filter = n.inputs().get(1);
                }
            }
            byte[] weights = q.tensor(filter).int8s();
            int zp = q.typeOf(q.nodes().stream().filter(n -> n.op() == OpType.CONV2D).findFirst().get().inputs().get(0))
                    .zeroPoint();
            assertEquals(cin == 16, Int8Conv2d.floatExact(weights, cout, 9 * cin, zp), "path for cin " + cin);
            float[][] ref = runAll(q, Backend.REFERENCE, in, batch);
            float[][] vec = runAll(q, Backend.VECTOR, in, batch);
            for (int s = 0; s < batch; s++) {
                assertArrayEquals(ref[s], vec[s], 0f, "cin " + cin + " sample " + s);
            }
        }
    }

    /**
     * The int8 convolution's row blocking on the float path, bit for bit against the
     * reference for output widths 1 to 14 (every remainder after six- or four-pixel blocks,
     * the blocks that overlap the one before, the unpadded edge path below four pixels), with
     * SAME and VALID padding and strides 1 and 2; two channel blocks, the second narrow.
     */
    @Test
    void int8ConvEveryRowWidthMatchesTheReference() {
        TernModel.vectorBackendStatus();
        int lanes = Lanes.floatLanes();
        Random rnd = new Random(SEED + 14);
        int cin = 5;
        int cout = 2 * lanes + 3;
        int batch = 2;
        for (int stride = 1; stride <= 2; stride++) {
            for (Padding pad : new Padding[] {Padding.SAME, Padding.VALID}) {
                for (int out = 1; out <= 14; out++) {
                    int w = pad == Padding.SAME ? (out - 1) * stride + 1 : (out - 1) * stride + 3;
                    int h = 4;
                    ModelBuilder b = new ModelBuilder("conv").input("x", -1, h, w, cin);
                    b.output(b.conv2d("conv", "x", new int[] {cout, 3, 3, cin},
                            ModelBuilder.random(rnd, cout * 9 * cin, 1f), ModelBuilder.random(rnd, cout, 1f), stride, pad,
                            Activation.RELU));
                    float[] x = ModelBuilder.random(rnd, batch * h * w * cin, 1f);
                    Map<String, float[]> in = Collections.singletonMap("x", x);
                    ModelDef q = dev.tern.runtime.Int8Cases.quantize(b.build(), in, batch, rnd);
                    float[][] ref = runAll(q, Backend.REFERENCE, in, batch);
                    float[][] vec = runAll(q, Backend.VECTOR, in, batch);
                    for (int s = 0; s < batch; s++) {
                        assertEquals(out, ref[s].length / cout / ((h - (pad == Padding.SAME ? 1 : 3)) / stride + 1),
                                "output width");
                        assertArrayEquals(ref[s], vec[s], 0f, pad + " stride " + stride + " width " + out + " sample " + s);
                    }
                }
            }
        }
    }

    /**
     * The vector Quantize gives the reference's bytes: exact ties (x / scale = k + 0.5 with a
     * power-of-two scale), values a hair either side of a tie, +-0, subnormals, values beyond
     * the range and huge, +-Inf and NaN (finite check off), and random values, for zero points
     * at both ends and in the middle, over a length with a scalar tail. Dequantizing after it
     * is one-to-one, so equal floats out mean equal bytes.
     */
    @Test
    void quantizeMatchesTheReferenceBitForBit() {
        TernModel.vectorBackendStatus();
        int lanes = Lanes.floatLanes();
        Random rnd = new Random(SEED);
        List<Float> special = new ArrayList<>();
        for (int k = -300; k <= 300; k++) {
            float tie = (k + 0.5f) * 0.25f;
            special.add(tie);
            special.add(Math.nextUp(tie));
            special.add(Math.nextDown(tie));
            special.add(k * 0.25f);
        }
        for (float v : new float[] {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 1e30f, -1e30f, Float.MAX_VALUE,
                -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 0.49999997f,
                -0.49999997f, 63.999996f, -64.00001f}) {
            special.add(v);
        }
        int n = 8 * lanes + 5;
        int batch = (special.size() + n - 1) / n + 4;
        float[] x = new float[batch * n];
        for (int i = 0; i < x.length; i++) {
            x[i] = i < special.size() ? special.get(i) : (float) (rnd.nextGaussian() * 40);
        }
        for (float scale : new float[] {0.25f, 1f / 255, 0.3f}) {
            for (int zp : new int[] {-128, -3, 0, 127}) {
                ModelBuilder b = new ModelBuilder("q").input("x", -1, n);
                b.node(new dev.tern.runtime.model.Node("q", OpType.QUANTIZE, new ArrayList<>(Arrays.asList("x")), "xq",
                        dev.tern.runtime.model.Attributes.builder().put("scale", scale).put("zero_point", zp).build()));
                b.node(new dev.tern.runtime.model.Node("dq", OpType.DEQUANTIZE, new ArrayList<>(Arrays.asList("xq")), "y",
                        dev.tern.runtime.model.Attributes.EMPTY));
                b.output("y");
                ModelDef def = b.build();
                Map<String, float[]> in = Collections.singletonMap("x", x);
                float[][] ref = runAll(def, Backend.REFERENCE, in, batch, false);
                float[][] vec = runAll(def, Backend.VECTOR, in, batch, false);
                for (int s = 0; s < batch; s++) {
                    assertArrayEquals(ref[s], vec[s], 0f, "scale " + scale + " zero point " + zp + " sample " + s);
                }
            }
        }
    }

    /**
     * The shipped int8 teacher gives the reference's outputs bit for bit on the vector backend,
     * on inputs with windows entirely at the zero point (sums of exactly 0: black background
     * bands, an all-black canvas), a saturated canvas and random ones: the float path's
     * padded input copy and its in-lane requantization against the reference's int32 sums.
     */
    @Test
    void int8TeacherOnVectorMatchesTheReferenceBitForBit() throws IOException {
        Path file = java.nio.file.Paths.get("../../models/multifashion/hard-int8.tern");
        Assumptions.assumeTrue(java.nio.file.Files.isRegularFile(file), "run from runtime/vector in the repo");
        TernModel ref = TernModel.load(file, Backend.REFERENCE);
        TernModel vec = TernModel.load(file, Backend.VECTOR);
        // 128-bit vectors (NEON, SSE): the int8 convolutions run the scalar kernels; Conv2d_1 and
        // Conv2d_3 run fused with the max pools after them (ConvPoolFusionTest)
        assertEquals(Lanes.WIDE_BYTES ? teacherConv() : "int8-conv2d-scalar", vec.kernels().get("Conv2d"));
        assertEquals(Lanes.WIDE_BYTES ? teacherConv().replace("int8-conv2d-", ConvPoolFusionTest.FUSED) : "int8-conv2d-scalar",
                vec.kernels().get("Conv2d_1"));
        int size = ref.def().inputs().get(0).sampleSize();
        int batch = 5;
        float[] x = new float[batch * size];
        Random rnd = new Random(SEED + 9);
        for (int i = 0; i < size; i++) {
            x[i] = (i / 36) % 12 < 5 ? 0f : rnd.nextFloat(); // bands of black rows
            x[size + i] = 0f;
            x[2 * size + i] = 1f;
            x[3 * size + i] = rnd.nextFloat();
            x[4 * size + i] = rnd.nextFloat() < 0.7f ? 0f : rnd.nextFloat();
        }
        SessionOptions options = SessionOptions.defaults().withMaxBatch(batch);
        try (Session a = ref.newSession(options); Session b = vec.newSession(options)) {
            a.run(x, ref.allTasks());
            b.run(x, vec.allTasks());
            for (String out : ref.def().outputs()) {
                for (int s = 0; s < batch; s++) {
                    assertArrayEquals(a.output(out, s), b.output(out, s), 0f, out + " sample " + s);
                }
            }
        }
    }

    /**
     * The vector max pool is Math.max bit for bit, specials included: NaN anywhere in a window
     * wins, +0 beats -0 in either order, -Inf and +Inf; whole windows (2x2 stride 2) and
     * clipped ones (3x3 SAME stride 1) over 2L + 3 channels, so the scalar tail runs too.
     */
    @Test
    void maxPoolMatchesMathMaxBitForBit() {
        TernModel.vectorBackendStatus();
        int ch = 2 * Lanes.floatLanes() + 3;
        float[] specials = {Float.NaN, -0f, 0f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -1f, 1f};
        Random rnd = new Random(SEED + 10);
        int h = 6;
        int w = 8;
        int batch = 3;
        float[] x = new float[batch * h * w * ch];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextInt(3) == 0 ? (float) rnd.nextGaussian() : specials[rnd.nextInt(specials.length)];
        }
        Map<String, float[]> in = Collections.singletonMap("x", x);
        for (int[] cfg : new int[][] {{2, 2, 0}, {3, 1, 1}}) {
            ModelBuilder b = new ModelBuilder("pool").input("x", -1, h, w, ch);
            b.output(b.maxPool("pool", "x", cfg[0], cfg[1], cfg[2] == 1 ? Padding.SAME : Padding.VALID));
            ModelDef def = b.build();
            assertEquals("f32-max_pool-vector", TernModel.of(def, Backend.VECTOR).kernels().get("pool"));
            float[][] ref = runAll(def, Backend.REFERENCE, in, batch, false);
            float[][] vec = runAll(def, Backend.VECTOR, in, batch, false);
            for (int s = 0; s < batch; s++) {
                assertArrayEquals(ref[s], vec[s], "window " + cfg[0] + " stride " + cfg[1] + " sample " + s);
            }
        }
    }

    /**
     * The fp32 conv's edge columns, run four rows at a time over a tap list, agree with the
     * reference: 3x3 SAME (stride 1 and 2) and VALID on images tall enough for several row
     * groups and an overlapping last one, widths with a four-pixel interior and without one
     * (width 4: two interior pixels, run with the edges), a full channel block plus a narrow
     * one (2L + 3 channels), fused ReLU6.
     */
    @Test
    void convEdgeColumnsMatchTheReference() {
        TernModel.vectorBackendStatus();
        int lanes = Lanes.floatLanes();
        int cout = 2 * lanes + 3;
        int[][] shapes = {{11, 10, 3, 1, 1}, {13, 4, 5, 1, 1}, {12, 9, 2, 2, 1}, {10, 7, 4, 1, 0}, {9, 6, 16, 1, 1}};
        for (int[] sh : shapes) {
            int h = sh[0];
            int w = sh[1];
            int cin = sh[2];
            int stride = sh[3];
            Padding pad = sh[4] == 1 ? Padding.SAME : Padding.VALID;
            Random rnd = new Random(SEED + h * 100 + w);
            ModelBuilder b = new ModelBuilder("conv").input("x", -1, h, w, cin);
            b.output(b.conv2d("conv", "x", new int[] {cout, 3, 3, cin}, ModelBuilder.random(rnd, cout * 9 * cin, 1f),
                    ModelBuilder.random(rnd, cout, 1f), stride, pad, Activation.RELU6));
            ModelDef def = b.build();
            int batch = 2;
            Map<String, float[]> in = Collections.singletonMap("x", ModelBuilder.random(rnd, batch * h * w * cin, 1f));
            float[][] ref = runAll(def, Backend.REFERENCE, in, batch);
            float[][] vec = runAll(def, Backend.VECTOR, in, batch);
            for (int s = 0; s < batch; s++) {
                assertArrayEquals(ref[s], vec[s], 1e-4f * 9 * cin,
                        "x=[" + h + "," + w + "," + cin + "] stride " + stride + " " + pad + " sample " + s);
            }
        }
    }

    private static float[][] runAll(ModelDef def, Backend backend, Map<String, float[]> in, int batch) {
        return runAll(def, backend, in, batch, true);
    }

    private static float[][] runAll(ModelDef def, Backend backend, Map<String, float[]> in, int batch, boolean checkFinite) {
        TernModel m = TernModel.of(def, backend);
        try (Session s = m.newSession(SessionOptions.defaults().withMaxBatch(batch).withFiniteCheck(checkFinite))) {
            s.run(in, m.allTasks());
            float[][] y = new float[batch][];
            for (int i = 0; i < batch; i++) {
                y[i] = s.output(def.outputs().get(0), i);
            }
            return y;
        }
    }

    @Test
    void denseHandComputedOnVector() {
        // in = 2 * lanes + 3 so the body, the single-vector loop and the scalar tail all run.
        int in = 2 * Lanes.floatLanes() + 3;
        float[] w = new float[2 * in];
        float[] x = new float[in];
        for (int i = 0; i < in; i++) {
            x[i] = i + 1;
            w[i] = 1;                     // row 0: sum of x = in (in + 1) / 2
            w[in + i] = i % 2 == 0 ? 1 : -1; // row 1: 1 - 2 + 3 - ... = (in + 1) / 2 for odd in
        }
        ModelBuilder b = new ModelBuilder("d").input("x", -1, in);
        b.output(b.dense("fc", "x", 2, in, w, new float[] {0.5f, -1}, Activation.NONE));
        TernModel m = TernModel.of(b.build(), Backend.VECTOR);
        try (Session s = m.newSession()) {
            s.run(x);
            assertArrayEquals(new float[] {in * (in + 1) / 2f + 0.5f, (in + 1) / 2f - 1}, s.output("fc", 0), 0f);
        }
    }

    @Test
    void wholeModelOnVectorStaysCloseToTheReference() {
        ModelDef def = allOps(3);
        TernModel vec = TernModel.of(def, Backend.VECTOR);
        TernModel ref = TernModel.of(def, Backend.REFERENCE);
        Random rnd = new Random(SEED);
        try (Session v = vec.newSession(); Session r = ref.newSession()) {
            for (int trial = 0; trial < 20; trial++) {
                float[] x = random(rnd, 8 * 8 * 3, 1f);
                float[] a = v.run(x).regression("y").values(0);
                float[] e = r.run(x).regression("y").values(0);
                for (int i = 0; i < e.length; i++) {
                    // a handful of layers of dot length <= 64 with O(1) values: 1e-5 relative is far above rounding
                    assertEquals(e[i], a[i], 1e-5 * Math.max(1, Math.abs(e[i])), "trial " + trial + " output " + i
                            + " seed " + SEED);
                }
            }
        }
    }

    static long runs(Session s, float[] x, TaskSet all, TaskSet c) {
        long sink = 0;
        for (int i = 0; i < 10_000; i++) {
            Results r = s.run(x, (i & 3) == 3 ? c : all);
            sink += r.multiclass("c").argmax(0);
            if (r.has("y")) {
                sink += Float.floatToRawIntBits(r.regression("y").value(0, 0));
            }
        }
        return sink;
    }

    @Test
    void threadsShareOneVectorModel() throws Exception {
        TernModel m = TernModel.of(allOps(5), Backend.VECTOR);
        Random rnd = new Random(SEED);
        float[][] in = new float[8][];
        float[][] expected = new float[8][];
        try (Session s = m.newSession()) {
            for (int i = 0; i < in.length; i++) {
                in[i] = random(rnd, 8 * 8 * 3, 1f);
                expected[i] = s.run(in[i]).regression("y").values(0);
            }
        }
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            int id = t;
            threads.add(new Thread(() -> {
                try (Session s = m.newSession()) {
                    for (int run = 0; run < 200; run++) {
                        int i = (run + id) % in.length;
                        float[] got = s.run(in[i]).regression("y").values(0);
                        if (!Arrays.equals(expected[i], got)) {
                            throw new AssertionError("thread " + id + " run " + run + ": " + Arrays.toString(got)
                                    + " != " + Arrays.toString(expected[i]));
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(60_000);
        }
        assertEquals(List.of(), errors);
    }

    /** Conv, pooling, a long Dense (vector path with tails), softmax: heads "c" (multiclass) and "y" (regression). */
    static ModelDef allOps(long seed) {
        Random rnd = new Random(seed);
        ModelBuilder b = new ModelBuilder("vec").input("x", -1, 8, 8, 3);
        String v = b.conv2d("conv", "x", new int[] {5, 3, 3, 3}, random(rnd, 135, 0.4f), random(rnd, 5, 0.1f), 2,
                Padding.SAME, Activation.RELU);
        v = b.maxPool("mp", v, 2, 1, Padding.SAME);
        v = b.flatten("flat", v);
        v = b.dense("fc", v, 11, 80, random(rnd, 880, 0.3f), random(rnd, 11, 0.1f), Activation.RELU6);
        String logits = b.dense("fc2", v, 7, 11, random(rnd, 77, 1f), null, Activation.NONE);
        b.multiclass("c", logits, "a", "b", "c", "d", "e", "f", "g");
        b.regression("y", b.softmax("sm", logits), "a", "b", "c", "d", "e", "f", "g");
        return b.build();
    }

    static float[] random(Random rnd, int n, float scale) {
        return ModelBuilder.random(rnd, n, scale);
    }

    static float[] abs(float[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.abs(v[i]);
        }
        return out;
    }
}
