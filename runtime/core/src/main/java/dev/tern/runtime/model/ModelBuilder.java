package dev.tern.runtime.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Builds a {@link ModelDef} op by op, for tests, examples and converters. Each op method
 * returns the name of the value it writes, to pass to the next op.
 *
 * <pre>{@code
 * ModelBuilder b = new ModelBuilder("tiny").input("image", -1, 8, 8, 1);
 * String x = b.conv2d("conv", "image", filter, bias, 1, Padding.SAME, Activation.RELU);
 * x = b.dense("fc", b.flatten("flat", x), weights, null, Activation.NONE);
 * b.multiclass("digit", x, "zero", "one", "two");
 * ModelDef def = b.build();
 * }</pre>
 */
public final class ModelBuilder {
    private final String name;
    private final List<InputSpec> inputs = new ArrayList<>();
    private final List<Tensor> tensors = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final List<TaskSpec> tasks = new ArrayList<>();
    private final List<String> outputs = new ArrayList<>();
    private final Map<String, String> provenance = new LinkedHashMap<>();

    public ModelBuilder(String name) {
        this.name = name;
    }

    /** Adds an input of the given full shape (batch first, -1 for any batch). */
    public ModelBuilder input(String name, int... shape) {
        inputs.add(InputSpec.of(name, shape));
        return this;
    }

    public ModelBuilder input(InputSpec spec) {
        inputs.add(spec);
        return this;
    }

    public ModelBuilder provenance(String key, String value) {
        provenance.put(key, value);
        return this;
    }

    /** Adds a float32 constant; returns its name. */
    public String constant(String name, int[] shape, float[] values) {
        tensors.add(Tensor.ofFloats(name, shape, values));
        return name;
    }

    public String constant(Tensor t) {
        tensors.add(t);
        return t.name();
    }

    /** Adds a node as it is (its output may be named differently from the node); returns its output value. */
    public String node(Node n) {
        nodes.add(n);
        return n.output();
    }

    /** Adds a node of any op; returns its output value (named after the node). */
    public String op(String name, OpType op, Attributes attrs, String... inputs) {
        nodes.add(new Node(name, op, Arrays.asList(inputs), name, attrs));
        return name;
    }

    /** Dense with weights [out, in] (row-major) and optional bias [out]. */
    public String dense(String name, String x, int out, int in, float[] weights, float[] bias, Activation act) {
        String w = constant(name + "/weights", new int[] {out, in}, weights);
        Attributes a = Attributes.builder().put("activation", act.id()).build();
        if (bias == null) {
            return op(name, OpType.DENSE, a, x, w);
        }
        return op(name, OpType.DENSE, a, x, w, constant(name + "/bias", new int[] {out}, bias));
    }

    /** Conv2D with a filter [cout, kh, kw, cin] and optional bias [cout]. */
    public String conv2d(String name, String x, int[] filterShape, float[] filter, float[] bias, int stride,
                         Padding padding, Activation act) {
        String w = constant(name + "/filter", filterShape, filter);
        Attributes a = Attributes.builder().put("strides", new int[] {stride, stride}).put("padding", padding.id())
                .put("activation", act.id()).build();
        if (bias == null) {
            return op(name, OpType.CONV2D, a, x, w);
        }
        return op(name, OpType.CONV2D, a, x, w, constant(name + "/bias", new int[] {filterShape[0]}, bias));
    }

    /** DepthwiseConv2D with a filter [kh, kw, c * multiplier] and optional bias. */
    public String depthwiseConv2d(String name, String x, int[] filterShape, float[] filter, float[] bias, int multiplier,
                                  int stride, Padding padding, Activation act) {
        String w = constant(name + "/filter", filterShape, filter);
        Attributes a = Attributes.builder().put("strides", new int[] {stride, stride}).put("padding", padding.id())
                .put("multiplier", multiplier).put("activation", act.id()).build();
        if (bias == null) {
            return op(name, OpType.DEPTHWISE_CONV2D, a, x, w);
        }
        return op(name, OpType.DEPTHWISE_CONV2D, a, x, w, constant(name + "/bias", new int[] {filterShape[2]}, bias));
    }

