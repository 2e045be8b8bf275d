package dev.tern.compress.tf;

import org.tensorflow.TensorFlow;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The part of a TensorFlow graph a signature needs, seen from its input.
 *
 * <p>Pass 1 marks which nodes depend on the input; everything else is constant (Const nodes,
 * variables and what is computed from them) and is later evaluated by the session. Pass 2
 * collects the input-dependent nodes the outputs need, in topological order, with each
 * tensor's readers, and checks that the constant parts read no other placeholder and no
 * random (stateful) op. Walks are iterative, so deep graphs do not overflow the stack.
 */
final class GraphWalk {
    /** Ops that are leaves of a constant subgraph: their current value is what the model uses. */
    private static final Set<String> CONSTANT_LEAVES = new HashSet<>(Arrays.asList(
            "Const", "VariableV2", "Variable", "VarHandleOp"));

    private final Map<String, NodeDef> byName = new HashMap<>();
    private final String inputNode;
    /** Signature output key -> canonical tensor name. */
    private final Map<String, String> outputs;

    private final Map<String, Boolean> dependent = new HashMap<>();
    private final List<NodeDef> order = new ArrayList<>();
    private final Map<String, List<String[]>> consumers = new HashMap<>();
    private final Map<String, Integer> outputRefs = new HashMap<>();
    private final Map<String, Integer> usesMemo = new HashMap<>();
    private final Map<String, Boolean> badConstant = new HashMap<>();
    private final List<String> problems = new ArrayList<>();

    GraphWalk(GraphDef graphDef, String inputNode, Map<String, String> outputs) {
        for (NodeDef n : graphDef.getNodeList()) {
            byName.put(n.getName(), n);
        }
        if (!byName.containsKey(inputNode)) {
            throw new ImportException("the signature input '" + inputNode + "' is not a node of the graph");
        }
        this.inputNode = inputNode;
        this.outputs = new LinkedHashMap<>(outputs);
        for (Map.Entry<String, String> e : outputs.entrySet()) {
            String node = SavedModels.nodeName(e.getValue());
            if (!byName.containsKey(node)) {
                throw new ImportException("signature output '" + e.getKey() + "' is tensor '" + e.getValue()
                        + "', which is not in the graph");
            }
            markDependency(node);
            if (!dependent.get(node)) {
                problems.add("output '" + e.getKey() + "' (tensor " + e.getValue() + ") does not depend on the input");
            }
        }
        collectNeeded();
    }

    String inputNode() {
        return inputNode;
    }

    /** The input-dependent nodes the outputs need (the input node included), inputs before readers. */
    List<NodeDef> order() {
        return order;
    }

    /** Problems found while walking (outputs that do not depend on the input, bad constant parts). */
    List<String> problems() {
        return problems;
    }

    boolean isDependent(String tensor) {
        Boolean d = dependent.get(SavedModels.nodeName(tensor));
        return d != null && d;
    }

    /** Whether a constant tensor reads a foreign placeholder or a random op (already reported). */
    boolean isBadConstant(String tensor) {
        Boolean b = badConstant.get(SavedModels.nodeName(tensor));
        return b != null && b;
    }

    /** Whether any converted node or signature output reads this tensor. */
    boolean isRead(String tensor) {
        return consumers.containsKey(tensor) || outputRefs.containsKey(tensor);
    }

    /** The data inputs (no control inputs) of a node. */
    List<String> dataInputs(NodeDef n) {
        List<String> in = new ArrayList<>();
        for (String s : n.getInputList()) {
            if (!s.startsWith("^")) {
                if (!byName.containsKey(SavedModels.nodeName(s))) {
                    throw new ImportException("node '" + n.getName() + "' reads '" + s + "', which is not in the graph");
                }
                in.add(s);
            }
        }
        return in;
    }

    /**
     * The inputs the conversion of {@code n} reads: all data inputs, except the shape operand
     * of a Reshape when that is computed from the input (as in Keras' Flatten); the static shape
     * TensorFlow infers is used instead.
     */
    List<String> neededInputs(NodeDef n) {
        List<String> in = dataInputs(n);
        if (n.getOp().equals("Reshape") && in.size() == 2 && isDependent(in.get(1))) {
            return in.subList(0, 1);
        }
        return in;
    }

    /**
     * How many readers a tensor has on the converted part of the graph: consumers (seen
     * through alias ops such as Identity) plus signature outputs. An op whose output has one
     * reader may absorb that reader (bias, batch norm, activation).
     */
    int uses(String tensor) {
        Integer memo = usesMemo.get(tensor);
        if (memo != null) {
            return memo;
        }
        int n = outputRefs.getOrDefault(tensor, 0);
        for (String[] c : consumers.getOrDefault(tensor, Collections.emptyList())) {
            NodeDef consumer = byName.get(c[0]);
            if (GraphConverter.ALIAS_OPS.contains(consumer.getOp())) {
                int idx = consumer.getOp().equals("IdentityN") ? Integer.parseInt(c[1]) : 0;
                n += uses(consumer.getName() + ":" + idx);
            } else {
                n += 1;
            }
        }
        usesMemo.put(tensor, n);
        return n;
    }

