package dev.tern.compress.train;

import dev.tern.compress.BadInputException;
import dev.tern.runtime.InvalidModelException;
import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.Tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A distillation student derived from the teacher's own architecture (any model, imported or
 * Tern's own): the same graph with every layer's output channels scaled by a width
 * multiplier, as MobileNet's width multiplier and torchvision's {@code width_mult} do, and
 * fresh weights. The heads (the layers whose outputs reach a task output through
 * channel-preserving ops only) keep their widths, so the student answers the teacher's tasks
 * with the teacher's interface.
 *
 * <p>What scales: the output channels of Conv, ConvTranspose, Dense and MatMul with a constant
 * right operand, to {@link #channels}; every consumer follows (a depthwise conv's channels, the
 * next layer's input width, a flatten's length, a concat's sum). Per-channel constants of an
 * elementwise op (a scale-shift left by an unfused batch norm, a PReLU slope) are cut or tiled
 * along the scaled axis with the teacher's values; conv and dense weights are drawn anew (He
 * normal: std sqrt(2 / fan_in); the heads std sqrt(1 / fan_in)), biases start at zero, from a
 * fixed seed, so the distilled student and its from-scratch control start from the same point.
 * An op the derivation cannot follow (a reshape to a shape that names a scaled channel count,
 * a slice of a scaled axis, an int8 graph) is refused by name before any training.
 */
public final class DerivedStudent {
    /** Ops that make a value's channels (their output width is a choice of the architecture). */
    private static final Set<OpType> CHANNEL_MAKERS = EnumSet.of(OpType.CONV2D, OpType.CONV_TRANSPOSE, OpType.DENSE, OpType.MATMUL);
    /** Ops whose output follows their inputs' channels and that carry no per-channel constants. */
    private static final Set<OpType> FOLLOWERS = EnumSet.of(OpType.MAX_POOL, OpType.AVG_POOL, OpType.GLOBAL_AVG_POOL,
            OpType.GLOBAL_MAX_POOL, OpType.CONCAT, OpType.FLATTEN, OpType.RELU, OpType.RELU6, OpType.SIGMOID, OpType.SOFTMAX,
            OpType.HARD_SIGMOID, OpType.HARD_SWISH, OpType.TRANSPOSE, OpType.TANH, OpType.LEAKY_RELU, OpType.ELU, OpType.CLIP,
            OpType.LOG_SOFTMAX, OpType.REDUCE_MEAN, OpType.REDUCE_MAX, OpType.REDUCE_SUM, OpType.REDUCE_MIN, OpType.PAD,
            OpType.EXP, OpType.NEG, OpType.ABS, OpType.SQRT, OpType.RECIPROCAL, OpType.LOG, OpType.RESIZE);
    /** Elementwise ops whose constant operands are resized along the scaled axes. */
    private static final Set<OpType> ELEMENTWISE = EnumSet.of(OpType.ADD, OpType.MUL, OpType.SUB, OpType.DIV, OpType.MAX,
            OpType.MIN, OpType.PRELU);

    private DerivedStudent() {
    }

    /**
     * The width of a scaled layer of {@code c} channels: c x width rounded to a multiple of 4
     * (the runtime's narrowest vector; at least 4); layers narrower than 4 channels scale to
     * round(c x width), at least 1. A function of c alone, so two branches that a residual add
     * joins stay equal.
     */
    public static int channels(int c, double width) {
        if (c < 4) {
            return Math.max(1, (int) Math.round(c * width));
        }
        return Math.max(4, 4 * (int) Math.round(c * width / 4));
    }

