package dev.tern.compress.quant;

import dev.tern.compress.BadInputException;
import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.QuantParams;
import dev.tern.runtime.model.TaskSpec;
import dev.tern.runtime.model.Tensor;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites a float32 model into an int8 one (the graph side of post-training quantization):
 * the layers chosen run in int8 with the calibrated activation ranges, everything else stays
 * float32, and quantize/dequantize nodes are inserted exactly where a value crosses between
 * the two (so the graph inputs are quantized once, and every head is dequantized under its
 * float name: tasks and outputs keep their names). Weights are quantized symmetrically per
 * output channel (or per tensor) into [-127, 127], or [-63, 63] ({@link WeightScheme}); biases into int32 at input scale x weight
 * scale. Pooling, flatten, reshape and relu follow their input (int8 in, int8 out, same
 * scale); sigmoid and softmax always run in float32.
 *
 * <p>The same input always gives the same model, byte for byte.
 */
public final class Quantizer {
    /** Layers that compute with weights or rescale: the units of sensitivity analysis and mixed precision. */
    public static final Set<OpType> LAYERS = Collections.unmodifiableSet(EnumSet.of(
            OpType.DENSE, OpType.CONV2D, OpType.DEPTHWISE_CONV2D, OpType.ADD, OpType.CONCAT));
    /** Ops that run on int8 when their input is int8 and keep its quantization. */
    static final Set<OpType> FOLLOWERS = EnumSet.of(OpType.MAX_POOL, OpType.AVG_POOL, OpType.GLOBAL_AVG_POOL,
            OpType.GLOBAL_MAX_POOL, OpType.FLATTEN, OpType.RESHAPE, OpType.RELU, OpType.RELU6);
    /** Suffix of the int8 version of a value whose float name stays in use. */
    public static final String INT8_SUFFIX = "/int8";

    private Quantizer() {
    }

    /** Names of the nodes that can be quantized (dense, convolutions, add, concat), in graph order. */
    public static List<String> layers(ModelDef def) {
        List<String> out = new ArrayList<>();
        for (Node n : def.nodes()) {
            if (LAYERS.contains(n.op()) && int8Capable(def, n)) {
                out.add(n.name());
            }
        }
        return out;
    }

    /**
     * Rejects a model that cannot be quantized: one that already holds int8 (quantizing twice
     * compounds the error and is never what was meant), or weights that are NaN or infinite.
     */
    public static void checkQuantizable(ModelDef def) {
        if (def.isQuantized()) {
            List<String> found = new ArrayList<>();
            for (Tensor t : def.tensors().values()) {
                if (t.dtype() != DType.FLOAT32 && found.size() < 3) {
                    found.add(t.name() + " (" + t.dtype().id() + ")");
                }
            }
            for (Node n : def.nodes()) {
                if ((n.op() == OpType.QUANTIZE || n.op() == OpType.DEQUANTIZE) && found.size() < 3) {
                    found.add("node " + n.name() + " (" + n.op().id() + ")");
                }
            }
            throw new BadInputException("model '" + def.name() + "' is already quantized (it holds " + String.join(", ", found)
                    + "); quantize its float32 original instead");
        }
        for (Tensor t : def.tensors().values()) {
            ByteBuffer b = t.data();
            int n = t.elementCount();
            for (int i = 0; i < n; i++) {
                float v = b.getFloat(i * 4);
                if (Float.isNaN(v) || Float.isInfinite(v)) {
                    throw new BadInputException("tensor '" + t.name() + "' holds " + v + " at index " + i
                            + "; weights must be finite to be quantized (the model is broken: retrain or re-export it)");
                }
            }
        }
    }

    /**
     * The int8 model: every node of {@link #layers} not in {@code floatLayers} runs in int8
     * with the activation ranges of {@code ranges} (one per value: inputs and node outputs).
     */
    public static ModelDef quantize(ModelDef def, Map<String, Range> ranges, Set<String> floatLayers, WeightScheme weights) {
        checkQuantizable(def);
        Rewriter r = new Rewriter(def, ranges);
        for (Node n : def.nodes()) {
            boolean int8;
            if (LAYERS.contains(n.op())) {
                int8 = !floatLayers.contains(n.name()) && int8Capable(def, n);
            } else if (FOLLOWERS.contains(n.op())) {
                int8 = r.nativeInt8.contains(n.input(0));
            } else {
                int8 = false;
            }
            if (int8) {
                r.int8Node(n, weights);
            } else {
                r.floatNode(n);
            }
        }
        return r.finish();
    }

    /**
     * Whether a layer has an int8 kernel in this configuration: an add of two activations of one
     * shape (int8 add does not broadcast or read constants; such adds, as ONNX imports bring, stay
     * float32).
     */
    static boolean int8Capable(ModelDef def, Node n) {
        if (n.op() != OpType.ADD) {
            return true;
        }
        int[] a = def.shapeOf(n.input(0));
        int[] b = def.shapeOf(n.input(1));
        return a != null && b != null && java.util.Arrays.equals(a, b);
    }