    /** Pass 1: which nodes depend on the input (post-order over data inputs). */
    private void markDependency(String start) {
        if (dependent.containsKey(start)) {
            return;
        }
        Deque<String> stack = new ArrayDeque<>();
        Set<String> expanded = new HashSet<>();
        stack.push(start);
        while (!stack.isEmpty()) {
            String name = stack.peek();
            if (dependent.containsKey(name)) {
                stack.pop();
                continue;
            }
            NodeDef n = byName.get(name);
            if (expanded.add(name) && !name.equals(inputNode)) {
                boolean pushed = false;
                for (String in : dataInputs(n)) {
                    String src = SavedModels.nodeName(in);
                    if (!dependent.containsKey(src) && !expanded.contains(src)) {
                        stack.push(src);
                        pushed = true;
                    }
                }
                if (pushed) {
                    continue;
                }
            }
            boolean dep = name.equals(inputNode);
            if (!dep) {
                for (String in : dataInputs(n)) {
                    dep |= isDependent(in);
                }
            }
            dependent.put(name, dep);
            stack.pop();
        }
    }

    /** Pass 2: the needed input-dependent nodes in topological order, their readers, and checks of the constants. */
    private void collectNeeded() {
        Set<String> done = new HashSet<>();
        for (String tensor : outputs.values()) {
            outputRefs.merge(tensor, 1, Integer::sum);
            String start = SavedModels.nodeName(tensor);
            if (!isDependent(start) || done.contains(start)) {
                continue;
            }
            Deque<String> stack = new ArrayDeque<>();
            Set<String> expanded = new HashSet<>();
            stack.push(start);
            while (!stack.isEmpty()) {
                String name = stack.peek();
                if (done.contains(name)) {
                    stack.pop();
                    continue;
                }
                NodeDef n = byName.get(name);
                boolean leaf = name.equals(inputNode);
                if (expanded.add(name)) {
                    if (!leaf) {
                        for (String in : neededInputs(n)) {
                            String src = SavedModels.nodeName(in);
                            if (!isDependent(src)) {
                                checkConstant(src);
                            } else if (!done.contains(src)) {
                                if (expanded.contains(src)) {
                                    throw new ImportException("the graph has a cycle through node '" + src
                                            + "' (control flow is not supported)");
                                }
                                stack.push(src);
                            }
                        }
                    }
                    continue;
                }
                stack.pop();
                done.add(name);
                order.add(n);
                if (!leaf) {
                    List<String> ins = neededInputs(n);
                    for (int i = 0; i < ins.size(); i++) {
                        if (isDependent(ins.get(i))) {
                            consumers.computeIfAbsent(SavedModels.canonical(ins.get(i)), k -> new ArrayList<>())
                                    .add(new String[] {name, Integer.toString(i)});
                        }
                    }
                }
            }
        }
    }

    /**
     * Marks a constant subgraph bad when it reads a placeholder other than the input (its value
     * would have to be fed) or a stateful op other than a variable (random numbers); reports each
     * such node once.
     */
    private boolean checkConstant(String start) {
        Boolean known = badConstant.get(start);
        if (known != null) {
            return known;
        }
        Deque<String> stack = new ArrayDeque<>();
        Set<String> expanded = new HashSet<>();
        stack.push(start);
        while (!stack.isEmpty()) {
            String name = stack.peek();
            if (badConstant.containsKey(name)) {
                stack.pop();
                continue;
            }
            NodeDef n = byName.get(name);
            String op = n.getOp();
            Boolean self = null;
            if (op.equals("Placeholder")) {
                problems.add("the graph reads placeholder '" + name + "', which is not the signature input; expected the "
                        + "outputs to depend on one input only");
                self = true;
            } else if (CONSTANT_LEAVES.contains(op)) {
                self = false;
            } else if (!op.equals("ReadVariableOp") && !op.equals("PlaceholderWithDefault") && isStateful(op)) {
                problems.add("constant operand '" + name + "' is computed by the stateful op " + op
                        + " (random numbers?): its value would change from run to run");
                self = true;
            }
            if (self == null && expanded.add(name)) {
                boolean pushed = false;
                for (String in : dataInputs(n)) {
                    String src = SavedModels.nodeName(in);
                    if (!badConstant.containsKey(src) && !expanded.contains(src)) {
                        stack.push(src);
                        pushed = true;
                    }
                }
                if (pushed) {
                    continue;
                }
            }
            if (self == null) {
                self = false;
                for (String in : dataInputs(n)) {
                    self |= isBadConstant(in);
                }
            }
            badConstant.put(name, self);
            stack.pop();
        }
        return badConstant.get(start);
    }

    private static boolean isStateful(String op) {
        try {
            return TensorFlow.isOpStateful(op);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
