package dev.tern.compress.tf;

import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.Padding;
import dev.tern.runtime.model.Tensor;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns the part of a TensorFlow graph between the signature input and outputs into Tern
 * nodes and constant tensors.
 *
 * <p>{@link GraphWalk} finds the input-dependent nodes the outputs need; every one must be of a
 * {@link #SUPPORTED_OPS supported} type. They are then converted in topological order, folding
 * BiasAdd, the Add of a constant, FusedBatchNorm and Relu/Relu6 into the preceding op when
 * nothing else reads that op's output. Problems are collected, not thrown one by one: one
 * {@link ImportException} names every unsupported op and every node that cannot be converted.
 */
final class GraphConverter {
    /** Ops that only forward a value. */
    static final Set<String> ALIAS_OPS = Collections.unmodifiableSet(new TreeSet<>(Arrays.asList(
            "Identity", "IdentityN", "StopGradient", "Snapshot", "PreventGradient", "ReadVariableOp",
            "PlaceholderWithDefault")));

    /** Every TensorFlow op type the importer converts (on the input-dependent part of the graph). */
    static final Set<String> SUPPORTED_OPS;

    static {
        Set<String> s = new TreeSet<>(ALIAS_OPS);
        s.addAll(Arrays.asList("Placeholder", "MatMul", "BiasAdd", "BiasAddV1", "Add", "AddV2", "Conv2D",
                "DepthwiseConv2dNative", "FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3", "MaxPool",
                "MaxPoolV2", "AvgPool", "Mean", "Max", "Relu", "Relu6", "Sigmoid", "Softmax", "Reshape", "Squeeze",
                "ConcatV2"));
        SUPPORTED_OPS = Collections.unmodifiableSet(s);
    }

    private static final Set<OpType> LINEAR = Collections.unmodifiableSet(new HashSet<>(Arrays.asList(
            OpType.DENSE, OpType.CONV2D, OpType.DEPTHWISE_CONV2D)));

    /** A Tern node under construction: linear ops keep their weights open for folding. */
    static final class PendingNode {
        final String name;
        final OpType op;
        final List<String> inputs;
        final Map<String, Object> attrs = new LinkedHashMap<>();
        String value;
        float[] weights;
        int[] weightShape;
        float[] bias;
        Activation activation = Activation.NONE;
        /** The TensorFlow tensor whose value this node's output currently stands for. */
        String tfTensor;

        PendingNode(String name, String value, OpType op, List<String> inputs, String tfTensor) {
            this.name = name;
            this.value = value;
            this.op = op;
            this.inputs = new ArrayList<>(inputs);
            this.tfTensor = tfTensor;
        }

        int outChannels() {
            return op == OpType.DEPTHWISE_CONV2D ? weightShape[2] : weightShape[0];
        }

        boolean takesActivation() {
            return LINEAR.contains(op) || op == OpType.ADD;
        }
    }

    private final GraphWalk walk;
    private final Graph graph;
    private final TfConstants constants;
    private final String inputNode;
    private final String inputValue;
    private final int batch;
    private final Map<String, String> outputTensors;

    private final Map<String, String> values = new HashMap<>();
    private final List<PendingNode> pending = new ArrayList<>();
    private final Map<String, PendingNode> producers = new HashMap<>();
    /** Names of Tern nodes, and of Tern values (inputs, node outputs, tensors): two namespaces. */
    private final Set<String> nodeNames = new HashSet<>();
    private final Set<String> valueNames = new HashSet<>();
    /** TensorFlow nodes that could not be converted: whatever reads them is skipped silently. */
    private final Set<String> poisoned = new HashSet<>();
    private final List<String> unsupported = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private int folded;

    /** The converted graph. */
    static final class Result {
        final List<Node> nodes;
        final List<Tensor> tensors;
        /** Signature output key -> Tern value name. */
        final Map<String, String> outputs;
        /** Tern value name -> op that writes it. */
        final Map<String, OpType> producers;
        final int foldedOps;

        Result(List<Node> nodes, List<Tensor> tensors, Map<String, String> outputs, Map<String, OpType> producers,
               int foldedOps) {
            this.nodes = nodes;
            this.tensors = tensors;
            this.outputs = outputs;
            this.producers = producers;
            this.foldedOps = foldedOps;
        }
    }

    /**
     * @param inputTensor   the signature input's tensor name ({@code image:0})
     * @param inputValue    the Tern model's input name
     * @param batch         the input's batch dimension (-1 for any)
     * @param outputTensors signature output key -> tensor name, in the order outputs should be reported
     */
    GraphConverter(GraphDef graphDef, Graph graph, TfConstants constants, String inputTensor, String inputValue,
                   int batch, Map<String, String> outputTensors) {
        this.graph = graph;
        this.constants = constants;
        if (SavedModels.outputIndex(inputTensor) != 0) {
            throw new ImportException("the signature input is tensor '" + inputTensor
                    + "', expected the first output of a node (a Placeholder)");
        }
        this.inputNode = SavedModels.nodeName(inputTensor);
        this.inputValue = inputValue;
        this.batch = batch;
        this.outputTensors = new LinkedHashMap<>();
        outputTensors.forEach((k, t) -> this.outputTensors.put(k, SavedModels.canonical(t)));
        this.walk = new GraphWalk(graphDef, inputNode, this.outputTensors);
    }

    Result convert() {
        valueNames.add(inputValue);
        valueNames.addAll(outputTensors.keySet());
        problems.addAll(walk.problems());
        List<NodeDef> order = walk.order();
        for (NodeDef n : order) {
            if (!n.getName().equals(inputNode) && !SUPPORTED_OPS.contains(n.getOp())) {
                unsupported.add(n.getOp() + " (node " + n.getName() + ")");
            }
        }
        values.put(inputNode + ":0", inputValue);
        for (NodeDef n : order) {
            if (n.getName().equals(inputNode)) {
                continue;
            }
            convertNode(n);
        }
        Map<String, String> outValues = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : outputTensors.entrySet()) {
            String v = values.get(e.getValue());
            if (v == null || poisoned.contains(SavedModels.nodeName(e.getValue()))) {
                continue;
            }
            if (v.equals(inputValue)) {
                problems.add("output '" + e.getKey() + "' is the input itself, expected the result of at least one op");
                continue;
            }
            outValues.put(e.getKey(), v);
        }
        if (!unsupported.isEmpty() || !problems.isEmpty()) {
            throw failure();
        }
        return emit(outValues);
    }

    private ImportException failure() {
        List<String> all = new ArrayList<>();
        StringBuilder msg = new StringBuilder();
        if (!unsupported.isEmpty()) {
            msg.append("unsupported ops: ").append(limit(unsupported, 20, ", "));
            msg.append(" (supported: see docs/IMPORT.md)");
            if (unsupported.stream().anyMatch(u -> u.startsWith("StatefulPartitionedCall ")
                    || u.startsWith("PartitionedCall "))) {
                msg.append("; the signature calls a TF2 function (a Python tf.function / Keras export): the importer "
                        + "reads plain graphs such as TensorFlow Java exports, not function bodies");
            }
            for (String u : unsupported) {
                all.add("unsupported op " + u);
            }
        }
        if (!problems.isEmpty()) {
            if (msg.length() > 0) {
                msg.append("; ");
            }
            msg.append(limit(problems, 10, "; "));
            all.addAll(problems);
        }
        return new ImportException(msg.toString(), all);
    }

    private static String limit(List<String> items, int max, String sep) {
        if (items.size() <= max) {
            return String.join(sep, items);
        }
        return String.join(sep, items.subList(0, max)) + sep + "and " + (items.size() - max) + " more";
    }

    // ---------------------------------------------------------------- converting

    private void convertNode(NodeDef n) {
        List<String> ins = walk.neededInputs(n);
        for (String in : ins) {
            if (poisoned.contains(SavedModels.nodeName(in)) || !walk.isDependent(in) && walk.isBadConstant(in)) {
                poisoned.add(n.getName());
                return;
            }
        }
        if (!SUPPORTED_OPS.contains(n.getOp())) {
            poisoned.add(n.getName());
            return;
        }
        try {
            convertSupported(n, ins);
        } catch (ConversionProblem p) {
            problems.add(n.getOp() + " (node " + n.getName() + "): " + p.getMessage());
            poisoned.add(n.getName());
        }
    }

    private void convertSupported(NodeDef n, List<String> ins) throws ConversionProblem {
        String op = n.getOp();
        String out = n.getName() + ":0";
        switch (op) {
            case "IdentityN":
                for (int i = 0; i < ins.size(); i++) {
                    if (walk.isDependent(ins.get(i))) {
                        values.put(n.getName() + ":" + i, activation(ins.get(i), "input " + i));
                    }
                }
                return;
            case "Identity":
            case "StopGradient":
            case "Snapshot":
            case "PreventGradient":
            case "ReadVariableOp":
            case "PlaceholderWithDefault":
                values.put(out, activation(ins.get(0), "input"));
                return;
            case "Placeholder":
                throw new ConversionProblem("placeholder is not the signature input");
            case "Conv2D":
                convolution(n, ins, false);
                return;
            case "DepthwiseConv2dNative":
                convolution(n, ins, true);
                return;
            case "MatMul":
                matMul(n, ins);
                return;
            case "BiasAdd":
            case "BiasAddV1":
                checkFormat(n);
                foldBias(n, activation(ins.get(0), "input"), constant(ins.get(1), "bias"));
                return;
            case "Add":
            case "AddV2":
                add(n, ins);
                return;
            case "FusedBatchNorm":
            case "FusedBatchNormV2":
            case "FusedBatchNormV3":
                batchNorm(n, ins);
                return;
            case "Relu":
            case "Relu6":
                relu(n, ins, op.equals("Relu") ? Activation.RELU : Activation.RELU6);
                return;
            case "Sigmoid":
                simple(n, OpType.SIGMOID, activation(ins.get(0), "input"));
                return;
            case "Softmax":
                simple(n, OpType.SOFTMAX, activation(ins.get(0), "input"));
                return;
            case "MaxPool":
            case "MaxPoolV2":
            case "AvgPool":
                pool(n, ins);
                return;
            case "Mean":
            case "Max":
                reduce(n, ins);
                return;
            case "Reshape":
                reshape(n, ins);
                return;
            case "Squeeze":
                squeeze(n, ins);
                return;
            case "ConcatV2":
                concat(n, ins);
                return;
            default:
                throw new ConversionProblem("no conversion rule");
        }
    }

    private String activation(String tensor, String what) throws ConversionProblem {
        if (!walk.isDependent(tensor)) {
            throw new ConversionProblem(what + " '" + tensor + "' is a constant, expected a value computed from the input");
        }
        String v = values.get(SavedModels.canonical(tensor));
        if (v == null) {
            throw new ConversionProblem(what + " '" + tensor + "' was not converted");
        }
        return v;
    }

    private TfConstants.Value constant(String tensor, String what) throws ConversionProblem {
        if (walk.isDependent(tensor)) {
            throw new ConversionProblem(what + " '" + tensor + "' is computed from the input, expected a constant "
                    + "(Const or variable)");
        }
        return constants.get(SavedModels.canonical(tensor));
    }

    private PendingNode add(NodeDef n, OpType op, List<String> inputs) {
        return newNode(n.getName(), op, inputs, n.getName() + ":0");
    }

    private PendingNode newNode(String base, OpType op, List<String> inputs, String tfTensor) {
        PendingNode p = new PendingNode(unique(nodeNames, base), unique(valueNames, base), op, inputs, tfTensor);
        pending.add(p);
        producers.put(p.value, p);
        if (tfTensor != null) {
            values.put(tfTensor, p.value);
        }
        return p;
    }

    private void simple(NodeDef n, OpType op, String x) {
        add(n, op, Collections.singletonList(x));
    }

    private void convolution(NodeDef n, List<String> ins, boolean depthwise) throws ConversionProblem {
        checkFormat(n);
        String x = activation(ins.get(0), "input");
        TfConstants.Value f = constant(ins.get(1), "filter");
        int[] strides = spatial(n, "strides", ints(n, "strides", new int[] {1, 1, 1, 1}));
        int[] dil = ints(n, "dilations", new int[] {1, 1, 1, 1});
        for (int d : dil) {
            if (d != 1) {
                throw new ConversionProblem("dilations " + Arrays.toString(dil) + ", expected [1, 1, 1, 1] (dilated "
                        + "convolutions are not supported)");
            }
        }
        Padding padding = padding(n);
        if (f.rank() != 4) {
            throw new ConversionProblem("filter has shape " + Arrays.toString(f.shape) + ", expected [kh, kw, cin, "
                    + (depthwise ? "multiplier" : "cout") + "]");
        }
        int kh = f.dim(0);
        int kw = f.dim(1);
        int cin = f.dim(2);
        int co = f.dim(3);
        float[] w = f.floats("filter");
        PendingNode p;
        if (depthwise) {
            p = add(n, OpType.DEPTHWISE_CONV2D, Collections.singletonList(x));
            p.weights = w; // [kh, kw, cin, m] row-major is [kh, kw, cin * m]: channel c * m + j
            p.weightShape = new int[] {kh, kw, cin * co};
            p.attrs.put("multiplier", co);
        } else {
            p = add(n, OpType.CONV2D, Collections.singletonList(x));
            float[] t = new float[w.length];
            for (int y = 0; y < kh; y++) {
                for (int xx = 0; xx < kw; xx++) {
                    for (int i = 0; i < cin; i++) {
                        int src = ((y * kw + xx) * cin + i) * co;
                        for (int o = 0; o < co; o++) {
                            t[((o * kh + y) * kw + xx) * cin + i] = w[src + o];
                        }
                    }
                }
            }
            p.weights = t;
            p.weightShape = new int[] {co, kh, kw, cin};
        }
        p.attrs.put("strides", strides);
        p.attrs.put("padding", padding.id());
    }

    private void matMul(NodeDef n, List<String> ins) throws ConversionProblem {
        if (bool(n, "transpose_a", false)) {
            throw new ConversionProblem("transpose_a is true, expected false");
        }
        String x = activation(ins.get(0), "input a");
        TfConstants.Value b = constant(ins.get(1), "input b (weights)");
        if (b.rank() != 2) {
            throw new ConversionProblem("weights have shape " + Arrays.toString(b.shape) + ", expected rank 2");
        }
        int[] xs = staticSampleShape(ins.get(0));
        if (xs != null && xs.length != 1) {
            throw new ConversionProblem("input has per-sample shape " + Arrays.toString(xs) + ", expected [n] (a batch of vectors)");
        }
        float[] w = b.floats("weights");
        int out;
        int in;
        float[] t;
        if (bool(n, "transpose_b", false)) {
            out = b.dim(0);
            in = b.dim(1);
            t = w;
        } else {
            in = b.dim(0);
            out = b.dim(1);
            t = new float[w.length];
            for (int i = 0; i < in; i++) {
                for (int o = 0; o < out; o++) {
                    t[o * in + i] = w[i * out + o];
                }
            }
        }
        PendingNode p = add(n, OpType.DENSE, Collections.singletonList(x));
        p.weights = t;
        p.weightShape = new int[] {out, in};
    }

    private void add(NodeDef n, List<String> ins) throws ConversionProblem {
        boolean d0 = walk.isDependent(ins.get(0));
        boolean d1 = walk.isDependent(ins.get(1));
        if (d0 && d1) {
            String x = activation(ins.get(0), "input x");
            String y = activation(ins.get(1), "input y");
            int[] xs = staticSampleShape(ins.get(0));
            int[] ys = staticSampleShape(ins.get(1));
            if (xs != null && ys != null && !Arrays.equals(xs, ys)) {
                throw new ConversionProblem("operands have per-sample shapes " + Arrays.toString(xs) + " and "
                        + Arrays.toString(ys) + ", expected one shape (broadcasting is not supported)");
            }
            add(n, OpType.ADD, Arrays.asList(x, y));
            return;
        }
        String xTensor = d0 ? ins.get(0) : ins.get(1);
        TfConstants.Value c = constant(d0 ? ins.get(1) : ins.get(0), "constant operand");
        for (int i = 0; i < c.rank() - 1; i++) {
            if (c.shape[i] != 1) {
                throw new ConversionProblem("adds a constant of shape " + Arrays.toString(c.shape)
                        + ", expected a per-channel bias [c] (or [1, ..., c])");
            }
        }
        foldBias(n, activation(xTensor, "input"), c);
    }

    /** The pending linear op writing {@code value}, if its output may still be changed in place. */
    private PendingNode foldTarget(String value, Set<OpType> ops, StringBuilder why) {
        PendingNode p = producers.get(value);
        if (p == null || !ops.contains(p.op)) {
            why.append("its input '").append(value).append("' is ")
                    .append(p == null ? "the model input" : "computed by " + p.op.id());
            return null;
        }
        if (p.activation != Activation.NONE) {
            why.append("its input '").append(value).append("' already has a fused ").append(p.activation.id());
            return null;
        }
        int u = walk.uses(p.tfTensor);
        if (u != 1) {
            why.append("the output of '").append(p.name).append("' has ").append(u)
                    .append(" readers, so it cannot be changed in place");
            return null;
        }
        return p;
    }

    private void foldBias(NodeDef n, String x, TfConstants.Value b) throws ConversionProblem {
        StringBuilder why = new StringBuilder();
        PendingNode p = foldTarget(x, LINEAR, why);
        if (p == null) {
            throw new ConversionProblem("cannot fold the bias into the preceding op: " + why
                    + "; expected MatMul, Conv2D or DepthwiseConv2dNative read by nothing else");
        }
        float[] v = b.floats("bias");
        if (v.length != p.outChannels()) {
            throw new ConversionProblem("bias has " + v.length + " values, expected " + p.outChannels()
                    + " (one per output channel of '" + p.name + "')");
        }
        if (p.bias == null) {
            p.bias = v;
        } else {
            for (int i = 0; i < v.length; i++) {
                p.bias[i] += v[i];
            }
        }
        alias(n, p);
    }

    private void alias(NodeDef n, PendingNode p) {
        p.tfTensor = n.getName() + ":0";
        values.put(p.tfTensor, p.value);
        folded++;
    }

    private void batchNorm(NodeDef n, List<String> ins) throws ConversionProblem {
        checkFormat(n);
        if (bool(n, "is_training", true)) {
            throw new ConversionProblem("is_training is true, expected false (export the model for inference)");
        }
        for (int k = 1; k < 6; k++) {
            if (walk.isRead(n.getName() + ":" + k)) {
                throw new ConversionProblem("output " + k + " (batch statistics) is read, expected only output 0 (y) to be used");
            }
        }
        String x = activation(ins.get(0), "input x");
        float[] gamma = constant(ins.get(1), "scale").floats("scale");
        float[] beta = constant(ins.get(2), "offset").floats("offset");
        float[] mean = constant(ins.get(3), "mean").floats("mean");
        float[] var = constant(ins.get(4), "variance").floats("variance");
        float eps = n.containsAttr("epsilon") ? n.getAttrOrThrow("epsilon").getF() : 1e-4f;
        StringBuilder why = new StringBuilder();
        PendingNode p = foldTarget(x, LINEAR, why);
        if (p == null) {
            throw new ConversionProblem("cannot fold batch norm into the preceding op: " + why
                    + "; expected Conv2D, DepthwiseConv2dNative or MatMul (plus an optional bias) read by nothing else");
        }
        int c = p.outChannels();
        if (gamma.length != c || beta.length != c || mean.length != c || var.length != c) {
            throw new ConversionProblem("scale, offset, mean and variance have " + gamma.length + ", " + beta.length + ", "
                    + mean.length + " and " + var.length + " values, expected " + c + " each");
        }
        float[] scale = new float[c];
        float[] bias = new float[c];
        for (int o = 0; o < c; o++) {
            double s = gamma[o] / Math.sqrt((double) var[o] + eps);
            double b0 = p.bias == null ? 0.0 : p.bias[o];
            scale[o] = (float) s;
            bias[o] = (float) ((b0 - mean[o]) * s + beta[o]);
        }
        scaleOutputChannels(p, scale);
        p.bias = bias;
        alias(n, p);
    }

    /** Multiplies every weight of output channel o by scale[o]. */
    private static void scaleOutputChannels(PendingNode p, float[] scale) {
        float[] w = p.weights;
        if (p.op == OpType.DEPTHWISE_CONV2D) {
            int c = scale.length;
            for (int i = 0; i < w.length; i++) {
                w[i] *= scale[i % c];
            }
        } else {
            int per = w.length / scale.length;
            for (int o = 0; o < scale.length; o++) {
                for (int i = o * per; i < (o + 1) * per; i++) {
                    w[i] *= scale[o];
                }
            }
        }
    }

    private void relu(NodeDef n, List<String> ins, Activation act) throws ConversionProblem {
        String x = activation(ins.get(0), "input");
        PendingNode p = producers.get(x);
        if (p != null && p.takesActivation() && p.activation == Activation.NONE && walk.uses(p.tfTensor) == 1) {
            p.activation = act;
            alias(n, p);
            return;
        }
        simple(n, act == Activation.RELU ? OpType.RELU : OpType.RELU6, x);
    }

    private void pool(NodeDef n, List<String> ins) throws ConversionProblem {
        checkFormat(n);
        String x = activation(ins.get(0), "input");
        int[] ksize;
        int[] strides;
        if (n.getOp().equals("MaxPoolV2")) {
            ksize = constant(ins.get(1), "ksize").ints("ksize");
            strides = constant(ins.get(2), "strides").ints("strides");
        } else {
            ksize = ints(n, "ksize", null);
            strides = ints(n, "strides", null);
        }
        int[] window = spatial(n, "ksize", ksize);
        int[] st = spatial(n, "strides", strides);
        Padding padding = padding(n);
        PendingNode p = add(n, n.getOp().startsWith("Max") ? OpType.MAX_POOL : OpType.AVG_POOL, Collections.singletonList(x));
        p.attrs.put("window", window);
        p.attrs.put("strides", st);
        p.attrs.put("padding", padding.id());
    }

    private void reduce(NodeDef n, List<String> ins) throws ConversionProblem {
        String x = activation(ins.get(0), "input");
        int[] axes = constant(ins.get(1), "reduction axes").ints("reduction axes");
        int rank = staticRank(ins.get(0));
        if (rank != 4) {
            throw new ConversionProblem("reduces a tensor of rank " + (rank < 0 ? "unknown" : rank)
                    + ", expected rank 4 (NHWC) reduced over axes [1, 2] (global pooling)");
        }
        Set<Integer> ax = new TreeSet<>();
        for (int a : axes) {
            ax.add(a < 0 ? a + rank : a);
        }
        if (!ax.equals(new TreeSet<>(Arrays.asList(1, 2)))) {
            throw new ConversionProblem("reduces over axes " + Arrays.toString(axes)
                    + ", expected [1, 2] (global pooling over height and width)");
        }
        OpType op = n.getOp().equals("Mean") ? OpType.GLOBAL_AVG_POOL : OpType.GLOBAL_MAX_POOL;
        if (!bool(n, "keep_dims", false)) {
            simple(n, op, x);
            return;
        }
        PendingNode pool = newNode(n.getName() + "/pool", op, Collections.singletonList(x), null);
        PendingNode r = add(n, OpType.RESHAPE, Collections.singletonList(pool.value));
        r.attrs.put("shape", new int[] {1, 1, -1});
    }

    private void reshape(NodeDef n, List<String> ins) throws ConversionProblem {
        String x = activation(ins.get(0), "input");
        int[] target;
        if (ins.size() == 2) {
            int[] shape = constant(ins.get(1), "shape").ints("shape");
            if (shape.length < 2) {
                throw new ConversionProblem("reshapes to " + Arrays.toString(shape)
                        + ", expected the batch first and at least one more dimension, like [-1, n]");
            }
            if (shape[0] != -1 && !(batch > 0 && shape[0] == batch)) {
                throw new ConversionProblem("reshapes to " + Arrays.toString(shape) + ", expected -1"
                        + (batch > 0 ? " or " + batch : "") + " (the batch) as the first dimension");
            }
            target = Arrays.copyOfRange(shape, 1, shape.length);
        } else {
            target = staticSampleShape(n.getName() + ":0");
            if (target == null) {
                throw new ConversionProblem("the target shape is computed at run time and TensorFlow does not know "
                        + "the per-sample shape statically; expected a constant shape like [-1, n]");
            }
        }
        if (target.length == 1) {
            int[] xs = staticSampleShape(ins.get(0));
            if (target[0] != -1 && xs != null && Tensor.elementCount(xs) != target[0]) {
                throw new ConversionProblem("flattens " + Arrays.toString(xs) + " (" + Tensor.elementCount(xs)
                        + " values) to " + target[0] + " values");
            }
            simple(n, OpType.FLATTEN, x);
            return;
        }
        PendingNode p = add(n, OpType.RESHAPE, Collections.singletonList(x));
        p.attrs.put("shape", target);
    }

    private void squeeze(NodeDef n, List<String> ins) throws ConversionProblem {
        String x = activation(ins.get(0), "input");
        int rank = staticRank(ins.get(0));
        int[] dims = ints(n, "squeeze_dims", new int[0]);
        if (dims.length == 0 && batch == 1 || Arrays.stream(dims).anyMatch(d -> d == 0 || rank > 0 && d == -rank)) {
            throw new ConversionProblem("squeezes " + (dims.length == 0 ? "every size-1 dimension" : "dimensions "
                    + Arrays.toString(dims)) + ", which removes the batch dimension; expected squeeze_dims without 0");
        }
        int[] target = staticSampleShape(n.getName() + ":0");
        if (target == null || target.length == 0) {
            throw new ConversionProblem("TensorFlow does not know the per-sample output shape statically (got "
                    + staticShape(n.getName() + ":0") + "), expected it to be known");
        }
        if (target.length == 1) {
            simple(n, OpType.FLATTEN, x);
            return;
        }
        PendingNode p = add(n, OpType.RESHAPE, Collections.singletonList(x));
        p.attrs.put("shape", target);
    }

    private void concat(NodeDef n, List<String> ins) throws ConversionProblem {
        int count = ins.size() - 1;
        List<String> xs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            xs.add(activation(ins.get(i), "input " + i));
        }
        int[] axisV = constant(ins.get(count), "axis").ints("axis");
        if (axisV.length != 1) {
            throw new ConversionProblem("axis has " + axisV.length + " values, expected a scalar");
        }
        int rank = staticRank(n.getName() + ":0");
        int axis = axisV[0];
        int a = axis < 0 ? axis + rank : axis;
        if (axis < 0 && rank < 0) {
            throw new ConversionProblem("axis " + axis + " counts from the end of a tensor of unknown rank");
        }
        if (a == 0) {
            throw new ConversionProblem("concatenates along axis " + axis + " (the batch), expected a later axis");
        }
        PendingNode p = add(n, OpType.CONCAT, xs);
        p.attrs.put("axis", axis < 0 ? axis : a - 1);
    }

    // ---------------------------------------------------------------- attributes

    private static void checkFormat(NodeDef n) throws ConversionProblem {
        if (n.containsAttr("data_format")) {
            String f = n.getAttrOrThrow("data_format").getS().toStringUtf8();
            if (!f.equals("NHWC") && !f.isEmpty() && !(f.startsWith("N") && f.endsWith("C"))) {
                throw new ConversionProblem("data_format " + f + ", expected NHWC");
            }
        }
    }

    private static Padding padding(NodeDef n) throws ConversionProblem {
        String p = n.containsAttr("padding") ? n.getAttrOrThrow("padding").getS().toStringUtf8() : "";
        switch (p) {
            case "SAME":
                return Padding.SAME;
            case "VALID":
                return Padding.VALID;
            default:
                throw new ConversionProblem("padding " + (p.isEmpty() ? "missing" : p) + ", expected SAME or VALID");
        }
    }

    /** [1, h, w, 1] -> [h, w]. */
    private static int[] spatial(NodeDef n, String what, int[] v) throws ConversionProblem {
        if (v == null || v.length != 4 || v[0] != 1 || v[3] != 1 || v[1] < 1 || v[2] < 1) {
            throw new ConversionProblem(what + " " + (v == null ? "missing" : Arrays.toString(v))
                    + ", expected [1, h, w, 1] with h, w >= 1");
        }
        return new int[] {v[1], v[2]};
    }

    private static int[] ints(NodeDef n, String key, int[] dflt) throws ConversionProblem {
        if (!n.containsAttr(key)) {
            return dflt;
        }
        AttrValue a = n.getAttrOrThrow(key);
        List<Long> l = a.getList().getIList();
        int[] v = new int[l.size()];
        for (int i = 0; i < v.length; i++) {
            long x = l.get(i);
            if (x < Integer.MIN_VALUE || x > Integer.MAX_VALUE) {
                throw new ConversionProblem(key + " holds " + x + ", outside the int range");
            }
            v[i] = (int) x;
        }
        return v;
    }

    private static boolean bool(NodeDef n, String key, boolean dflt) {
        return n.containsAttr(key) ? n.getAttrOrThrow(key).getB() : dflt;
    }

    // ---------------------------------------------------------------- static shapes

    private Shape staticShape(String tensor) {
        GraphOperation op = graph.operation(SavedModels.nodeName(tensor));
        if (op == null) {
            return null;
        }
        try {
            return op.output(SavedModels.outputIndex(tensor)).shape();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Rank TensorFlow infers for a tensor, or -1 when unknown. */
    private int staticRank(String tensor) {
        Shape s = staticShape(tensor);
        return s == null || s.isUnknown() ? -1 : s.numDimensions();
    }

    /** The per-sample shape TensorFlow infers (without the batch), or null when any part is unknown. */
    private int[] staticSampleShape(String tensor) {
        Shape s = staticShape(tensor);
        if (s == null || s.isUnknown() || s.numDimensions() < 1) {
            return null;
        }
        int[] out = new int[s.numDimensions() - 1];
        for (int i = 0; i < out.length; i++) {
            long d = s.get(i + 1);
            if (d < 1 || d > Integer.MAX_VALUE) {
                return null;
            }
            out[i] = (int) d;
        }
        return out;
    }

    // ---------------------------------------------------------------- emitting

    private static String unique(Set<String> used, String base) {
        String name = base;
        for (int i = 1; !used.add(name); i++) {
            name = base + "_" + i;
        }
        return name;
    }

    private Result emit(Map<String, String> outValues) {
        // Graph outputs take their signature key as value name where that is free.
        Map<String, String> rename = new HashMap<>();
        Map<String, String> outputs = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : outValues.entrySet()) {
            String key = e.getKey();
            String v = rename.getOrDefault(e.getValue(), e.getValue());
            PendingNode p = producers.get(e.getValue());
            if (p != null && !rename.containsKey(e.getValue()) && !key.equals(inputValue)) {
                rename.put(e.getValue(), key);
                v = key;
            }
            outputs.put(key, v);
        }
        List<Node> nodes = new ArrayList<>();
        List<Tensor> tensors = new ArrayList<>();
        Map<String, OpType> ops = new HashMap<>();
        for (PendingNode p : pending) {
            List<String> inputs = new ArrayList<>();
            for (String in : p.inputs) {
                inputs.add(rename.getOrDefault(in, in));
            }
            Attributes.Builder a = Attributes.builder();
            for (Map.Entry<String, Object> e : p.attrs.entrySet()) {
                Object v = e.getValue();
                if (v instanceof int[]) {
                    a.put(e.getKey(), (int[]) v);
                } else if (v instanceof Integer) {
                    a.put(e.getKey(), (Integer) v);
                } else {
                    a.put(e.getKey(), (String) v);
                }
            }
            if (p.takesActivation()) {
                a.put("activation", p.activation.id());
            }
            if (LINEAR.contains(p.op)) {
                String w = unique(valueNames, p.name + (p.op == OpType.DENSE ? "/weights" : "/filter"));
                tensors.add(Tensor.ofFloats(w, p.weightShape, p.weights));
                inputs.add(w);
                if (p.bias != null) {
                    String b = unique(valueNames, p.name + "/bias");
                    tensors.add(Tensor.ofFloats(b, new int[] {p.bias.length}, p.bias));
                    inputs.add(b);
                }
            }
            String value = rename.getOrDefault(p.value, p.value);
            nodes.add(new Node(p.name, p.op, inputs, value, a.build()));
            ops.put(value, p.op);
        }
        return new Result(nodes, tensors, outputs, ops, folded);
    }

}