    /**
     * Weight-only (dynamic) int8: dense and convolution weights stored as int8 (per channel
     * or per tensor), biases and activations float32. No calibration data is needed; the
     * runtime expands the weights at load, so the file is about 4x smaller and the outputs
     * are those of the float model with its weights rounded to int8.
     */
    public static ModelDef weightOnly(ModelDef def, WeightScheme scheme) {
        checkQuantizable(def);
        List<Tensor> tensors = new ArrayList<>();
        Set<String> weights = new LinkedHashSet<>();
        Map<String, Integer> axis = new HashMap<>();
        for (Node n : def.nodes()) {
            if (n.op() == OpType.DENSE || n.op() == OpType.CONV2D || n.op() == OpType.DEPTHWISE_CONV2D) {
                weights.add(n.input(1));
                axis.put(n.input(1), n.op() == OpType.DEPTHWISE_CONV2D ? 2 : 0);
            }
        }
        for (Tensor t : def.tensors().values()) {
            tensors.add(weights.contains(t.name()) ? quantizeWeights(t, t.name(), axis.get(t.name()), scheme).tensor : t);
        }
        return new ModelDef(def.name(), def.inputs(), tensors, def.nodes(), def.tasks(), def.outputs(), def.provenance());
    }

    /** Int8 weights as a tensor, with their scales. */
    static final class QuantizedWeights {
        final Tensor tensor;
        final float[] scales;

        QuantizedWeights(Tensor tensor, float[] scales) {
            this.tensor = tensor;
            this.scales = scales;
        }
    }

    /** Decides, from a channel's index and its weight scale, whether it is stored as a zero channel. */
    interface DeadChannel {
        boolean test(int channel, float weightScale);
    }

    /** Symmetric int8 weights along {@code axis} (ND4J does the per-channel statistics). */
    static QuantizedWeights quantizeWeights(Tensor w, String name, int axis, WeightScheme scheme) {
        return quantizeWeights(w, name, axis, scheme, null);
    }

    /**
     * As above; channels for which {@code dead} says true are stored as zeros with scale
     * {@link WeightQuantizer#ZERO_CHANNEL_SCALE} (see {@code int8Node}). Scales below the
     * format's floor (1e-30: a channel of denormal weights) are zero channels too.
     */
    static QuantizedWeights quantizeWeights(Tensor w, String name, int axis, WeightScheme scheme, DeadChannel dead) {
        boolean perTensor = scheme.perTensor();
        WeightQuantizer.Result q = WeightQuantizer.quantize(w.name(), w.floats(), w.shape(), axis, scheme);
        byte[] values = q.values;
        float[] scales = q.scales.clone();
        if (!perTensor) {
            int channels = w.dim(axis);
            int inner = 1;
            for (int d = axis + 1; d < w.rank(); d++) {
                inner *= w.dim(d);
            }
            boolean[] zero = new boolean[channels];
            boolean any = false;
            for (int c = 0; c < channels; c++) {
                zero[c] = scales[c] < 1e-30f || dead != null && dead.test(c, scales[c]);
                any |= zero[c];
            }
            if (any) {
                values = values.clone();
                for (int k = 0; k < values.length; k++) {
                    if (zero[(k / inner) % channels]) {
                        values[k] = 0;
                    }
                }
                for (int c = 0; c < channels; c++) {
                    if (zero[c]) {
                        scales[c] = WeightQuantizer.ZERO_CHANNEL_SCALE;
                    }
                }
            }
        } else if (scales[0] < 1e-30f) {
            values = new byte[values.length];
            scales[0] = WeightQuantizer.ZERO_CHANNEL_SCALE;
        }
        QuantParams params = perTensor ? QuantParams.perTensor(scales[0], 0) : new QuantParams(scales, new int[scales.length], axis);
        return new QuantizedWeights(Tensor.ofInt8(name, w.shape(), values, params), scales);
    }

    /** Builds the new graph node by node, converting values between float32 and int8 on demand. */
    private static final class Rewriter {
        final ModelDef def;
        final Map<String, Range> ranges;
        final List<Tensor> tensors = new ArrayList<>();
        final List<Node> nodes = new ArrayList<>();
        final Set<String> used = new LinkedHashSet<>();
        /** Value -> its name in the new graph, per representation. */
        final Map<String, String> floats = new HashMap<>();
        final Map<String, String> int8 = new HashMap<>();
        /** Values computed in int8 (not merely quantized for a consumer). */
        final Set<String> nativeInt8 = new java.util.HashSet<>();
        /** Int8 value name -> its scale (for biases). */
        final Map<String, Float> scales = new HashMap<>();

        Rewriter(ModelDef def, Map<String, Range> ranges) {
            this.def = def;
            this.ranges = ranges;
            for (InputSpec in : def.inputs()) {
                floats.put(in.name(), in.name());
            }
            used.addAll(def.tensors().keySet());
        }

