package dev.tern.bench.kernels;

import dev.tern.runtime.Backend;
import dev.tern.runtime.Results;
import dev.tern.runtime.Session;
import dev.tern.runtime.SessionOptions;
import dev.tern.runtime.TaskSet;
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

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One op at a time, per backend and precision, at the shapes of the shipped teacher and at
 * square and tail sizes, batch 1. Each case is a one-node model (int8: quantize, the op,
 * dequantize; the two conversions are part of what is timed, as in a real int8 graph).
 * Shapes: {@code dense-IN-OUT}, {@code conv-H-W-CIN-COUT} (3x3, SAME, stride 1),
 * {@code dw-H-W-C} (3x3 depthwise, SAME). Run:
 * {@code java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar KernelBench}.
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

    /** Samples per run (the GEMM shape at 32). */
    @Param({"1"})
    public int batch;

    private Session session;
    private TaskSet all;
    private float[] input;

    @Setup(Level.Trial)
    public void setUp() {
        ModelDef def = model(shape, dtype.equals("int8"), new Random(7));
        TernModel m = TernModel.of(def, Backend.parse(backend));
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
                in = new int[] {-1, d[0], d[1], d[2]};
                wShape = new int[] {d[3], 3, 3, d[2]};
                outCh = d[3];
                op = OpType.CONV2D;
                attrs.put("padding", Padding.SAME.id());
                break;
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
            b.output(b.op("op", op, attrs.build(), "x", "w", "b"));
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
        b.node(new Node("dq", OpType.DEQUANTIZE, list("yq"), "y", Attributes.EMPTY));
        b.output("y");
        return b.build();
    }

    private static java.util.List<String> list(String... s) {
        return new ArrayList<>(Arrays.asList(s));
    }
}
