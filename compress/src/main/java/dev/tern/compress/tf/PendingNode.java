package dev.tern.compress.tf;

import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.OpType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A Tern node under construction: linear ops keep their weights open for folding. */
final class PendingNode {
    /** The ops whose weights and bias stay open: BiasAdd, Add of a constant and batch norm fold into them. */
    static final Set<OpType> LINEAR = Collections.unmodifiableSet(new HashSet<>(Arrays.asList(
            OpType.DENSE, OpType.CONV2D, OpType.DEPTHWISE_CONV2D)));

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
