package dev.tern.compress.tf;

import dev.tern.compress.BadInputException;
import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.Padding;
import dev.tern.runtime.model.ShapeInference;
import dev.tern.runtime.model.Tensor;
import dev.tern.runtime.model.ValueType;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Max;
import org.tensorflow.op.core.Min;
import org.tensorflow.op.core.StridedSlice;
import org.tensorflow.op.core.Sum;
import org.tensorflow.op.math.Mean;
import org.tensorflow.op.nn.LeakyRelu;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The forward graph of an fp32 Tern model in TensorFlow Java, batch first (NHWC), the way the
 * runtime's reference kernels compute it: so a model that came from anywhere (a SavedModel or
 * ONNX import, a pruned or distilled model) can be fine-tuned in TensorFlow with its weights as
 * variables. Weights enter through {@code param} (a variable's read, or a constant), in Tern's
 * layouts, converted here: Conv2D filters [cout, kh, kw, cin] to TensorFlow's [kh, kw, cin, cout],
 * depthwise [kh, kw, c * m] to [kh, kw, c, m], conv_transpose [cout, kh, kw, cin] to the
 * [kh, kw, cout, cin] of Conv2DBackpropInput, Dense [out, in] used as x W^T. Tern's shapes are
 * per sample: a per-sample axis d is TensorFlow axis d + 1.
 *
 * <p>Every fp32 op of {@link OpType} is built, with every attribute value the reference kernels
 * take, from TensorFlow ops that have gradients in TensorFlow Java's (C++) gradient registry, so
 * fine-tuning can take gradients through all of them. Where TensorFlow's own op does not compute
 * what the reference does, or has no usable gradient, the graph is built from ops that do:
 * <ul>
 * <li>explicit padding: a Pad (zeros for convolutions and average pooling, -inf for max
 * pooling) and a VALID op; average pooling multiplies TensorFlow's average over the whole
 * window by kh kw / (the reference's count of cells: in-bounds ones, or with count_include_pad
 * those inside the padded input), a constant per output cell, which also covers ceil_mode's last
 * window reaching past the padded input;</li>
 * <li>dilations: the filter is dilated (zeros inserted with Reshape, Pad and Slice) and the
 * convolution runs undilated: TensorFlow's Conv2D and DepthwiseConv2dNative compute dilated
 * convolutions forward, but their C++ gradients drop the dilations (with TensorFlow Java 1.1 the
 * backprop op fails on its sizes, then oneDNN aborts the JVM with SIGILL);</li>
 * <li>resize: the reference's own source indices and weights (every coordinate transform,
 * nearest rounding and scales attribute), computed here, applied with Gather and a lerp:
 * ResizeBilinear and ResizeNearestNeighbor have only align_corners and half_pixel_centers (their
 * half-pixel nearest rounds as round_prefer_ceil, none of them has pytorch_half_pixel's one-pixel
 * rule or align_corners with the model's scales);</li>
 * <li>pad mode edge: a Gather of clamped indices per axis (MirrorPad has only reflect and
 * symmetric); reflect is MirrorPad;</li>
 * <li>elu with any alpha: relu(x) + alpha expm1(min(x, 0)) (TensorFlow's Elu has alpha 1, and
 * the min keeps exp's overflow out of the gradient); prelu: Select(x >= 0, x, x slope);</li>
 * <li>conv_transpose: Conv2DBackpropInput (VALID, the full output), then the reference's crop by
 * the top and left pads and output_padding's zero rows and columns, then the bias;</li>
 * <li>log_softmax along an axis other than the last: transposed to the last axis and back.</li>
 * </ul>
 * Int8 models (quantize, dequantize, int8 values or weights) are refused: fine-tuning runs before
 * quantization. {@link #unsupported(ModelDef)} names every node that cannot be built, before
 * anything is built.
 */
public final class TfModelGraph {
    private TfModelGraph() {
    }

    /** A node the TensorFlow graph cannot build, and why. */
    public record Blocker(String node, OpType op, String reason) {
        @Override
        public String toString() {
            return "node '" + node + "' (" + op.id() + "): " + reason;
        }
    }

    /**
     * The nodes of {@code def} that {@link #forward} cannot build, each with the reason, in node
     * order; empty when the whole model can be built (and so fine-tuned). A training job calls this
     * first, to refuse at the start with every blocking node by name.
     */
    public static List<Blocker> unsupported(ModelDef def) {
        List<Blocker> out = new ArrayList<>();
        for (Node n : def.nodes()) {
            String why = blocker(def, n);
            if (why != null) {
                out.add(new Blocker(n.name(), n.op(), why));
            }
        }
        return out;
    }

    /** Why node n cannot be built, or null when it can. */
    private static String blocker(ModelDef def, Node n) {
        if (n.op() == OpType.QUANTIZE || n.op() == OpType.DEQUANTIZE) {
            return "fine-tuning in TensorFlow needs an fp32 model (prune or distill, fine-tune, then quantize); this is "
                    + n.op().id();
        }
        ValueType out = def.typeOf(n.output());
        if (out != null && out.isInt8()) {
            return "fine-tuning in TensorFlow needs an fp32 model; this node computes in int8";
        }
        for (String in : n.inputs()) {
            Tensor t = def.tensor(in);
            if (t != null && t.dtype() != DType.FLOAT32) {
                return "fine-tuning in TensorFlow needs an fp32 model; tensor '" + in + "' is " + t.dtype().id()
                        + " (fine-tune the fp32 model, then quantize)";
            }
            ValueType vt = def.typeOf(in);
            if (vt != null && vt.isInt8()) {
                return "fine-tuning in TensorFlow needs an fp32 model; input '" + in + "' is int8";
            }
        }
        return null;
    }

    /**
     * @param inputs one operand per model input, [batch, per-sample shape...]
     * @param param  the operand of a constant tensor by name (float32, in Tern's layout and shape)
     * @return every node output by value name
     * @throws BadInputException naming the first node that cannot be built ({@link #unsupported})
     */
    public static Map<String, Operand<TFloat32>> forward(Ops tf, ModelDef def, Map<String, Operand<TFloat32>> inputs,
                                                         Function<String, Operand<TFloat32>> param) {
        Map<String, Operand<TFloat32>> v = new LinkedHashMap<>(inputs);
        for (Node n : def.nodes()) {
            String why = blocker(def, n);
            if (why != null) {
                throw new BadInputException(new Blocker(n.name(), n.op(), why).toString());
            }
            v.put(n.output(), new Builder(tf, def, n, v, param).build());
        }
        return v;
    }

    /** Builds one node. */
    private static final class Builder {
        final Ops tf;
        final ModelDef def;
        final Node n;
        final Attributes a;
        final Map<String, Operand<TFloat32>> v;
        final Function<String, Operand<TFloat32>> param;

        Builder(Ops tf, ModelDef def, Node n, Map<String, Operand<TFloat32>> v, Function<String, Operand<TFloat32>> param) {
            this.tf = tf;
            this.def = def;
            this.n = n;
            this.a = n.attributes();
            this.v = v;
            this.param = param;
        }

        Operand<TFloat32> build() {
            switch (n.op()) {
                case DENSE: {
                    Operand<TFloat32> y = tf.linalg.matMul(x(), weight(1), org.tensorflow.op.linalg.MatMul.transposeB(true));
                    return activation(bias(y));
                }
                case CONV2D: {
                    int[] ws = def.tensor(n.input(1)).shape();
                    int[] d = dilations();
                    Operand<TFloat32> f = dilate(tf.linalg.transpose(weight(1), ints(1, 2, 3, 0)),
                            new int[] {ws[1], ws[2], ws[3], ws[0]}, d[0], d[1]);
                    Operand<TFloat32> y = padding() == Padding.EXPLICIT
                            ? tf.nn.conv2d(padSpatial(x(), 0f, pads()), f, strides(), "VALID")
                            : tf.nn.conv2d(x(), f, strides(), padding().name());
                    return activation(bias(y));
                }
                case DEPTHWISE_CONV2D: {
                    int[] fs = def.tensor(n.input(1)).shape();
                    int c = inShape(0)[2];
                    int[] d = dilations();
                    int[] shape = {fs[0], fs[1], c, fs[2] / c};
                    Operand<TFloat32> f = dilate(tf.reshape(weight(1), tf.constant(shape)), shape, d[0], d[1]);
                    Operand<TFloat32> y = padding() == Padding.EXPLICIT
                            ? tf.nn.depthwiseConv2dNative(padSpatial(x(), 0f, pads()), f, strides(), "VALID")
                            : tf.nn.depthwiseConv2dNative(x(), f, strides(), padding().name());
                    return activation(bias(y));
                }
                case MAX_POOL:
                case AVG_POOL:
                    return pool(n.op() == OpType.MAX_POOL);
                case GLOBAL_AVG_POOL:
                    return tf.math.mean(x(), ints(1, 2));
                case GLOBAL_MAX_POOL:
                    return tf.max(x(), ints(1, 2));
                case ADD:
                    return activation(tf.math.add(operand(0), operand(1)));
                case SUB:
                    return tf.math.sub(operand(0), operand(1));
                case MUL:
                    return tf.math.mul(operand(0), operand(1));
                case DIV:
                    return tf.math.div(operand(0), operand(1));
                case MAX:
                    return tf.math.maximum(operand(0), operand(1));
                case MIN:
                    return tf.math.minimum(operand(0), operand(1));
                case PRELU: {
                    Operand<TFloat32> x = x();
                    return tf.select(tf.math.greaterEqual(x, zero()), x, tf.math.mul(x, operand(1)));
                }
                case CONCAT: {
                    int rank = outShape().length;
                    int axis = a.getInt("axis", -1);
                    List<Operand<TFloat32>> parts = new ArrayList<>();
                    for (String in : n.inputs()) {
                        parts.add(v.get(in));
                    }
                    return tf.concat(parts, tf.constant((axis < 0 ? axis + rank : axis) + 1));
                }
                case FLATTEN:
                case RESHAPE:
                    return tf.reshape(x(), batchShape(outShape()));
                case TRANSPOSE: {
                    int[] perm = a.getInts("perm", null);
                    int[] p = new int[perm.length + 1];
                    for (int d = 0; d < perm.length; d++) {
                        p[d + 1] = perm[d] + 1;
                    }
                    return tf.linalg.transpose(x(), tf.constant(p));
                }
                case RELU:
                    return tf.nn.relu(x());
                case RELU6:
                    return tf.nn.relu6(x());
                case SIGMOID:
                    return tf.math.sigmoid(x());
                case SOFTMAX:
                    return tf.nn.softmax(x());
                case LOG_SOFTMAX:
                    return logSoftmax();
                case HARD_SIGMOID: {
                    float alpha = a.getFloat("alpha", 0.2f);
                    float beta = a.getFloat("beta", 0.5f);
                    return clamp01(tf.math.add(tf.math.mul(x(), tf.constant(alpha)), tf.constant(beta)));
                }
                case HARD_SWISH: {
                    Operand<TFloat32> x = x();
                    return tf.math.mul(x, clamp01(tf.math.add(tf.math.div(x, tf.constant(6f)), tf.constant(0.5f))));
                }
                case TANH:
                    return tf.math.tanh(x());
                case EXP:
                    return tf.math.exp(x());
                case LOG:
                    return tf.math.log(x());
                case NEG:
                    return tf.math.neg(x());
                case ABS:
                    return tf.math.abs(x());
                case SQRT:
                    return tf.math.sqrt(x());
                case RECIPROCAL:
                    return tf.math.reciprocal(x());
                case LEAKY_RELU:
                    return tf.nn.leakyRelu(x(), LeakyRelu.alpha(a.getFloat("alpha", 0.01f)));
                case ELU: {
                    Operand<TFloat32> x = x();
                    float alpha = a.getFloat("alpha", 1f);
                    return tf.math.add(tf.nn.relu(x), tf.math.mul(tf.constant(alpha), tf.math.expm1(tf.math.minimum(x, zero()))));
                }
                case CLIP: {
                    float lo = a.getFloat("min", Float.NEGATIVE_INFINITY);
                    float hi = a.getFloat("max", Float.POSITIVE_INFINITY);
                    Operand<TFloat32> y = x();
                    if (lo != Float.NEGATIVE_INFINITY) {
                        y = tf.math.maximum(y, tf.constant(lo));
                    }
                    if (hi != Float.POSITIVE_INFINITY) {
                        y = tf.math.minimum(y, tf.constant(hi));
                    }
                    return y == x() ? tf.identity(y) : y; // a value of its own, as every node's
                }
                case REDUCE_MEAN:
                case REDUCE_MAX:
                case REDUCE_MIN:
                case REDUCE_SUM:
                    return reduce();
                case SLICE:
                    return slice();
                case PAD:
                    return pad();
                case MATMUL:
                    return tf.train.batchMatMul(operand(0), operand(1), TFloat32.class);
                case RESIZE:
                    return resize();
                case CONV_TRANSPOSE:
                    return convTranspose();
                default:
                    // quantize and dequantize are refused by blocker() before this is called
                    throw refuse("op " + n.op().id() + " has no TensorFlow graph");
            }
        }

        // ---- operands and shapes

        BadInputException refuse(String why) {
            return new BadInputException(new Blocker(n.name(), n.op(), why).toString());
        }

        /** Activation input 0. */
        Operand<TFloat32> x() {
            return v.get(n.input(0));
        }

        Operand<TFloat32> weight(int i) {
            return param.apply(n.input(i));
        }

        /**
         * Operand i of an op that broadcasts as numpy does over the per-sample shapes: a constant
         * as it is (TensorFlow aligns it at the last axes, below the batch axis), an activation of a
         * lower per-sample rank than the output reshaped to [batch, 1, ..., shape] so that its batch
         * axis stays the first.
         */
        Operand<TFloat32> operand(int i) {
            String name = n.input(i);
            Operand<TFloat32> o = v.get(name);
            if (o == null) {
                return param.apply(name);
            }
            int[] s = def.shapeOf(name);
            int rank = outShape().length;
            if (s.length >= rank) {
                return o;
            }
            int[] full = new int[rank];
            Arrays.fill(full, 1);
            System.arraycopy(s, 0, full, rank - s.length, s.length);
            return tf.reshape(o, batchShape(full));
        }

        int[] inShape(int i) {
            return def.shapeOf(n.input(i));
        }

        int[] outShape() {
            return def.shapeOf(n.output());
        }

        Operand<TInt32> ints(int... values) {
            return tf.constant(values);
        }

        Operand<TFloat32> zero() {
            return tf.constant(0f);
        }

        /** [-1, shape...]: a per-sample shape with the batch axis. */
        Operand<TInt32> batchShape(int[] s) {
            int[] shape = new int[s.length + 1];
            shape[0] = -1;
            System.arraycopy(s, 0, shape, 1, s.length);
            return tf.constant(shape);
        }

        /** A constant of the given TensorFlow shape. */
        Operand<TFloat32> constant(long[] shape, float[] values) {
            return tf.constant(Shape.of(shape), DataBuffers.of(values, true, false));
        }

        Operand<TFloat32> bias(Operand<TFloat32> y) {
            return n.inputs().size() > 2 ? tf.nn.biasAdd(y, weight(2)) : y;
        }

        /** The fused activation: a clamp of the output (none, relu, relu6). */
        Operand<TFloat32> activation(Operand<TFloat32> y) {
            Activation act = Activation.parse(a.getString("activation", "none"));
            switch (act) {
                case NONE:
                    return y;
                case RELU:
                    return tf.nn.relu(y);
                case RELU6:
                    return tf.nn.relu6(y);
                default:
                    throw refuse("activation " + act.id() + " has no TensorFlow graph");
            }
        }

        Operand<TFloat32> clamp01(Operand<TFloat32> y) {
            return tf.math.maximum(tf.math.minimum(y, tf.constant(1f)), zero());
        }

        // ---- windows

        Padding padding() {
            return Padding.parse(a.getString("padding", "valid"));
        }

        int[] pads() {
            return a.getInts("pads", new int[4]);
        }

        int[] dilations() {
            return a.getInts("dilations", new int[] {1, 1});
        }

        int[] strideHw() {
            return a.getInts("strides", new int[] {1, 1});
        }

        List<Long> strides() {
            int[] s = strideHw();
            return List.of(1L, (long) s[0], (long) s[1], 1L);
        }

        /** x padded by {@code p} = [top, left, bottom, right] cells of value {@code value}. */
        Operand<TFloat32> padSpatial(Operand<TFloat32> x, float value, int[] p) {
            if (p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 0) {
                return x;
            }
            return tf.pad(x, tf.constant(new int[][] {{0, 0}, {p[0], p[2]}, {p[1], p[3]}, {0, 0}}), tf.constant(value));
        }

        /**
         * A filter [kh, kw, a, b] dilated by (dh, dw): [(kh - 1) dh + 1, (kw - 1) dw + 1, a, b] with
         * zeros between the taps, so that an undilated convolution computes the dilated one.
         */
        Operand<TFloat32> dilate(Operand<TFloat32> f, int[] shape, int dh, int dw) {
            if (dh == 1 && dw == 1) {
                return f;
            }
            int kh = shape[0];
            int kw = shape[1];
            // [kh, 1, kw, 1, a, b], zeros after each tap, [kh dh, kw dw, a, b], the trailing zeros cut
            Operand<TFloat32> y = tf.reshape(f, ints(kh, 1, kw, 1, shape[2], shape[3]));
            y = tf.pad(y, tf.constant(new int[][] {{0, 0}, {0, dh - 1}, {0, 0}, {0, dw - 1}, {0, 0}, {0, 0}}), zero());
            y = tf.reshape(y, ints(kh * dh, kw * dw, shape[2], shape[3]));
            return tf.slice(y, ints(0, 0, 0, 0), ints((kh - 1) * dh + 1, (kw - 1) * dw + 1, shape[2], shape[3]));
        }

        /**
         * Max and average pooling. SAME and VALID are TensorFlow's (whose SAME average counts only
         * the in-bounds cells, as the reference). Explicit: padded to cover every window (the pads,
         * and with ceil_mode what the last window reaches past them), a VALID pool; an average is
         * TensorFlow's mean over the window times kh kw / count, count the cells the reference
         * divides by.
         */
        Operand<TFloat32> pool(boolean max) {
            int[] w = a.getInts("window", null);
            int[] s = strideHw();
            Operand<TFloat32> x = x();
            if (padding() != Padding.EXPLICIT) {
                if (max) {
                    return tf.nn.maxPool(x, ints(1, w[0], w[1], 1), ints(1, s[0], s[1], 1), padding().name());
                }
                return tf.nn.avgPool(x, List.of(1L, (long) w[0], (long) w[1], 1L), strides(), padding().name());
            }
            int[] in = inShape(0);
            int[] out = outShape();
            int[] p = pads();
            boolean includePad = a.getInt("count_include_pad", 0) != 0;
            int bottom = Math.max(0, (out[0] - 1) * s[0] + w[0] - in[0] - p[0]);
            int right = Math.max(0, (out[1] - 1) * s[1] + w[1] - in[1] - p[1]);
            int[] tfPads = {p[0], p[1], bottom, right};
            // per output cell, the reference's count (Pool): in-bounds cells, and for an average
            // with count_include_pad also the padding cells inside the padded input
            float[] factor = new float[out[0] * out[1]];
            float[] empty = new float[out[0] * out[1]];
            boolean allWhole = true;
            boolean anyEmpty = false;
            for (int oy = 0; oy < out[0]; oy++) {
                for (int ox = 0; ox < out[1]; ox++) {
                    int count = 0;
                    int inBounds = 0;
                    for (int ky = 0; ky < w[0]; ky++) {
                        for (int kx = 0; kx < w[1]; kx++) {
                            int iy = oy * s[0] - p[0] + ky;
                            int ix = ox * s[1] - p[1] + kx;
                            boolean inside = iy >= 0 && iy < in[0] && ix >= 0 && ix < in[1];
                            inBounds += inside ? 1 : 0;
                            if (inside || !max && includePad && iy < in[0] + p[2] && ix < in[1] + p[3]) {
                                count++;
                            }
                        }
                    }
                    factor[oy * out[1] + ox] = (float) (w[0] * w[1]) / count;
                    allWhole &= count == w[0] * w[1];
                    empty[oy * out[1] + ox] = inBounds == 0 ? Float.NEGATIVE_INFINITY : 0f;
                    anyEmpty |= inBounds == 0;
                }
            }
            long[] cells = {1, out[0], out[1], 1};
            if (max) {
                Operand<TFloat32> y = tf.nn.maxPool(padSpatial(x, Float.NEGATIVE_INFINITY, tfPads), ints(1, w[0], w[1], 1),
                        ints(1, s[0], s[1], 1), "VALID");
                // a window wholly in the padding: the reference's max of nothing is -inf, MaxPool's
                // is the lowest float
                return anyEmpty ? tf.math.add(y, constant(cells, empty)) : y;
            }
            Operand<TFloat32> mean = tf.nn.avgPool(padSpatial(x, 0f, tfPads), List.of(1L, (long) w[0], (long) w[1], 1L),
                    strides(), "VALID");
            return allWhole ? mean : tf.math.mul(mean, constant(cells, factor));
        }

        // ---- the ops of format 1.4

        Operand<TFloat32> logSoftmax() {
            int rank = outShape().length;
            int axis = a.getInt("axis", -1);
            int ax = (axis < 0 ? axis + rank : axis) + 1;
            if (ax == rank) {
                return tf.nn.logSoftmax(x());
            }
            int[] perm = new int[rank + 1];
            for (int d = 0; d <= rank; d++) {
                perm[d] = d;
            }
            perm[ax] = rank;
            perm[rank] = ax;
            Operand<TInt32> p = tf.constant(perm);
            return tf.linalg.transpose(tf.nn.logSoftmax(tf.linalg.transpose(x(), p)), p);
        }

        Operand<TFloat32> reduce() {
            int[] in = inShape(0);
            boolean[] reduced = ShapeInference.reducedAxes(a.getInts("axes", null), in.length);
            List<Integer> axes = new ArrayList<>();
            for (int d = 0; d < in.length; d++) {
                if (reduced[d]) {
                    axes.add(d + 1);
                }
            }
            Operand<TFloat32> x = x();
            if (axes.isEmpty()) {
                return tf.identity(x);
            }
            Operand<TInt32> ax = tf.constant(axes.stream().mapToInt(Integer::intValue).toArray());
            boolean keep = a.getInt("keepdims", 1) != 0;
            switch (n.op()) {
                case REDUCE_MEAN:
                    return tf.math.mean(x, ax, Mean.keepDims(keep));
                case REDUCE_SUM:
                    return tf.sum(x, ax, Sum.keepDims(keep));
                case REDUCE_MAX:
                    return tf.max(x, ax, Max.keepDims(keep));
                default:
                    return tf.min(x, ax, Min.keepDims(keep));
            }
        }

        /** StridedSlice; an end of -1 (a negative step through index 0) is the end mask's "to the start". */
        Operand<TFloat32> slice() {
            int[] st = a.getInts("starts", null);
            int[] en = a.getInts("ends", null);
            int[] sp = a.getInts("steps", null);
            int r = st.length;
            int[] begin = new int[r + 1];
            int[] end = new int[r + 1];
            int[] step = new int[r + 1];
            step[0] = 1;
            long endMask = 1;
            for (int d = 0; d < r; d++) {
                begin[d + 1] = st[d];
                end[d + 1] = en[d];
                step[d + 1] = sp[d];
                if (sp[d] < 0 && en[d] < 0) {
                    endMask |= 1L << (d + 1);
                    end[d + 1] = 0;
                }
            }
            return tf.stridedSlice(x(), tf.constant(begin), tf.constant(end), tf.constant(step),
                    StridedSlice.beginMask(1L), StridedSlice.endMask(endMask));
        }

        Operand<TFloat32> pad() {
            int[] in = inShape(0);
            int r = in.length;
            int[] pads = a.getInts("pads", null);
            String mode = a.getString("mode", "constant");
            Operand<TFloat32> x = x();
            int[][] paddings = new int[r + 1][2];
            for (int d = 0; d < r; d++) {
                paddings[d + 1][0] = pads[d];
                paddings[d + 1][1] = pads[d + r];
            }
            switch (mode) {
                case "constant":
                    return tf.pad(x, tf.constant(paddings), tf.constant(a.getFloat("value", 0f)));
                case "reflect":
                    return tf.mirrorPad(x, tf.constant(paddings), "REFLECT");
                case "edge": {
                    for (int d = 0; d < r; d++) {
                        int b = pads[d];
                        int e = pads[d + r];
                        if (b == 0 && e == 0) {
                            continue;
                        }
                        int[] idx = new int[in[d] + b + e];
                        for (int i = 0; i < idx.length; i++) {
                            idx[i] = Math.max(0, Math.min(in[d] - 1, i - b));
                        }
                        x = tf.gather(x, tf.constant(idx), tf.constant(d + 1));
                    }
                    return x;
                }
                default:
                    throw refuse("pad mode '" + mode + "' is not one of constant, reflect, edge");
            }
        }

        /**
         * Resize as the reference computes it: per output row (column) two source rows (columns)
         * and the weight of the second, from the reference's coordinate transforms; rows gathered
         * and interpolated, then columns.
         */
        Operand<TFloat32> resize() {
            int[] in = inShape(0);
            int[] out = outShape();
            boolean given = a.has("scales");
            float[] scales = a.getFloats("scales", new float[] {(float) out[0] / in[0], (float) out[1] / in[1]});
            boolean linear = a.getString("mode", "nearest").equals("linear");
            String coord = a.getString("coordinate", "half_pixel");
            String nearest = a.getString("nearest", "round_prefer_floor");
            Operand<TFloat32> y = x();
            for (int d = 0; d < 2; d++) {
                int[] i0 = new int[out[d]];
                int[] i1 = new int[out[d]];
                float[] w = new float[out[d]];
                resizeAxis(in[d], out[d], given ? in[d] * (double) scales[d] : out[d], scales[d], coord, nearest, linear,
                        i0, i1, w);
                y = lerp(y, d + 1, in[d], i0, i1, w);
            }
            return y == x() ? tf.identity(y) : y;
        }

        /** The reference's source positions along one axis (Resize.axis). */
        void resizeAxis(int in, int out, double length, float scale, String coord, String nearest, boolean linear,
                        int[] i0, int[] i1, float[] w) {
            try {
                dev.tern.runtime.model.ResizeSampling.axis(in, out, length, scale, coord, nearest, linear, i0, i1, w);
            } catch (IllegalArgumentException e) {
                throw refuse(e.getMessage());
            }
        }

        /** (1 - w) x[i0] + w x[i1] along TensorFlow axis {@code axis}, as x[i0] + (x[i1] - x[i0]) w. */
        Operand<TFloat32> lerp(Operand<TFloat32> x, int axis, int in, int[] i0, int[] i1, float[] w) {
            Operand<TInt32> ax = tf.constant(axis);
            boolean identity = i0.length == in;
            boolean weighted = false;
            for (int o = 0; o < i0.length; o++) {
                identity &= i0[o] == o;
                weighted |= w[o] != 0f;
            }
            Operand<TFloat32> g0 = identity ? x : tf.gather(x, tf.constant(i0), ax);
            if (!weighted) {
                return g0;
            }
            Operand<TFloat32> g1 = tf.gather(x, tf.constant(i1), ax);
            long[] shape = {1, 1, 1, 1};
            shape[axis] = w.length;
            return tf.math.add(g0, tf.math.mul(tf.math.sub(g1, g0), constant(shape, w)));
        }

        /**
         * Conv2DBackpropInput computes the whole transposed convolution: full row o = iy sh + ky dh
         * over (iy, ky), (in - 1) sh + (kh - 1) dh + 1 rows. The reference's row oy is full row
         * oy + pad_top; output_padding may reach past the full output (zeros, then the bias).
         */
        Operand<TFloat32> convTranspose() {
            int[] in = inShape(0);
            int[] out = outShape();
            int[] ws = def.tensor(n.input(1)).shape(); // [cout, kh, kw, cin]
            int[] s = strideHw();
            int[] d = dilations();
            int[] p = pads();
            int fullH = (in[0] - 1) * s[0] + (ws[1] - 1) * d[0] + 1;
            int fullW = (in[1] - 1) * s[1] + (ws[2] - 1) * d[1] + 1;
            Operand<TFloat32> x = x();
            // Conv2DBackpropInput's filter is the forward conv's [kh, kw, in = cout, out = cin]
            Operand<TFloat32> f = dilate(tf.linalg.transpose(weight(1), ints(1, 2, 0, 3)),
                    new int[] {ws[1], ws[2], ws[0], ws[3]}, d[0], d[1]);
            Operand<TInt32> batch = tf.slice(tf.shape(x), ints(0), ints(1));
            Operand<TInt32> sizes = tf.concat(List.of(batch, ints(fullH, fullW, ws[0])), tf.constant(0));
            Operand<TFloat32> y = tf.nn.conv2dBackpropInput(sizes, f, x, strides(), "VALID");
            int extraH = Math.max(0, p[0] + out[0] - fullH);
            int extraW = Math.max(0, p[1] + out[1] - fullW);
            y = padSpatial(y, 0f, new int[] {0, 0, extraH, extraW});
            if (p[0] != 0 || p[1] != 0 || out[0] != fullH + extraH || out[1] != fullW + extraW) {
                y = tf.slice(y, ints(0, p[0], p[1], 0), ints(-1, out[0], out[1], ws[0]));
            }
            return bias(y);
        }
    }
}
