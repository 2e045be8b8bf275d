package dev.tern.bench.kernels;

import dev.tern.runtime.Backend;
import dev.tern.runtime.PlanOptions;
import dev.tern.runtime.Results;
import dev.tern.runtime.Session;
import dev.tern.runtime.SessionOptions;
import dev.tern.runtime.TaskSet;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.internal.KernelRegistry;
import dev.tern.runtime.internal.KernelSpec;
import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.Padding;
import dev.tern.runtime.model.QuantParams;
import dev.tern.runtime.model.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One op at a time, per backend and precision, at the shapes of the shipped teacher and at
 * square and tail sizes, batch 1. Each case is a one-node model (int8: quantize, the op,
 * dequantize; the two conversions are part of what is timed, as in a real int8 graph).
 * Shapes: {@code dense-IN-OUT}, {@code conv-H-W-CIN-COUT} (3x3, SAME, stride 1),
 * {@code dw-H-W-C} (3x3 depthwise, SAME), {@code pool-H-W-C} (2x2 max pool, stride 2) and
 * {@code convpool-H-W-CIN-COUT} (the conv, then that pool: the fused kernels' pair).
 *
 * <p>{@code kernel} is {@code auto} (the plan's own choice on {@code backend}) or the name of a
 * registry entry, which the plan is then asked to use ({@link PlanOptions#preferring}); a trial
 * whose node that entry does not take fails rather than time another kernel.
 * {@link #main} enumerates the registry: it prints every entry, then runs each entry that has
 * a shape here (variants, sparse and fused kernels included: {@link #SHAPES}) on its op's
 * shapes, so a newly listed kernel is benchmarked without touching this class. Run:
 * {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.tern.bench.kernels.KernelBench [JMH options]}
 * for every entry, or {@code java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar KernelBench}
 * for the plan's choice on the shapes and backends of the annotations.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class KernelBench {
    @Param({"dense-5184-256", "dense-256-10", "dense-1024-1024", "dense-1023-1025",
            "conv-36-36-32-32", "conv-18-18-64-64", "conv-17-17-33-31", "dw-18-18-64"})
    public String shape;

    @Param({"f32", "int8"})
    public String dtype;

    @Param({"scalar", "vector"})
    public String backend;

    /** {@code auto}, or a registry entry's name (its dtype and backend must be the trial's). */
    @Param({"auto"})
    public String kernel;

    /** Samples per run (the GEMM shape at 32). */
    @Param({"1"})
    public int batch;

    private Session session;
    private TaskSet all;
    private float[] input;

    @Setup(Level.Trial)
    public void setUp() {
        ModelDef def = model(shape, dtype.equals("int8"), new Random(7));
        PlanOptions options = PlanOptions.defaults();
        if (!kernel.equals("auto")) {
            KernelSpec spec = KernelRegistry.all().byName(kernel);
            if (spec == null || !spec.backend.id().equals(backend) || !dtypeId(spec).equals(dtype)) {
                throw new IllegalArgumentException("kernel " + kernel + ": expected a registry entry on " + dtype + " "
                        + backend + ", found " + (spec == null ? "no such entry" : dtypeId(spec) + " " + spec.backend.id()));
            }
            // sparse kernels run where they are asked for, whatever the weights' density
            options = options.preferring(kernel).withSparse(spec.kind == KernelSpec.Kind.SPARSE
                    ? PlanOptions.Sparse.ALWAYS : PlanOptions.Sparse.NEVER);
        }
        TernModel m = TernModel.of(def, Backend.parse(backend), options);
        if (!kernel.equals("auto") && !kernel.equals(m.kernels().get("op"))) {
            throw new IllegalStateException("kernel " + kernel + " does not take " + shape + ": " + m.kernels());
        }
        session = m.newSession(SessionOptions.defaults().withMaxBatch(batch));
        all = m.allTasks();
        input = new float[def.inputs().get(0).sampleSize() * batch];
        Random r = new Random(8);
        for (int i = 0; i < input.length; i++) {
            input[i] = r.nextFloat();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        session.close();
    }

    @Benchmark
    public Results run() {
        return session.run(input, all);
    }

    /** The shapes of each op family, by the registry entry's op (for a fused entry, its first op + second op). */
    static final Map<String, List<String>> SHAPES = new LinkedHashMap<>();

    static {
        SHAPES.put("dense", Arrays.asList("dense-5184-256", "dense-256-10", "dense-1024-1024", "dense-1023-1025"));
        SHAPES.put("conv2d", Arrays.asList("conv-36-36-32-32", "conv-18-18-64-64", "conv-17-17-33-31"));
        SHAPES.put("depthwise_conv2d", Arrays.asList("dw-18-18-64"));
        SHAPES.put("max_pool", Arrays.asList("pool-36-36-32", "pool-17-17-33"));
        SHAPES.put("conv2d+max_pool", Arrays.asList("convpool-36-36-32-32", "convpool-18-18-64-64"));
    }

    /** The shapes of a registry entry, or null where this class has none for its op. */
    static List<String> shapes(KernelSpec spec) {
        return SHAPES.get(spec.second == null ? spec.op.id() : spec.op.id() + "+" + spec.second.id());
    }

    private static String dtypeId(KernelSpec spec) {
        return spec.name.substring(0, spec.name.indexOf('-'));
    }

    /**
     * Prints the registry, each entry with the shapes it is benchmarked on (or why not), then runs
     * each benchmarked entry on them: JMH's own command-line options (forks, iterations,
     * {@code -prof gc}) apply to every run; {@code -p shape=...} and {@code -p kernel=...} narrow
     * it to those shapes and entries.
     */
    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        CommandLineOptions cmd = new CommandLineOptions(args);
        List<KernelSpec> specs = KernelRegistry.all().specs();
        StringBuilder b = new StringBuilder("kernel registry (" + specs.size() + " entries):\n");
        List<KernelSpec> run = new ArrayList<>();
        for (KernelSpec s : specs) {
            List<String> shapes = shapes(s);
            b.append(String.format(Locale.ROOT, "  %-6s %-48s %s%n", s.kind.name().toLowerCase(Locale.ROOT), s.name,
                    shapes == null ? "not benchmarked: KernelBench has no shape for " + s.op.id() : shapes));
            if (shapes != null) {
                run.add(s);
            }
        }
        System.out.print(b);
        for (KernelSpec s : run) {
            List<String> shapes = new ArrayList<>(shapes(s));
            if (cmd.getParameter("shape").hasValue()) {
                shapes.retainAll(cmd.getParameter("shape").get());
            }
            if (cmd.getParameter("kernel").hasValue() && !cmd.getParameter("kernel").get().contains(s.name)
                    || shapes.isEmpty()) {
                continue;
            }
            new Runner(new OptionsBuilder().parent(cmd).include(KernelBench.class.getName() + ".run")
                    .param("kernel", s.name).param("dtype", dtypeId(s)).param("backend", s.backend.id())
                    .param("shape", shapes.toArray(new String[0])).build()).run();
        }
    }

    /** The one-op model of a shape name; int8: symmetric per-channel weights and fixed activation scales. */
    static ModelDef model(String shape, boolean int8, Random rnd) {
        String[] p = shape.split("-");
        int[] d = new int[p.length - 1];
        for (int i = 1; i < p.length; i++) {
            d[i - 1] = Integer.parseInt(p[i]);
        }
        ModelBuilder b = new ModelBuilder(shape);
        int[] in;
        int[] wShape;
        int outCh;
        OpType op;
        Attributes.Builder attrs = Attributes.builder().put("activation", Activation.RELU.id());
        switch (p[0]) {
            case "dense":
                in = new int[] {-1, d[0]};
                wShape = new int[] {d[1], d[0]};
                outCh = d[1];
                op = OpType.DENSE;
                break;
            case "conv":
            case "convpool":
                in = new int[] {-1, d[0], d[1], d[2]};
                wShape = new int[] {d[3], 3, 3, d[2]};
                outCh = d[3];
                op = OpType.CONV2D;
                attrs.put("padding", Padding.SAME.id());
                break;
            case "pool":
                return pool(b, d, int8);
            case "dw":
                in = new int[] {-1, d[0], d[1], d[2]};
                wShape = new int[] {3, 3, d[2]};
                outCh = d[2];
                op = OpType.DEPTHWISE_CONV2D;
                attrs.put("padding", Padding.SAME.id()).put("multiplier", 1);
                break;
            default:
                throw new IllegalArgumentException("unknown shape " + shape);
        }
        b.input("x", in);
        int count = (int) Tensor.elementCount(wShape);
        float[] w = ModelBuilder.random(rnd, count, 0.1f);
        float[] bias = ModelBuilder.random(rnd, outCh, 0.1f);
        if (!int8) {
            b.constant("w", wShape, w);
            b.constant("b", new int[] {outCh}, bias);
            String y = b.op("op", op, attrs.build(), "x", "w", "b");
            b.output(p[0].equals("convpool") ? b.maxPool("pool", y, 2, 2, Padding.VALID) : y);
            return b.build();
        }
        int axis = op == OpType.DEPTHWISE_CONV2D ? 2 : 0;
        float wScale = 0.1f / 127;
        byte[] q = new byte[count];
        for (int i = 0; i < count; i++) {
            q[i] = (byte) Math.round(w[i] / wScale);
        }
        float[] scales = new float[outCh];
        Arrays.fill(scales, wScale);
        float xScale = 1f / 255;
        int[] bq = new int[outCh];
        float[] bs = new float[outCh];
        for (int o = 0; o < outCh; o++) {
            bs[o] = xScale * wScale;
            bq[o] = Math.round(bias[o] / bs[o]);
        }
        b.constant(Tensor.ofInt8("w", wShape, q, new QuantParams(scales, new int[outCh], axis)));
        b.constant(Tensor.ofInt32("b", new int[] {outCh}, bq, new QuantParams(bs, new int[outCh], 0)));
        b.node(new Node("q", OpType.QUANTIZE, list("x"), "xq",
                Attributes.builder().put("scale", xScale).put("zero_point", -128).build()));
        b.node(new Node("op", op, list("xq", "w", "b"), "yq", attrs.put("scale", 0.05f).put("zero_point", -128).build()));
        String yq = p[0].equals("convpool") ? b.maxPool("pool", "yq", 2, 2, Padding.VALID) : "yq";
        b.node(new Node("dq", OpType.DEQUANTIZE, list(yq), "y", Attributes.EMPTY));
        b.output("y");
        return b.build();
    }

    /** {@code pool-H-W-C}: a 2x2 max pool of stride 2 (int8: between a quantize and a dequantize, its type kept). */
    private static ModelDef pool(ModelBuilder b, int[] d, boolean int8) {
        b.input("x", new int[] {-1, d[0], d[1], d[2]});
        if (!int8) {
            b.output(b.maxPool("op", "x", 2, 2, Padding.VALID));
            return b.build();
        }
        b.node(new Node("q", OpType.QUANTIZE, list("x"), "xq",
                Attributes.builder().put("scale", 1f / 255).put("zero_point", -128).build()));
        b.node(new Node("dq", OpType.DEQUANTIZE, list(b.maxPool("op", "xq", 2, 2, Padding.VALID)), "y", Attributes.EMPTY));
        b.output("y");
        return b.build();
    }

    private static java.util.List<String> list(String... s) {
        return new ArrayList<>(Arrays.asList(s));
    }
}