    /** The student of {@code teacher} at {@code width} (0 < width <= 2), its weights drawn from {@code seed}. */
    public static ModelDef derive(ModelDef teacher, double width, long seed) {
        if (!(width > 0 && width <= 2)) {
            throw new BadInputException("width must lie in (0, 2], got " + width);
        }
        if (teacher.isQuantized()) {
            throw new BadInputException("a student is derived from a float32 teacher; " + teacher.name()
                    + " is int8 (derive from the model before quantization)");
        }
        Set<String> heads = heads(teacher);
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, int[]> shapes = new HashMap<>();
        teacher.inputs().forEach(in -> shapes.put(in.name(), in.sampleShape()));
        List<Tensor> tensors = new ArrayList<>();
        Map<String, Tensor> made = new LinkedHashMap<>();
        List<Node> nodes = new ArrayList<>();
        for (Node n : teacher.nodes()) {
            int[] oldIn = teacher.shapeOf(n.input(0));
            int[] newIn = shapes.get(n.input(0));
            Attributes attrs = n.attributes();
            List<Tensor> weights = new ArrayList<>();
            boolean head = heads.contains(n.name());
            switch (n.op()) {
                case CONV2D:
                case CONV_TRANSPOSE: {
                    Tensor w = teacher.tensor(n.input(1));
                    int cout = head ? w.dim(0) : channels(w.dim(0), width);
                    int cin = newIn[2];
                    weights.add(he(w.name(), new int[] {cout, w.dim(1), w.dim(2), cin}, w.dim(1) * w.dim(2) * cin, head, rnd));
                    bias(teacher, n, cout, weights);
                    break;
                }
                case DEPTHWISE_CONV2D: {
                    Tensor w = teacher.tensor(n.input(1));
                    int c = newIn[2] * attrs.getInt("multiplier", 1);
                    weights.add(he(w.name(), new int[] {w.dim(0), w.dim(1), c}, w.dim(0) * w.dim(1), false, rnd));
                    bias(teacher, n, c, weights);
                    break;
                }
                case DENSE: {
                    Tensor w = teacher.tensor(n.input(1));
                    int out = head ? w.dim(0) : channels(w.dim(0), width);
                    weights.add(he(w.name(), new int[] {out, newIn[0]}, newIn[0], head, rnd));
                    bias(teacher, n, out, weights);
                    break;
                }
                case MATMUL: {
                    Tensor w = teacher.tensor(n.input(1));
                    if (w != null) {
                        if (w.rank() != 2) {
                            throw refuse(n, "a constant right operand of rank " + w.rank() + " (rank 2 only)");
                        }
                        int in = newIn[newIn.length - 1];
                        int out = head ? w.dim(1) : channels(w.dim(1), width);
                        weights.add(he(w.name(), new int[] {in, out}, in, head, rnd));
                    }
                    break;
                }
                case RESHAPE: {
                    int[] target = attrs.getInts("shape", null);
                    if (!Arrays.equals(oldIn, newIn)) {
                        attrs = Attributes.builder().putAll(attrs).put("shape", reshaped(n, target, oldIn, newIn)).build();
                    }
                    break;
                }
                case SLICE:
                    if (!Arrays.equals(oldIn, newIn)) {
                        throw refuse(n, "a slice of " + Arrays.toString(oldIn) + ", whose width the student changes to "
                                + Arrays.toString(newIn));
                    }
                    break;
                default:
                    if (ELEMENTWISE.contains(n.op())) {
                        for (int i = 0; i < n.inputs().size(); i++) {
                            Tensor c = teacher.tensor(n.input(i));
                            if (c != null && !made.containsKey(c.name())) {
                                int a = i == 0 ? 1 : 0;
                                weights.add(resized(c, teacher.shapeOf(n.input(a)), shapes.get(n.input(a))));
                            }
                        }
                    } else if (!FOLLOWERS.contains(n.op())) {
                        throw refuse(n, "an op the width multiplier does not know how to scale");
                    }
                    break;
            }
            for (Tensor t : weights) {
                Tensor before = made.put(t.name(), t);
                if (before != null && !Arrays.equals(before.shape(), t.shape())) {
                    throw refuse(n, "tensor '" + t.name() + "', which two layers share at different widths");
                }
                if (before == null) {
                    tensors.add(t);
                }
            }
            // constants this node reads that nothing resized (a shared constant, an index table) come as they are
            for (String in : n.inputs()) {
                Tensor t = teacher.tensor(in);
                if (t != null && !made.containsKey(in)) {
                    made.put(in, t);
                    tensors.add(t);
                }
            }
            Node copy = new Node(n.name(), n.op(), n.inputs(), n.output(), attrs);
            nodes.add(copy);
            try {
                ModelDef partial = new ModelDef(teacher.name(), teacher.inputs(), tensors, nodes, List.of(), List.of(n.output()), Map.of());
                shapes.put(n.output(), partial.shapeOf(n.output()));
            } catch (InvalidModelException e) {
                throw refuse(n, "a graph the scaled widths do not fit: " + e.getMessage());
            }
        }
        for (String out : teacher.outputs()) {
            if (!Arrays.equals(shapes.get(out), teacher.shapeOf(out))) {
                throw new BadInputException("the student's output '" + out + "' would be " + Arrays.toString(shapes.get(out))
                        + ", the teacher's is " + Arrays.toString(teacher.shapeOf(out)) + "; a width multiplier cannot derive it");
            }
        }
        return new ModelDef(teacher.name() + "-w" + Students.trim(width), teacher.inputs(), tensors, nodes, teacher.tasks(),
                teacher.outputs(), Map.of());
    }

