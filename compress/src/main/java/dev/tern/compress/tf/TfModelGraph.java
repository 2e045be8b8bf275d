package dev.tern.compress.tf;

import dev.tern.compress.BadInputException;
import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.Padding;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The forward graph of an fp32 Tern model in TensorFlow Java, batch first (NHWC), the way the
 * runtime's reference kernels compute it: so a model that came from anywhere (a SavedModel
 * import, a pruned or distilled model) can be fine-tuned in TensorFlow with its weights as
 * variables. Weights enter through {@code param} (a variable's read, or a constant), in
 * Tern's layouts, converted here: Conv2D filters [cout, kh, kw, cin] to TensorFlow's
 * [kh, kw, cin, cout], depthwise [kh, kw, c * m] to [kh, kw, c, m], Dense [out, in] used as
 * x W^T. Int8 models (quantize, dequantize) are refused: fine-tuning runs before quantization.
 */
public final class TfModelGraph {
    private TfModelGraph() {
    }

    /**
     * @param inputs one operand per model input, [batch, per-sample shape...]
     * @param param  the operand of a constant tensor by name
     * @return every node output by value name
     */
    public static Map<String, Operand<TFloat32>> forward(Ops tf, ModelDef def, Map<String, Operand<TFloat32>> inputs,
                                                         Function<String, Operand<TFloat32>> param) {
        Map<String, Operand<TFloat32>> v = new LinkedHashMap<>(inputs);
        for (Node n : def.nodes()) {
            v.put(n.output(), node(tf, def, n, v, param));
        }
        return v;
    }

    /** Nodes the graph cannot build, each as "NAME (op): why"; empty when the whole model builds. */
    public static List<String> unsupported(ModelDef def) {
        java.util.EnumSet<dev.tern.runtime.model.OpType> ops = java.util.EnumSet.of(dev.tern.runtime.model.OpType.DENSE,
                dev.tern.runtime.model.OpType.CONV2D, dev.tern.runtime.model.OpType.DEPTHWISE_CONV2D,
                dev.tern.runtime.model.OpType.MAX_POOL, dev.tern.runtime.model.OpType.AVG_POOL,
                dev.tern.runtime.model.OpType.GLOBAL_AVG_POOL, dev.tern.runtime.model.OpType.GLOBAL_MAX_POOL,
                dev.tern.runtime.model.OpType.ADD, dev.tern.runtime.model.OpType.CONCAT, dev.tern.runtime.model.OpType.FLATTEN,
                dev.tern.runtime.model.OpType.RESHAPE, dev.tern.runtime.model.OpType.RELU, dev.tern.runtime.model.OpType.RELU6,
                dev.tern.runtime.model.OpType.SIGMOID, dev.tern.runtime.model.OpType.SOFTMAX);
        List<String> out = new ArrayList<>();
        for (Node n : def.nodes()) {
            if (!ops.contains(n.op())) {
                out.add(n.name() + " (" + n.op().id() + "): not built in TensorFlow");
            } else if ("explicit".equals(n.attributes().getString("padding", "valid"))) {
                out.add(n.name() + " (" + n.op().id() + "): explicit padding is not built in TensorFlow");
            }
        }
        return out;
    }

    private static Operand<TFloat32> node(Ops tf, ModelDef def, Node n, Map<String, Operand<TFloat32>> v,
                                          Function<String, Operand<TFloat32>> param) {
        Attributes a = n.attributes();
        Operand<TFloat32> x = v.get(n.input(0));
        switch (n.op()) {
            case DENSE: {
                Operand<TFloat32> y = tf.linalg.matMul(x, param.apply(n.input(1)),
                        org.tensorflow.op.linalg.MatMul.transposeB(true));
                return activation(tf, bias(tf, n, y, param), a);
            }
            case CONV2D: {
                Operand<TFloat32> f = tf.linalg.transpose(param.apply(n.input(1)), tf.constant(new int[] {1, 2, 3, 0}));
                Operand<TFloat32> y = tf.nn.conv2d(x, f, strides(a), padding(a));
                return activation(tf, bias(tf, n, y, param), a);
            }
            case DEPTHWISE_CONV2D: {
                int[] fs = def.tensor(n.input(1)).shape();
                int c = def.shapeOf(n.input(0))[2];
                Operand<TFloat32> f = tf.reshape(param.apply(n.input(1)), tf.constant(new int[] {fs[0], fs[1], c, fs[2] / c}));
                Operand<TFloat32> y = tf.nn.depthwiseConv2dNative(x, f, strides(a), padding(a));
                return activation(tf, bias(tf, n, y, param), a);
            }
            case MAX_POOL:
            case AVG_POOL: {
                int[] w = a.getInts("window", null);
                int[] s = a.getInts("strides", new int[] {1, 1});
                if (n.op() == dev.tern.runtime.model.OpType.MAX_POOL) {
                    return tf.nn.maxPool(x, tf.constant(new int[] {1, w[0], w[1], 1}), tf.constant(new int[] {1, s[0], s[1], 1}),
                            padding(a));
                }
                return tf.nn.avgPool(x, List.of(1L, (long) w[0], (long) w[1], 1L), List.of(1L, (long) s[0], (long) s[1], 1L),
                        padding(a));
            }
            case GLOBAL_AVG_POOL:
                return tf.math.mean(x, tf.constant(new int[] {1, 2}));
            case GLOBAL_MAX_POOL:
                return tf.max(x, tf.constant(new int[] {1, 2}));
            case ADD:
                return activation(tf, tf.math.add(x, v.get(n.input(1))), a);
            case CONCAT: {
                int rank = def.shapeOf(n.output()).length;
                int axis = a.getInt("axis", -1);
                List<Operand<TFloat32>> parts = new ArrayList<>();
                for (String in : n.inputs()) {
                    parts.add(v.get(in));
                }
                return tf.concat(parts, tf.constant((axis < 0 ? axis + rank : axis) + 1));
            }
            case FLATTEN:
            case RESHAPE: {
                int[] s = def.shapeOf(n.output());
                int[] shape = new int[s.length + 1];
                shape[0] = -1;
                System.arraycopy(s, 0, shape, 1, s.length);
                return tf.reshape(x, tf.constant(shape));
            }
            case RELU:
                return tf.nn.relu(x);
            case RELU6:
                return tf.nn.relu6(x);
            case SIGMOID:
                return tf.math.sigmoid(x);
            case SOFTMAX:
                return tf.nn.softmax(x);
            default:
                throw new BadInputException("fine-tuning in TensorFlow needs an fp32 model; " + n.name() + " is "
                        + n.op().name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    private static Operand<TFloat32> bias(Ops tf, Node n, Operand<TFloat32> y, Function<String, Operand<TFloat32>> param) {
        return n.inputs().size() > 2 ? tf.nn.biasAdd(y, param.apply(n.input(2))) : y;
    }

    private static Operand<TFloat32> activation(Ops tf, Operand<TFloat32> y, Attributes a) {
        Activation act = Activation.parse(a.getString("activation", "none"));
        switch (act) {
            case RELU:
                return tf.nn.relu(y);
            case RELU6:
                return tf.nn.relu6(y);
            default:
                return y;
        }
    }

    private static List<Long> strides(Attributes a) {
        int[] s = a.getInts("strides", new int[] {1, 1});
        return List.of(1L, (long) s[0], (long) s[1], 1L);
    }

    private static String padding(Attributes a) {
        return Padding.parse(a.getString("padding", "valid")) == Padding.SAME ? "SAME" : "VALID";
    }
}