    public String maxPool(String name, String x, int window, int stride, Padding padding) {
        return op(name, OpType.MAX_POOL, poolAttrs(window, stride, padding), x);
    }

    public String avgPool(String name, String x, int window, int stride, Padding padding) {
        return op(name, OpType.AVG_POOL, poolAttrs(window, stride, padding), x);
    }

    private static Attributes poolAttrs(int window, int stride, Padding padding) {
        return Attributes.builder().put("window", new int[] {window, window}).put("strides", new int[] {stride, stride})
                .put("padding", padding.id()).build();
    }

    public String globalAvgPool(String name, String x) {
        return op(name, OpType.GLOBAL_AVG_POOL, Attributes.EMPTY, x);
    }

    public String globalMaxPool(String name, String x) {
        return op(name, OpType.GLOBAL_MAX_POOL, Attributes.EMPTY, x);
    }

    public String add(String name, String x, String y, Activation act) {
        return op(name, OpType.ADD, Attributes.builder().put("activation", act.id()).build(), x, y);
    }

    public String concat(String name, int axis, String... xs) {
        return op(name, OpType.CONCAT, Attributes.builder().put("axis", axis).build(), xs);
    }

    public String flatten(String name, String x) {
        return op(name, OpType.FLATTEN, Attributes.EMPTY, x);
    }

    public String reshape(String name, String x, int... shape) {
        return op(name, OpType.RESHAPE, Attributes.builder().put("shape", shape).build(), x);
    }

    public String relu(String name, String x) {
        return op(name, OpType.RELU, Attributes.EMPTY, x);
    }

    public String relu6(String name, String x) {
        return op(name, OpType.RELU6, Attributes.EMPTY, x);
    }

    public String sigmoid(String name, String x) {
        return op(name, OpType.SIGMOID, Attributes.EMPTY, x);
    }

    /** ONNX's default hard sigmoid: alpha 0.2, beta 0.5. */
    public String hardSigmoid(String name, String x) {
        return op(name, OpType.HARD_SIGMOID, Attributes.EMPTY, x);
    }

    public String hardSigmoid(String name, String x, float alpha, float beta) {
        return op(name, OpType.HARD_SIGMOID, Attributes.builder().put("alpha", alpha).put("beta", beta).build(), x);
    }

    public String hardSwish(String name, String x) {
        return op(name, OpType.HARD_SWISH, Attributes.EMPTY, x);
    }

    public String softmax(String name, String x) {
        return op(name, OpType.SOFTMAX, Attributes.EMPTY, x);
    }

    /** A multiclass task reading logits. */
    public ModelBuilder multiclass(String task, String logits, String... classes) {
        tasks.add(TaskSpec.multiclass(task, logits, Arrays.asList(classes)));
        return this;
    }

    /** A multilabel task reading logits; thresholds null means 0.5 each. */
    public ModelBuilder multilabel(String task, String logits, float[] thresholds, String... labels) {
        tasks.add(TaskSpec.multilabel(task, logits, Arrays.asList(labels), thresholds));
        return this;
    }

    public ModelBuilder regression(String task, String value, String... targets) {
        tasks.add(TaskSpec.regression(task, value, Arrays.asList(targets)));
        return this;
    }

    public ModelBuilder task(TaskSpec spec) {
        tasks.add(spec);
        return this;
    }

    /** Declares an extra graph output (task outputs are outputs already). */
    public ModelBuilder output(String value) {
        outputs.add(value);
        return this;
    }

    public ModelDef build() {
        List<String> outs = new ArrayList<>();
        for (TaskSpec t : tasks) {
            if (!outs.contains(t.output())) {
                outs.add(t.output());
            }
        }
        for (String o : outputs) {
            if (!outs.contains(o)) {
                outs.add(o);
            }
        }
        return new ModelDef(name, inputs, tensors, nodes, tasks, outs, provenance);
    }

    /** Seeded values uniform in [-scale, scale): for tests and examples. */
    public static float[] random(Random rnd, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (rnd.nextFloat() * 2f - 1f) * scale;
        }
        return v;
    }
}