    /**
     * The layers that make the task outputs' channels: found walking back from each task
     * output through ops that keep channels, up to the first op that makes them.
     */
    static Set<String> heads(ModelDef def) {
        Map<String, Node> producer = new HashMap<>();
        def.nodes().forEach(n -> producer.put(n.output(), n));
        Set<String> heads = new LinkedHashSet<>();
        Set<String> seen = new java.util.HashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        def.tasks().forEach(t -> todo.add(t.output()));
        todo.addAll(def.outputs());
        while (!todo.isEmpty()) {
            String v = todo.pop();
            Node n = producer.get(v);
            if (n == null || !seen.add(v)) {
                continue;
            }
            if (CHANNEL_MAKERS.contains(n.op()) && (n.op() != OpType.MATMUL || def.tensor(n.input(1)) != null)) {
                heads.add(n.name());
                continue;
            }
            for (String in : n.inputs()) {
                if (def.tensor(in) == null) {
                    todo.add(in);
                }
            }
        }
        return heads;
    }

    private static void bias(ModelDef teacher, Node n, int size, List<Tensor> weights) {
        if (n.inputs().size() > 2) {
            weights.add(Tensor.ofFloats(n.input(2), new int[] {size}, new float[size]));
        }
    }

    private static Tensor he(String name, int[] shape, int fanIn, boolean head, SplittableRandom rnd) {
        float[] v = new float[Math.toIntExact(Tensor.elementCount(shape))];
        double std = Math.sqrt((head ? 1.0 : 2.0) / Math.max(1, fanIn));
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (gaussian(rnd) * std);
        }
        return Tensor.ofFloats(name, shape, v);
    }

    /** A standard normal draw (Box-Muller; SplittableRandom has no nextGaussian on Java 17). */
    private static double gaussian(SplittableRandom rnd) {
        double u = 1.0 - rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }

    /**
     * Constant {@code c} of an elementwise op whose other operand changed shape from
     * {@code oldX} to {@code newX}: each of its axes that spans a scaled axis of x (aligned from
     * the right, as broadcasting aligns them) is cut to, or tiled up to, the new size.
     */
    static Tensor resized(Tensor c, int[] oldX, int[] newX) {
        int[] shape = c.shape().clone();
        int off = oldX.length - shape.length;
        for (int k = 0; k < shape.length; k++) {
            int j = k + off;
            if (j >= 0 && shape[k] != 1 && shape[k] == oldX[j] && oldX[j] != newX[j]) {
                shape[k] = newX[j];
            }
        }
        if (Arrays.equals(shape, c.shape())) {
            return c;
        }
        float[] src = c.floats();
        float[] dst = new float[Math.toIntExact(Tensor.elementCount(shape))];
        int[] idx = new int[shape.length];
        for (int i = 0; i < dst.length; i++) {
            int s = 0;
            for (int k = 0; k < shape.length; k++) {
                s = s * c.dim(k) + idx[k] % c.dim(k);
            }
            dst[i] = src[s];
            for (int k = shape.length - 1; k >= 0; k--) {
                if (++idx[k] < shape[k]) {
                    break;
                }
                idx[k] = 0;
            }
        }
        return Tensor.ofFloats(c.name(), shape, dst);
    }

    /**
     * A reshape's target for the student: a flatten ([n] or [-1]) takes the new length; a
     * target whose fixed dimensions all survive (the scaled ones fall into its -1) stays.
     */
    private static int[] reshaped(Node n, int[] target, int[] oldIn, int[] newIn) {
        long newCount = Tensor.elementCount(newIn);
        if (target.length == 1) {
            return new int[] {target[0] == -1 ? -1 : Math.toIntExact(newCount)};
        }
        long fixed = 1;
        boolean wildcard = false;
        for (int d : target) {
            if (d == -1) {
                wildcard = true;
            } else {
                fixed *= d == 0 ? 1 : d;
            }
        }
        if (wildcard && newCount % fixed == 0) {
            return target;
        }
        throw refuse(n, "a reshape of " + Arrays.toString(oldIn) + " to " + Arrays.toString(target)
                + ", which names a width the student changes (input now " + Arrays.toString(newIn) + ")");
    }

    private static BadInputException refuse(Node n, String what) {
        return new BadInputException("cannot derive a student by width: node '" + n.name() + "' (" + n.op().id() + ") is " + what);
    }
}
