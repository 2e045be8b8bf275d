package dev.tern.runtime.model;

import dev.tern.runtime.InvalidModelException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one model representation: inputs, constant tensors, an op graph in topological
 * order, task heads, graph outputs and provenance. Immutable; the constructor checks that
 * every name resolves, that nodes come in dependency order and that all shapes fit
 * (throwing {@link InvalidModelException}), so any ModelDef that exists can be run.
 * Compression stages build new ModelDefs from old ones; {@code TernModel} runs them.
 */
public final class ModelDef {
    private final String name;
    private final List<InputSpec> inputs;
    private final Map<String, Tensor> tensors;
    private final List<Node> nodes;
    private final List<TaskSpec> tasks;
    private final List<String> outputs;
    private final Map<String, String> provenance;
    private final Map<String, int[]> shapes;
    private final Map<String, ValueType> types;

    /**
     * @param outputs graph outputs; null or empty means the task outputs, in task order
     */
    public ModelDef(String name, List<InputSpec> inputs, List<Tensor> tensors, List<Node> nodes,
                    List<TaskSpec> tasks, List<String> outputs, Map<String, String> provenance) {
        this.name = name == null ? "" : name;
        this.inputs = Collections.unmodifiableList(new ArrayList<>(inputs));
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (Tensor tensor : tensors) {
            if (t.put(tensor.name(), tensor) != null) {
                throw new InvalidModelException("tensor name '" + tensor.name() + "' is used twice");
            }
        }
        this.tensors = Collections.unmodifiableMap(t);
        this.nodes = Collections.unmodifiableList(new ArrayList<>(nodes));
        this.tasks = Collections.unmodifiableList(new ArrayList<>(tasks));
        List<String> outs = new ArrayList<>();
        if (outputs == null || outputs.isEmpty()) {
            for (TaskSpec task : tasks) {
                if (!outs.contains(task.output())) {
                    outs.add(task.output());
                }
            }
        } else {
            outs.addAll(outputs);
        }
        this.outputs = Collections.unmodifiableList(outs);
        this.provenance = Collections.unmodifiableMap(new LinkedHashMap<>(provenance == null ? Collections.<String, String>emptyMap() : provenance));
        checkStructure();
        checkFiniteWeights();
        ShapeInference.Result inferred = ShapeInference.infer(this);
        this.shapes = Collections.unmodifiableMap(inferred.shapes);
        this.types = Collections.unmodifiableMap(inferred.types);
        checkTasks();
    }

    private void checkStructure() {
        if (inputs.isEmpty()) {
            throw new InvalidModelException("model '" + name + "' has no inputs");
        }
        Set<String> defined = new HashSet<>();
        for (InputSpec in : inputs) {
            if (!defined.add(in.name())) {
                throw new InvalidModelException("input name '" + in.name() + "' is used twice");
            }
        }
        for (String t : tensors.keySet()) {
            if (!defined.add(t)) {
                throw new InvalidModelException("name '" + t + "' is both an input and a tensor");
            }
        }
        Set<String> nodeNames = new HashSet<>();
        for (Node n : nodes) {
            if (!nodeNames.add(n.name())) {
                throw new InvalidModelException("node name '" + n.name() + "' is used twice");
            }
            for (String in : n.inputs()) {
                if (!defined.contains(in)) {
                    throw new InvalidModelException("node '" + n.name() + "' reads '" + in
                            + "', which is not an input, a tensor or the output of an earlier node");
                }
            }
            if (!defined.add(n.output())) {
                throw new InvalidModelException("node '" + n.name() + "' writes '" + n.output() + "', which is already defined");
            }
        }
        Set<String> taskNames = new HashSet<>();
        for (TaskSpec task : tasks) {
            if (!taskNames.add(task.name())) {
                throw new InvalidModelException("task name '" + task.name() + "' is used twice");
            }
            if (!defined.contains(task.output()) || tensors.containsKey(task.output())) {
                throw new InvalidModelException("task '" + task.name() + "' reads '" + task.output()
                        + "', which is not the output of a node");
            }
        }
        for (String out : outputs) {
            if (!defined.contains(out) || tensors.containsKey(out)) {
                throw new InvalidModelException("graph output '" + out + "' is not an input or the output of a node");
            }
        }
    }

