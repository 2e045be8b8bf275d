package dev.tern.compress.prune;

import dev.tern.compress.BadInputException;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Structured pruning's model surgery: removes output channels (Conv2D filters, Dense units)
 * from an fp32 model and rewires every layer that reads them, so the result is a smaller
 * dense model with fewer parameters and multiply-adds, not a masked one.
 * <p>
 * A pruned layer loses the rows of its weights and bias; its output is followed through ops
 * that keep channels in place (max/avg pooling, ReLU, ReLU6, sigmoid, global pooling) to the
 * layers that consume it: a Conv2D loses the matching input channels of its filter, a Dense
 * loses the matching columns, and a Dense behind a flatten of an [h, w, c] value loses the
 * columns of those channels at every position (NHWC). Anything else on the way (add, concat,
 * depthwise convolution, softmax, a model output) cannot be rewired and is refused, naming
 * the layers. Removing a channel changes the function unless its output was zero; pruning is
 * followed by fine-tuning.
 */
public final class ChannelSurgery {
    private ChannelSurgery() {
    }

    /**
     * @param def  an fp32 model
     * @param kept per pruned layer (node name), which of its output channels stay
     * @return the model without the removed channels (provenance gains {@code pruning.channels})
     * @throws BadInputException when the model is int8, a name is not a Dense or Conv2D node,
     *                           a mask has the wrong length or keeps nothing, or a consumer cannot be rewired
     */
    public static ModelDef remove(ModelDef def, Map<String, boolean[]> kept) {
        if (def.isQuantized()) {
            throw new BadInputException("channel pruning works on fp32 models (prune, fine-tune, then quantize); "
                    + def.name() + " is int8");
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>(def.tensors());
        Map<String, Node> byName = new HashMap<>();
        for (Node n : def.nodes()) {
            byName.put(n.name(), n);
        }
        Map<String, List<Node>> consumers = consumers(def);
        for (Map.Entry<String, boolean[]> e : kept.entrySet()) {
            Node n = byName.get(e.getKey());
            if (n == null || (n.op() != OpType.DENSE && n.op() != OpType.CONV2D)) {
                throw new BadInputException("channel pruning: '" + e.getKey() + "' is not a dense or conv2d layer of "
                        + def.name());
            }
            boolean[] keep = e.getValue();
            Tensor w = tensors.get(n.input(1));
            int channels = w.shape()[0];
            if (keep.length != channels) {
                throw new BadInputException("channel pruning: " + n.name() + " has " + channels + " output channels, the mask "
                        + keep.length);
            }
            int left = count(keep);
            if (left == 0) {
                throw new BadInputException("channel pruning: the mask of " + n.name() + " removes every channel");
            }
            tensors.put(w.name(), selectRows(tensors.get(w.name()), keep));
            if (n.inputs().size() > 2) {
                tensors.put(n.input(2), selectRows(tensors.get(n.input(2)), keep));
            }
            for (Node c : reach(def, consumers, n, n.output())) {
                // a Conv2D filter's last axis is cin; a Dense reads [c] or a flatten of [h, w, c]
                Tensor cw = tensors.get(c.input(1));
                tensors.put(cw.name(), selectLastAxis(cw, keep));
            }
        }
        return new ModelDef(def.name(), def.inputs(), new ArrayList<>(tensors.values()), def.nodes(), def.tasks(),
                def.outputs(), def.provenance());
    }

    /** What a surgery with these masks keeps, for provenance: {@code c1 6->4, c2 5->3}. */
    public static String summary(Map<String, boolean[]> keep) {
        StringBuilder log = new StringBuilder();
        keep.forEach((name, k) -> log.append(log.length() == 0 ? "" : ", ").append(name).append(' ').append(k.length)
                .append("->").append(count(k)));
        return log.toString();
    }

    /** The Dense and Conv2D layers that read {@code value} through channel-preserving ops. */
    private static List<Node> reach(ModelDef def, Map<String, List<Node>> consumers, Node from, String value) {
        List<Node> out = new ArrayList<>();
        if (def.outputs().contains(value)) {
            throw new BadInputException("channel pruning: " + from.name() + " reaches the model output '" + value
                    + "' (its channels are the output's), so it cannot be pruned");
        }
        for (Node c : consumers.getOrDefault(value, List.of())) {
            switch (c.op()) {
                case CONV2D:
                case DENSE:
                    if (!c.input(0).equals(value)) {
                        throw cannot(from, c);
                    }
                    out.add(c);
                    break;
                case MAX_POOL:
                case AVG_POOL:
                case GLOBAL_MAX_POOL:
                case GLOBAL_AVG_POOL:
                case RELU:
                case RELU6:
                case SIGMOID:
                case HARD_SIGMOID:
                case HARD_SWISH:
                    out.addAll(reach(def, consumers, from, c.output()));
                    break;
                case FLATTEN:
                case RESHAPE:
                    int[] s = def.shapeOf(c.output());
                    if (s.length != 1) {
                        throw cannot(from, c);
                    }
                    for (Node d : consumers.getOrDefault(c.output(), List.of())) {
                        if (d.op() != OpType.DENSE || !d.input(0).equals(c.output())) {
                            throw cannot(from, d);
                        }
                        out.add(d);
                    }
                    if (def.outputs().contains(c.output())) {
                        throw cannot(from, c);
                    }
                    break;
                default:
                    throw cannot(from, c);
            }
        }
        return out;
    }

    private static BadInputException cannot(Node pruned, Node consumer) {
        return new BadInputException("channel pruning: " + pruned.name() + " feeds " + consumer.name() + " ("
                + consumer.op().name().toLowerCase(java.util.Locale.ROOT) + "), which cannot be rewired to fewer channels");
    }

    private static Map<String, List<Node>> consumers(ModelDef def) {
        Map<String, List<Node>> m = new HashMap<>();
        for (Node n : def.nodes()) {
            for (String in : n.inputs()) {
                m.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            }
        }
        return m;
    }

    private static int count(boolean[] keep) {
        int k = 0;
        for (boolean b : keep) {
            k += b ? 1 : 0;
        }
        return k;
    }

    /** Rows (axis 0) where keep is true. */
    static Tensor selectRows(Tensor t, boolean[] keep) {
        float[] v = t.floats();
        int[] shape = t.shape();
        int per = v.length / shape[0];
        int left = count(keep);
        float[] out = new float[left * per];
        int at = 0;
        for (int r = 0; r < shape[0]; r++) {
            if (keep[r]) {
                System.arraycopy(v, r * per, out, at, per);
                at += per;
            }
        }
        int[] s = shape.clone();
        s[0] = left;
        return Tensor.ofFloats(t.name(), s, out);
    }

    /**
     * Entries along the last axis whose channel, index % keep.length, is kept: a filter's cin,
     * a Dense on [c], or a Dense on the flatten of [h, w, c] (index = position * c + channel).
     */
    static Tensor selectLastAxis(Tensor t, boolean[] keep) {
        float[] v = t.floats();
        int[] shape = t.shape();
        int last = shape[shape.length - 1];
        int c = keep.length;
        if (last % c != 0) {
            throw new BadInputException("channel pruning: " + t.name() + " " + Arrays.toString(shape) + " does not read "
                    + c + " channels");
        }
        boolean[] col = new boolean[last];
        for (int i = 0; i < last; i++) {
            col[i] = keep[i % c];
        }
        int leftCols = count(col);
        int rows = v.length / last;
        float[] out = new float[rows * leftCols];
        int at = 0;
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < last; i++) {
                if (col[i]) {
                    out[at++] = v[r * last + i];
                }
            }
        }
        int[] s = shape.clone();
        s[s.length - 1] = leftCols;
        return Tensor.ofFloats(t.name(), s, out);
    }
}
