package dev.tern.runtime.model;

import java.util.Collections;
import java.util.List;
import java.util.ArrayList;

/**
 * One op of the graph: reads named values (model inputs, constant tensors or outputs of
 * earlier nodes) and writes one named value.
 */
public final class Node {
    private final String name;
    private final OpType op;
    private final List<String> inputs;
    private final String output;
    private final Attributes attributes;

    public Node(String name, OpType op, List<String> inputs, String output, Attributes attributes) {
        this.name = Names.check(name, "node");
        this.op = op;
        this.inputs = Collections.unmodifiableList(new ArrayList<>(inputs));
        this.output = Names.check(output, "value");
        this.attributes = attributes == null ? Attributes.EMPTY : attributes;
    }

    public String name() {
        return name;
    }

    public OpType op() {
        return op;
    }

    public List<String> inputs() {
        return inputs;
    }

    public String input(int i) {
        return inputs.get(i);
    }

    public String output() {
        return output;
    }

    public Attributes attributes() {
        return attributes;
    }

    @Override
    public String toString() {
        return name + " = " + op.id() + inputs + " " + attributes;
    }
}