        Range range(String value) {
            Range r = ranges.get(value);
            if (r == null) {
                throw new IllegalStateException("no calibrated range for value '" + value + "'");
            }
            return r;
        }

        String asInt8(String v) {
            String q = int8.get(v);
            if (q == null) {
                Range r = range(v);
                q = v + INT8_SUFFIX;
                nodes.add(new Node(v + "/quantize", OpType.QUANTIZE, list(floats.get(v)), q,
                        Attributes.builder().put("scale", r.scale()).put("zero_point", r.zeroPoint()).build()));
                int8.put(v, q);
                scales.put(q, r.scale());
            }
            return q;
        }

        String asFloat(String v) {
            String f = floats.get(v);
            if (f == null) {
                f = v;
                nodes.add(new Node(v + "/dequantize", OpType.DEQUANTIZE, list(int8.get(v)), f, Attributes.EMPTY));
                floats.put(v, f);
            }
            return f;
        }

        void floatNode(Node n) {
            List<String> ins = new ArrayList<>();
            for (String in : n.inputs()) {
                ins.add(def.tensor(in) != null ? keep(in) : asFloat(in));
            }
            nodes.add(new Node(n.name(), n.op(), ins, n.output(), n.attributes()));
            floats.put(n.output(), n.output());
        }

        void int8Node(Node n, WeightScheme scheme) {
            String out = n.output() + INT8_SUFFIX;
            Attributes.Builder attrs = Attributes.builder().putAll(n.attributes());
            List<String> ins = new ArrayList<>();
            float outScale;
            switch (n.op()) {
                case DENSE:
                case CONV2D:
                case DEPTHWISE_CONV2D: {
                    String x = asInt8(n.input(0));
                    ins.add(x);
                    int axis = n.op() == OpType.DEPTHWISE_CONV2D ? 2 : 0;
                    Tensor w = def.tensor(n.input(1));
                    Range r = range(n.output());
                    float inScale0 = scales.get(x);
                    float[] bias0 = n.inputs().size() > 2 ? def.tensor(n.input(2)).floats() : null;
                    // A channel whose weights are so small that its requantization multiplier is below
                    // 2^-31 (no accumulator reaches one output step), or whose bias is beyond 2^30
                    // weight steps, contributes its bias only: store it as a zero channel (TFLite
                    // sets such multipliers to 0), instead of refusing the model.
                    QuantizedWeights q = quantizeWeights(w, n.name() + "/weights_int8", axis, scheme, (c, ws) ->
                            (double) inScale0 * ws / r.scale() < 0x1p-31
                                    || bias0 != null && Math.abs(bias0[c] / ((double) inScale0 * ws)) > 0x1p30);
                    tensors.add(q.tensor);
                    ins.add(q.tensor.name());
                    if (n.inputs().size() > 2) {
                        Tensor b = def.tensor(n.input(2));
                        float[] ws = expand(q.scales, w.dim(axis));
                        float inScale = scales.get(x);
                        int[] bq = WeightQuantizer.quantizeBias(b.name(), b.floats(), inScale, ws);
                        float[] bs = new float[ws.length];
                        for (int c = 0; c < bs.length; c++) {
                            bs[c] = (float) ((double) inScale * ws[c]);
                        }
                        Tensor bt = Tensor.ofInt32(n.name() + "/bias_int32", b.shape(), bq, new QuantParams(bs, new int[bs.length], 0));
                        tensors.add(bt);
                        ins.add(bt.name());
                    }
                    attrs.put("scale", r.scale()).put("zero_point", r.zeroPoint());
                    outScale = r.scale();
                    break;
                }
                case ADD:
                case CONCAT: {
                    for (String in : n.inputs()) {
                        ins.add(asInt8(in));
                    }
                    Range r = range(n.output());
                    attrs.put("scale", r.scale()).put("zero_point", r.zeroPoint());
                    outScale = r.scale();
                    break;
                }
                default: {
                    String x = int8.get(n.input(0));
                    ins.add(x);
                    outScale = scales.get(x);
                }
            }
            nodes.add(new Node(n.name(), n.op(), ins, out, attrs.build()));
            int8.put(n.output(), out);
            nativeInt8.add(n.output());
            scales.put(out, outScale);
        }

        String keep(String tensor) {
            if (used.remove(tensor)) {
                tensors.add(def.tensor(tensor));
            }
            return tensor;
        }

        ModelDef finish() {
            for (String o : def.outputs()) {
                asFloat(o);
            }
            for (TaskSpec t : def.tasks()) {
                asFloat(t.output());
            }
            return new ModelDef(def.name(), def.inputs(), tensors, nodes, def.tasks(), def.outputs(), def.provenance());
        }
    }

    static float[] expand(float[] scales, int channels) {
        if (scales.length == channels) {
            return scales;
        }
        float[] out = new float[channels];
        java.util.Arrays.fill(out, scales[0]);
        return out;
    }

    private static List<String> list(String s) {
        List<String> l = new ArrayList<>();
        l.add(s);
        return l;
    }
}
