package dev.tern.runtime;

import dev.tern.runtime.internal.Plan;
import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The memory planner: values whose lifetimes do not overlap share arena memory, values that
 * are live together never do, and results equal those of a plain evaluator that gives every
 * value its own array.
 */
class PlannerTest {
    static Iterable<Backend> backends() {
        return TestModels.backends();
    }

    /** x[64] -> (dense 64 -> relu) x 5 -> dense 10: a chain of 11 nodes. */
    static ModelDef chain(long seed) {
        Random rnd = new Random(seed);
        ModelBuilder b = new ModelBuilder("chain").input("x", -1, 64);
        String v = "x";
        for (int i = 0; i < 5; i++) {
            v = b.dense("fc" + i, v, 64, 64, TestModels.random(rnd, 64 * 64, 0.2f), TestModels.random(rnd, 64, 0.1f),
                    Activation.NONE);
            v = b.relu("relu" + i, v);
        }
        b.regression("out", b.dense("head", v, 10, 64, TestModels.random(rnd, 640, 0.2f), null, Activation.NONE),
                TestModels.labels("o", 10));
        return b.build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void chainSharesMemoryAndStillComputesTheReference(Backend backend) {
        long seed = 55;
        ModelDef def = chain(seed);
        TernModel m = TernModel.of(def, backend);
        int sum = 64 + 10 * 64 + 10;
        // Only a node's input and output must coexist: two 64-float buffers suffice.
        assertTrue(m.arenaFloatsPerSample() < sum, "arena " + m.arenaFloatsPerSample() + " vs sum of values " + sum);
        assertEquals(2 * 64, m.arenaFloatsPerSample(), "a chain needs two ping-pong buffers");

        Random rnd = new Random(seed + 1);
        try (Session s = m.newSession(SessionOptions.defaults().withMaxBatch(3))) {
            for (int trial = 0; trial < 5; trial++) {
                float[] x = TestModels.random(rnd, 64 * 3, 1f);
                Results r = s.run(x);
                for (int sample = 0; sample < 3; sample++) {
                    float[] xs = Arrays.copyOfRange(x, sample * 64, sample * 64 + 64);
                    float[] expected = NaiveEvaluator.run(def, Map.of("x", xs)).get("head");
                    assertClose(expected, r.regression("out").values(sample), 64, backend + " seed " + seed
                            + " trial " + trial + " sample " + sample);
                }
            }
        }
    }

    /** A float32 result vs a double-precision evaluation: within a few dot-length roundings (values are O(1)). */
    static void assertClose(float[] expected, float[] actual, int dotLength, String context) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            double tol = 1e-6 * dotLength * Math.max(1, Math.abs(expected[i]));
            if (!(Math.abs(expected[i] - actual[i]) <= tol)) {
                fail(context + ": index " + i + " expected " + expected[i] + " got " + actual[i] + " (tolerance " + tol + ")");
            }
        }
    }

    @Test
    void liveValuesNeverOverlapOnRandomGraphs() {
        for (long seed = 1; seed <= 60; seed++) {
            ModelDef def = randomGraph(seed);
            Plan plan = new Plan(def, Backend.REFERENCE, PlanOptions.defaults());
            Map<String, int[]> life = lifetimes(def);
            List<String> values = new ArrayList<>(life.keySet());
            for (int i = 0; i < values.size(); i++) {
                for (int j = i + 1; j < values.size(); j++) {
                    String a = values.get(i);
                    String b = values.get(j);
                    int[] la = life.get(a);
                    int[] lb = life.get(b);
                    boolean together = la[0] <= lb[1] && lb[0] <= la[1];
                    long a0 = plan.offset(a);
                    long a1 = a0 + Tensor.elementCount(def.shapeOf(a));
                    long b0 = plan.offset(b);
                    long b1 = b0 + Tensor.elementCount(def.shapeOf(b));
                    if (together && a0 < b1 && b0 < a1) {
                        fail("seed " + seed + ": '" + a + "' " + Arrays.toString(la) + " at [" + a0 + ", " + a1
                                + ") and '" + b + "' " + Arrays.toString(lb) + " at [" + b0 + ", " + b1
                                + ") are live together but share memory");
                    }
                    assertTrue(a1 <= plan.stride() && b1 <= plan.stride(), "inside the per-sample arena");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void randomGraphsWithLongLivedValuesMatchANaiveEvaluator(Backend backend) {
        int shared = 0;
        for (long seed = 1; seed <= 60; seed++) {
            ModelDef def = randomGraph(seed);
            TernModel m = TernModel.of(def, backend);
            long total = 0;
            for (String v : lifetimes(def).keySet()) {
                total += Tensor.elementCount(def.shapeOf(v));
            }
            shared += m.arenaFloatsPerSample() < total ? 1 : 0;
            Random rnd = new Random(seed * 7);
            float[] x = TestModels.random(rnd, 12, 2f);
            Map<String, float[]> ref = NaiveEvaluator.run(def, Map.of("x", x));
            try (Session s = m.newSession()) {
                Results r = s.run(x);
                for (String task : r.tasks()) {
                    String out = def.task(task).output();
                    assertClose(ref.get(out), r.regression(task).values(0), 24, backend + " seed " + seed + " task " + task);
                }
            }
        }
        assertTrue(shared > 30, "most random graphs share memory (" + shared + " of 60)");
    }

    /**
     * A random DAG over vectors of 12 floats: each node reads one or two values chosen among
     * all earlier ones (so some stay live for long), through dense 12x12, add, relu, relu6,
     * sigmoid, softmax, reshape to [3, 4] and flatten back. 1 to 3 regression heads read random values.
     */
    static ModelDef randomGraph(long seed) {
        Random rnd = new Random(seed);
        ModelBuilder b = new ModelBuilder("dag" + seed).input("x", -1, 12);
        List<String> vec = new ArrayList<>(List.of("x"));
        int nodes = 4 + rnd.nextInt(14);
        for (int i = 0; i < nodes; i++) {
            String in = vec.get(rnd.nextInt(vec.size()));
            String name = "n" + i;
            String v;
            switch (rnd.nextInt(7)) {
                case 0: v = b.dense(name, in, 12, 12, TestModels.random(rnd, 144, 0.3f), TestModels.random(rnd, 12, 0.1f),
                        Activation.values()[rnd.nextInt(3)]); break;
                case 1: v = b.add(name, in, vec.get(rnd.nextInt(vec.size())), Activation.values()[rnd.nextInt(3)]); break;
                case 2: v = b.relu(name, in); break;
                case 3: v = b.relu6(name, in); break;
                case 4: v = b.sigmoid(name, in); break;
                case 5: v = b.softmax(name, in); break;
                default: v = b.flatten(name, b.reshape(name + "_rs", in, 3, -1)); break;
            }
            vec.add(v);
        }
        int heads = 1 + rnd.nextInt(3);
        for (int h = 0; h < heads; h++) {
            b.regression("t" + h, vec.get(1 + rnd.nextInt(vec.size() - 1)), TestModels.labels("v", 12));
        }
        return b.build();
    }

    /** Each value's [first, last] node index, computed independently of Plan; aliases (reshape, flatten) share their root's. */
    static Map<String, int[]> lifetimes(ModelDef def) {
        Map<String, String> root = new HashMap<>();
        Map<String, int[]> life = new LinkedHashMap<>();
        def.inputs().forEach(in -> {
            root.put(in.name(), in.name());
            life.put(in.name(), new int[] {-1, 0});
        });
        List<Node> nodes = def.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            for (String in : n.inputs()) {
                if (root.containsKey(in)) {
                    int[] l = life.get(root.get(in));
                    l[1] = Math.max(l[1], i);
                }
            }
            boolean alias = n.op() == OpType.FLATTEN || n.op() == OpType.RESHAPE;
            String r = alias ? root.get(n.input(0)) : n.output();
            root.put(n.output(), r);
            if (!alias) {
                life.put(r, new int[] {i, i});
            }
        }
        for (String out : def.outputs()) {
            life.get(root.get(out))[1] = nodes.size();
        }
        return life;
    }

    /** Evaluates a vector-only graph with one array per value, in double, rounding to float per op like the reference. */
    static final class NaiveEvaluator {
        static Map<String, float[]> run(ModelDef def, Map<String, float[]> inputs) {
            Map<String, float[]> v = new HashMap<>(inputs);
            for (Node n : def.nodes()) {
                float[] x = v.get(n.input(0));
                float[] y;
                String act = n.attributes().getString("activation", "none");
                switch (n.op()) {
                    case DENSE: {
                        float[] w = def.tensor(n.input(1)).floats();
                        float[] bias = n.inputs().size() > 2 ? def.tensor(n.input(2)).floats() : null;
                        int out = def.tensor(n.input(1)).dim(0);
                        y = new float[out];
                        for (int o = 0; o < out; o++) {
                            double acc = bias == null ? 0 : bias[o];
                            for (int i = 0; i < x.length; i++) {
                                acc += (double) w[o * x.length + i] * x[i];
                            }
                            y[o] = activation((float) acc, act);
                        }
                        break;
                    }
                    case ADD: {
                        float[] z = v.get(n.input(1));
                        y = new float[x.length];
                        for (int i = 0; i < x.length; i++) {
                            y[i] = activation(x[i] + z[i], act);
                        }
                        break;
                    }
                    case RELU: y = map(x, a -> Math.max(a, 0)); break;
                    case RELU6: y = map(x, a -> Math.min(Math.max(a, 0), 6)); break;
                    case SIGMOID: y = map(x, a -> 1 / (1 + Math.exp(-a))); break;
                    case SOFTMAX: {
                        double max = Double.NEGATIVE_INFINITY;
                        for (float a : x) {
                            max = Math.max(max, a);
                        }
                        double sum = 0;
                        for (float a : x) {
                            sum += Math.exp(a - max);
                        }
                        double s = sum;
                        double m = max;
                        y = map(x, a -> Math.exp(a - m) / s);
                        break;
                    }
                    case RESHAPE:
                    case FLATTEN: y = x.clone(); break;
                    default: throw new AssertionError("NaiveEvaluator has no " + n.op());
                }
                v.put(n.output(), y);
            }
            return v;
        }

        static float activation(float a, String act) {
            switch (act) {
                case "relu": return Math.max(a, 0);
                case "relu6": return Math.min(Math.max(a, 0), 6);
                default: return a;
            }
        }

        static float[] map(float[] x, DoubleUnaryOperator f) {
            float[] y = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = (float) f.applyAsDouble(x[i]);
            }
            return y;
        }
    }
}
