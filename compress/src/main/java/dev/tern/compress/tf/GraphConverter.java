package dev.tern.compress.tf;

import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.Tensor;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.ndarray.Shape;
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

    private final GraphWalk walk;
    private final Graph graph;
    private final TfConstants constants;
    private final String inputNode;
    private final String inputValue;
    private final Map<String, String> outputTensors;
    private final LinearOps linear;
    private final ShapeOps shapes;

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
        this.outputTensors = new LinkedHashMap<>();
        outputTensors.forEach((k, t) -> this.outputTensors.put(k, SavedModels.canonical(t)));
        this.walk = new GraphWalk(graphDef, inputNode, this.outputTensors);
        this.linear = new LinearOps(this, walk);
        this.shapes = new ShapeOps(this, batch);
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
                linear.convolution(n, ins, false);
                return;
            case "DepthwiseConv2dNative":
                linear.convolution(n, ins, true);
                return;
            case "MatMul":
                linear.matMul(n, ins);
                return;
            case "BiasAdd":
            case "BiasAddV1":
                linear.biasAdd(n, ins);
                return;
            case "Add":
            case "AddV2":
                linear.add(n, ins);
                return;
            case "FusedBatchNorm":
            case "FusedBatchNormV2":
            case "FusedBatchNormV3":
                linear.batchNorm(n, ins);
                return;
            case "Relu":
            case "Relu6":
                linear.relu(n, ins, op.equals("Relu") ? Activation.RELU : Activation.RELU6);
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
                shapes.pool(n, ins);
                return;
            case "Mean":
            case "Max":
                shapes.reduce(n, ins);
                return;
            case "Reshape":
                shapes.reshape(n, ins);
                return;
            case "Squeeze":
                shapes.squeeze(n, ins);
                return;
            case "ConcatV2":
                shapes.concat(n, ins);
                return;
            default:
                throw new ConversionProblem("no conversion rule");
        }
    }

    String activation(String tensor, String what) throws ConversionProblem {
        if (!walk.isDependent(tensor)) {
            throw new ConversionProblem(what + " '" + tensor + "' is a constant, expected a value computed from the input");
        }
        String v = values.get(SavedModels.canonical(tensor));
        if (v == null) {
            throw new ConversionProblem(what + " '" + tensor + "' was not converted");
        }
        return v;
    }

    TfConstants.Value constant(String tensor, String what) throws ConversionProblem {
        if (walk.isDependent(tensor)) {
            throw new ConversionProblem(what + " '" + tensor + "' is computed from the input, expected a constant "
                    + "(Const or variable)");
        }
        return constants.get(SavedModels.canonical(tensor));
    }

    PendingNode add(NodeDef n, OpType op, List<String> inputs) {
        return newNode(n.getName(), op, inputs, n.getName() + ":0");
    }

    PendingNode newNode(String base, OpType op, List<String> inputs, String tfTensor) {
        PendingNode p = new PendingNode(unique(nodeNames, base), unique(valueNames, base), op, inputs, tfTensor);
        pending.add(p);
        producers.put(p.value, p);
        if (tfTensor != null) {
            values.put(tfTensor, p.value);
        }
        return p;
    }

    void simple(NodeDef n, OpType op, String x) {
        add(n, op, Collections.singletonList(x));
    }

    /** The pending node that writes Tern value {@code value}, or null (the model input). */
    PendingNode producer(String value) {
        return producers.get(value);
    }

    /** Node {@code n}'s output is {@code p}'s: {@code n} was folded into {@code p}. */
    void alias(NodeDef n, PendingNode p) {
        p.tfTensor = n.getName() + ":0";
        values.put(p.tfTensor, p.value);
        folded++;
    }

    // ---------------------------------------------------------------- static shapes

    Shape staticShape(String tensor) {
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
    int staticRank(String tensor) {
        Shape s = staticShape(tensor);
        return s == null || s.isUnknown() ? -1 : s.numDimensions();
    }

    /** The per-sample shape TensorFlow infers (without the batch), or null when any part is unknown. */
    int[] staticSampleShape(String tensor) {
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
            if (PendingNode.LINEAR.contains(p.op)) {
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
