package dev.tern.bench.models;

import dev.tern.runtime.Backend;
import dev.tern.runtime.Results;
import dev.tern.runtime.Session;
import dev.tern.runtime.TaskSet;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
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
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The MLP of the speed issue: 1296-512-256 (ReLU) and three 10-way heads (0.80 M MACs),
 * random weights, batch 1, all heads; fp32, and int8 (per-channel weights, fixed activation
 * scales, quantize at the input and dequantize at the heads). Run:
 * {@code java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar MlpBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class MlpBench {
    public static final int[] WIDTHS = {1296, 512, 256};

    @Param({"f32", "int8"})
    public String dtype;

    @Param({"scalar", "vector"})
    public String backend;

    private Session session;
    private TaskSet all;
    private float[] input;

    @Setup(Level.Trial)
    public void setUp() {
        ModelDef def = model(dtype.equals("int8"), new Random(3));
        TernModel m = TernModel.of(def, Backend.parse(backend));
        session = m.newSession();
        all = m.allTasks();
        input = new float[WIDTHS[0]];
        Random r = new Random(4);
        for (int i = 0; i < input.length; i++) {
            input[i] = r.nextFloat();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        session.close();
    }

    @Benchmark
    public Results allHeads() {
        return session.run(input, all);
    }

    public static ModelDef model(boolean int8, Random rnd) {
        ModelBuilder b = new ModelBuilder("mlp").input("x", -1, WIDTHS[0]);
        String x = "x";
        if (int8) {
            b.node(new Node("x/quantize", OpType.QUANTIZE, list("x"), "xq",
                    Attributes.builder().put("scale", 1f / 255).put("zero_point", -128).build()));
            x = "xq";
        }
        float inScale = 1f / 255;
        for (int l = 1; l < WIDTHS.length; l++) {
            x = dense(b, "fc" + l, x, WIDTHS[l - 1], WIDTHS[l], Activation.RELU, int8, inScale, 0.05f, -128, rnd);
            inScale = 0.05f;
        }
        for (String head : new String[] {"a", "b", "c"}) {
            String y = dense(b, head + "/logits", x, WIDTHS[WIDTHS.length - 1], 10, Activation.NONE, int8, inScale, 0.1f, 0, rnd);
            if (int8) {
                b.node(new Node(head + "/dequantize", OpType.DEQUANTIZE, list(y), head, Attributes.EMPTY));
                y = head;
            }
            b.multiclass(head, y, "0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        }
        return b.build();
    }

    static String dense(ModelBuilder b, String name, String x, int in, int out, Activation act, boolean int8, float inScale,
                        float outScale, int outZero, Random rnd) {
        float[] w = ModelBuilder.random(rnd, in * out, (float) Math.sqrt(6.0 / in));
        float[] bias = ModelBuilder.random(rnd, out, 0.01f);
        if (!int8) {
            return b.dense(name, x, out, in, w, bias, act);
        }
        float[] scales = new float[out];
        byte[] q = new byte[w.length];
        for (int o = 0; o < out; o++) {
            float max = 1e-6f;
            for (int i = 0; i < in; i++) {
                max = Math.max(max, Math.abs(w[o * in + i]));
            }
            scales[o] = max / 127;
            for (int i = 0; i < in; i++) {
                q[o * in + i] = (byte) Math.round(w[o * in + i] / scales[o]);
            }
        }
        int[] bq = new int[out];
        float[] bs = new float[out];
        for (int o = 0; o < out; o++) {
            bs[o] = inScale * scales[o];
            bq[o] = Math.round(bias[o] / bs[o]);
        }
        b.constant(Tensor.ofInt8(name + "/w", new int[] {out, in}, q, new QuantParams(scales, new int[out], 0)));
        b.constant(Tensor.ofInt32(name + "/b", new int[] {out}, bq, new QuantParams(bs, new int[out], 0)));
        b.node(new Node(name, OpType.DENSE, list(x, name + "/w", name + "/b"), name + "/q",
                Attributes.builder().put("activation", act.id()).put("scale", outScale).put("zero_point", outZero).build()));
        return name + "/q";
    }

    private static List<String> list(String... s) {
        return new ArrayList<>(Arrays.asList(s));
    }
}