    /**
     * A NaN or infinite weight would make every output it reaches NaN, silently: reject it when
     * the model is built, written or read (a CRC only says the bytes are the ones written).
     */
    private void checkFiniteWeights() {
        for (Tensor t : tensors.values()) {
            if (t.dtype() != DType.FLOAT32) {
                continue;
            }
            java.nio.FloatBuffer f = t.data().asFloatBuffer();
            for (int i = 0, n = f.remaining(); i < n; i++) {
                float v = f.get(i);
                if (v != v || v == Float.POSITIVE_INFINITY || v == Float.NEGATIVE_INFINITY) {
                    throw new InvalidModelException("tensor '" + t.name() + "' holds " + v + " at index " + i
                            + " of " + n + "; weights must be finite");
                }
            }
        }
    }

    private void checkTasks() {
        for (TaskSpec task : tasks) {
            int[] s = shapes.get(task.output());
            long n = Tensor.elementCount(s);
            if (n != task.size()) {
                throw new InvalidModelException("task '" + task.name() + "' has " + task.size() + " labels but its output '"
                        + task.output() + "' has " + n + " values per sample");
            }
            if (types.get(task.output()).isInt8()) {
                throw new InvalidModelException("task '" + task.name() + "' reads '" + task.output() + "', which is "
                        + types.get(task.output()) + "; task outputs must be float32 (dequantize the head)");
            }
        }
        for (String out : outputs) {
            if (types.get(out).isInt8()) {
                throw new InvalidModelException("graph output '" + out + "' is " + types.get(out)
                        + "; graph outputs must be float32 (dequantize it)");
            }
        }
    }

    public String name() {
        return name;
    }

    public List<InputSpec> inputs() {
        return inputs;
    }

    public InputSpec input(String name) {
        for (InputSpec in : inputs) {
            if (in.name().equals(name)) {
                return in;
            }
        }
        return null;
    }

    /** Constant tensors by name, in file order. */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    public Tensor tensor(String name) {
        return tensors.get(name);
    }

    /** Nodes in topological order. */
    public List<Node> nodes() {
        return nodes;
    }

    public List<TaskSpec> tasks() {
        return tasks;
    }

    public TaskSpec task(String name) {
        for (TaskSpec t : tasks) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    public List<String> outputs() {
        return outputs;
    }

    public Map<String, String> provenance() {
        return provenance;
    }

    /** Per-sample shape of an input or node output (a copy), or null for unknown names and tensors. */
    public int[] shapeOf(String value) {
        int[] s = shapes.get(value);
        return s == null ? null : s.clone();
    }

    /** Element type of an input or node output, or null for unknown names and tensors. */
    public ValueType typeOf(String value) {
        return types.get(value);
    }

    /** Whether any value or constant of the model is int8 (a quantized model). */
    public boolean isQuantized() {
        for (ValueType t : types.values()) {
            if (t.isInt8()) {
                return true;
            }
        }
        for (Tensor t : tensors.values()) {
            if (t.dtype() != DType.FLOAT32) {
                return true;
            }
        }
        return false;
    }

    /** Total number of constant tensor elements (weights and biases). */
    public long parameterCount() {
        long n = 0;
        for (Tensor t : tensors.values()) {
            n += t.elementCount();
        }
        return n;
    }

    /** A copy with other provenance entries added (later entries win). */
    public ModelDef withProvenance(Map<String, String> extra) {
        Map<String, String> p = new LinkedHashMap<>(provenance);
        p.putAll(extra);
        return new ModelDef(name, inputs, new ArrayList<>(tensors.values()), nodes, tasks, outputs, p);
    }

    /** Index of the node that writes each value (inputs are absent). */
    public Map<String, Integer> producers() {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            m.put(nodes.get(i).output(), i);
        }
        return m;
    }
}
