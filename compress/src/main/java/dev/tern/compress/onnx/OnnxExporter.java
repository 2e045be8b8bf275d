package dev.tern.compress.onnx;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.compress.BadInputException;
import dev.tern.compress.TernVersion;
import dev.tern.compress.onnx.proto.Onnx.AttributeProto;
import dev.tern.compress.onnx.proto.Onnx.ModelProto;
import dev.tern.compress.onnx.proto.Onnx.StringStringEntryProto;
import dev.tern.runtime.format.AtomicFiles;
import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.Padding;
import dev.tern.runtime.model.QuantParams;
import dev.tern.runtime.model.TaskKind;
import dev.tern.runtime.model.TaskSpec;
import dev.tern.runtime.model.Tensor;
import dev.tern.runtime.model.ValueType;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Exports a Tern model to ONNX (opset 13), float32 or int8 as QDQ (docs/ONNX.md).
 *
 * <p>The graph has Tern's inputs (NHWC, normalized as the input spec says, batch dimension
 * {@code N}) and Tern's graph outputs under their names, holding what Tern's
 * {@code Session.output} returns. ONNX convolutions and pools are NCHW: the exporter tracks
 * the layout of every image value and inserts a Transpose only where the layout changes,
 * so flatten, reshape, concat and dense see Tern's NHWC order.
 *
 * <p>Int8 values are int8 tensors: an op that Tern computes in int8 reads them through
 * DequantizeLinear, runs in float and writes them through QuantizeLinear with Tern's scale
 * and zero point (the QDQ form ONNX Runtime fuses into QLinearConv, QGemm, ...); int8
 * weights and int32 biases are initializers behind DequantizeLinear (per channel along the
 * output-channel axis). Data movement (transpose, flatten, reshape, max pool, concat of
 * identically quantized inputs) runs on the int8 tensors themselves.
 *
 * <p>With {@link Options#withUint8Activations(boolean) uint8 activations}, every int8
 * activation is written as a uint8 tensor instead, its zero point Tern's plus 128 (same
 * scale): q_u8 = q_s8 + 128 holds exactly the same real values, saturates at the same ones
 * and rounds the same way. Weights stay int8 (zero point 0) and biases int32, so ONNX
 * Runtime on x86 fuses the graph into its u8s8 integer kernels by default.
 */
public final class OnnxExporter {
    public static final int OPSET = 13;
    /** ONNX IR version 7 goes with opset 13. */
    public static final long IR_VERSION = 7;
    public static final String PRODUCER = "tern";

    /** Every op the exporter maps; a node of any other op is refused (listed explicitly, so a new op is refused until mapped). */
    public static final Set<OpType> SUPPORTED = Collections.unmodifiableSet(EnumSet.of(
            OpType.DENSE, OpType.CONV2D, OpType.DEPTHWISE_CONV2D, OpType.MAX_POOL, OpType.AVG_POOL,
            OpType.GLOBAL_AVG_POOL, OpType.GLOBAL_MAX_POOL, OpType.ADD, OpType.CONCAT, OpType.FLATTEN,
            OpType.RESHAPE, OpType.RELU, OpType.RELU6, OpType.SIGMOID, OpType.SOFTMAX, OpType.QUANTIZE,
            OpType.DEQUANTIZE, OpType.HARD_SIGMOID, OpType.HARD_SWISH));

    /** NHWC to NCHW and back. */
    private static final int[] TO_NCHW = {0, 3, 1, 2};
    private static final int[] TO_NHWC = {0, 2, 3, 1};

    /**
     * Export options, immutable: {@code Options.defaults().withUint8Activations(true)}.
     * The defaults give int8 activations.
     */
    public static final class Options {
        private static final Options DEFAULTS = new Options(false);

        private final boolean uint8Activations;

        private Options(boolean uint8Activations) {
            this.uint8Activations = uint8Activations;
        }

        /** Int8 activations (as Tern holds them). */
        public static Options defaults() {
            return DEFAULTS;
        }

        /**
         * These options with int8 activations written as uint8 ({@code true}: zero point + 128,
         * same scale, the same real values) or as int8 ({@code false}, the default). Weights stay
         * int8 and biases int32 either way; float32 values (graph inputs and outputs, float
         * models, weight-only int8 models) are not affected.
         */
        public Options withUint8Activations(boolean uint8) {
            return uint8 == uint8Activations ? this : new Options(uint8);
        }

        public boolean uint8Activations() {
            return uint8Activations;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Options && ((Options) o).uint8Activations == uint8Activations;
        }

        @Override
        public int hashCode() {
            return Boolean.hashCode(uint8Activations);
        }

        @Override
        public String toString() {
            return "Options[activations=" + (uint8Activations ? "uint8" : "int8") + "]";
        }
    }

    private final ModelDef def;
    private final Options options;
    private final OnnxGraph g;
    /** Tern value -> its ONNX value. */
    private final Map<String, Val> vals = new HashMap<>();
    /** ONNX value -> its transposed version (per target layout), so that each transpose is made once. */
    private final Map<String, String> transposed = new HashMap<>();

    /** How a Tern value is held in ONNX: the value name, whether an image is NCHW, and Tern's type. */
    private static final class Val {
        final String name;
        final boolean nchw;
        final ValueType type;

        Val(String name, boolean nchw, ValueType type) {
            this.name = name;
            this.nchw = nchw;
            this.type = type;
        }
    }

    private OnnxExporter(ModelDef def, Options options) {
        this.def = def;
        this.options = options;
        this.g = new OnnxGraph(def.name().isEmpty() ? "tern" : def.name());
    }

    /** The ONNX model of {@code def} with the default options; throws {@link BadInputException} naming the first node it cannot map. */
    public static ModelProto export(ModelDef def) {
        return export(def, Options.defaults());
    }

    /** The ONNX model of {@code def}; throws {@link BadInputException} naming the first node it cannot map. */
    public static ModelProto export(ModelDef def, Options options) {
        return export(def, options, SUPPORTED);
    }

    /** As {@link #export(ModelDef)}, mapping only the ops in {@code supported} (tests narrow it to see refusals). */
    static ModelProto export(ModelDef def, Set<OpType> supported) {
        return export(def, Options.defaults(), supported);
    }

    static ModelProto export(ModelDef def, Options options, Set<OpType> supported) {
        if (options == null) {
            throw new NullPointerException("options");
        }
        List<Node> nodes = needed(def);
        for (Node n : nodes) {
            if (!supported.contains(n.op())) {
                throw new BadInputException("node '" + n.name() + "' is a " + n.op().id()
                        + ", which ONNX export does not support (it maps " + ids(supported) + ")");
            }
        }
        return new OnnxExporter(def, options).build(nodes);
    }

    /** The serialized ONNX model, default options. */
    public static byte[] toBytes(ModelDef def) {
        return export(def).toByteArray();
    }

    /** The serialized ONNX model. */
    public static byte[] toBytes(ModelDef def, Options options) {
        return export(def, options).toByteArray();
    }

    /** Exports {@code def} with the default options to {@code out} atomically (temporary file beside it, synced, renamed). */
    public static void write(ModelDef def, Path out) throws IOException {
        write(export(def), out);
    }

    /** Exports {@code def} to {@code out} atomically (temporary file beside it, synced, renamed). */
    public static void write(ModelDef def, Options options, Path out) throws IOException {
        write(export(def, options), out);
    }

    /**
     * Whether the exported graph of {@code def} holds int8 activations (values Tern computes in
     * int8), the values {@link Options#withUint8Activations} applies to: false for float32 and
     * weight-only int8 models.
     */
    public static boolean hasInt8Activations(ModelDef def) {
        for (Node n : needed(def)) {
            if (def.typeOf(n.output()).isInt8()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Largest int8 weight magnitude that ONNX Runtime's u8 x s8 kernels multiply exactly on every
     * x86 CPU: 2 x 255 x 64 = 32,640 fits the 16-bit lane of {@code vpmaddubsw}, which CPUs
     * without VNNI use (ONNX Runtime's {@code reduce_range} keeps weights in [-64, 64] for this).
     */
    public static final int X86_EXACT_WEIGHT_MAX = 64;

    /** An int8 layer whose weights may saturate ONNX Runtime's u8 x s8 kernels on x86 CPUs without VNNI. */
    public static final class SaturationRisk {
        /** The Tern node. */
        public final String node;
        /** Its largest weight magnitude, above {@link #X86_EXACT_WEIGHT_MAX}. */
        public final int maxWeight;

        SaturationRisk(String node, int maxWeight) {
            this.node = node;
            this.maxWeight = maxWeight;
        }

        @Override
        public String toString() {
            return node + " (|w| up to " + maxWeight + ")";
        }
    }

    /**
     * The layers of the exported graph that ONNX Runtime runs as u8 x s8 integer kernels (dense
     * and convolutions with int8 activations) and whose int8 weights go beyond
     * +-{@link #X86_EXACT_WEIGHT_MAX}, in graph order. Empty for float32, weight-only int8 and
     * 7-bit-weight models: their export computes the same on every CPU.
     *
     * <p>Why it matters: on x86 CPUs without VNNI (AVX2 only, e.g. AMD Zen 2/3, Intel Haswell
     * to Comet Lake; AVX-512 without VNNI, e.g. Skylake-SP), ONNX Runtime's MLAS kernels
     * multiply the uint8 activations (int8 ones are shifted by 128 to uint8 first) by int8
     * weights with {@code vpmaddubsw}, which adds the products of two neighbouring inputs in a
     * 16-bit lane with saturation: 2 x 255 x 127 = 64,770 is clipped to 32,767. With VNNI
     * ({@code vpdpbusd}) and on ARM the sums are exact. Depthwise convolutions are included
     * although ORT's depthwise kernels widen to 32 bits, since a grouped convolution with a
     * channel multiplier above 1 runs as a GEMM.
     */
    public static List<SaturationRisk> x86SaturationRisks(ModelDef def) {
        List<SaturationRisk> out = new ArrayList<>();
        for (Node n : needed(def)) {
            if (n.op() != OpType.DENSE && n.op() != OpType.CONV2D && n.op() != OpType.DEPTHWISE_CONV2D) {
                continue;
            }
            Tensor w = def.tensor(n.input(1));
            if (w == null || w.dtype() != DType.INT8 || !def.typeOf(n.output()).isInt8()) {
                continue; // float32, or weight-only int8 (ORT runs a float op on dequantized weights)
            }
            int max = 0;
            for (byte b : w.int8s()) {
                max = Math.max(max, Math.abs(b));
            }
            if (max > X86_EXACT_WEIGHT_MAX) {
                out.add(new SaturationRisk(n.name(), max));
            }
        }
        return out;
    }

    public static void write(ModelProto model, Path out) throws IOException {
        AtomicFiles.write(out, model.toByteArray());
    }

    private static String ids(Set<OpType> ops) {
        List<String> s = new ArrayList<>();
        for (OpType t : ops) {
            s.add(t.id());
        }
        return String.join(", ", s);
    }

    /** The ONNX outputs: Tern's graph outputs, then task outputs that are not among them. */
    static List<String> outputs(ModelDef def) {
        Set<String> out = new LinkedHashSet<>(def.outputs());
        for (TaskSpec t : def.tasks()) {
            out.add(t.output());
        }
        return new ArrayList<>(out);
    }

    /** The nodes the outputs depend on, in graph order. */
    private static List<Node> needed(ModelDef def) {
        Map<String, Integer> producers = def.producers();
        boolean[] need = new boolean[def.nodes().size()];
        List<String> stack = new ArrayList<>(outputs(def));
        Set<String> seen = new HashSet<>(stack);
        while (!stack.isEmpty()) {
            String v = stack.remove(stack.size() - 1);
            Integer p = producers.get(v);
            if (p == null || need[p]) {
                continue;
            }
            need[p] = true;
            for (String in : def.nodes().get(p).inputs()) {
                if (seen.add(in)) {
                    stack.add(in);
                }
            }
        }
        List<Node> out = new ArrayList<>();
        for (int i = 0; i < need.length; i++) {
            if (need[i]) {
                out.add(def.nodes().get(i));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ the model

    private ModelProto build(List<Node> nodes) {
        List<String> outs = outputs(def);
        g.reserve(outs);
        for (InputSpec in : def.inputs()) {
            g.input(in.name(), in.sampleShape());
            vals.put(in.name(), new Val(in.name(), false, ValueType.FLOAT32));
        }
        for (Node n : nodes) {
            try {
                emit(n);
            } catch (IllegalArgumentException e) {
                throw new BadInputException("node '" + n.name() + "' (" + n.op().id() + "): " + e.getMessage(), e);
            }
        }
        for (String o : outs) {
            Val v = vals.get(o);
            if (!o.equals(v.name)) {
                g.rename(layout(v, false), g.claim(o), o + "/output");
            }
            g.output(o, def.shapeOf(o));
        }
        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName(PRODUCER)
                .setProducerVersion(TernVersion.version())
                .setDomain("dev.tern")
                .setModelVersion(1)
                .setDocString(docString())
                .setGraph(g.proto());
        m.addOpsetImportBuilder().setDomain("").setVersion(OPSET);
        metadata(m);
        return m.build();
    }

    private String docString() {
        StringBuilder sb = new StringBuilder("Tern model '").append(def.name()).append("' exported by tern export");
        sb.append(def.isQuantized() ? " (int8 as QuantizeLinear/DequantizeLinear)" : " (float32)");
        if (options.uint8Activations() && hasInt8Activations(def)) {
            sb.append(". Int8 activations are uint8 tensors: zero point = Tern's int8 zero point + 128, same scale");
        }
        sb.append(". Inputs are NHWC and normalized: x = (raw - mean) / std (metadata tern.inputs).");
        for (TaskSpec t : def.tasks()) {
            if (t.logits() && t.kind() != TaskKind.REGRESSION) {
                sb.append(" Output '").append(t.output()).append("' holds logits: task '").append(t.name()).append("' applies ")
                        .append(t.kind() == TaskKind.MULTICLASS ? "softmax" : "sigmoid").append('.');
            }
        }
        return sb.toString();
    }

    private void metadata(ModelProto.Builder m) {
        ObjectMapper json = new ObjectMapper();
        ArrayNode inputs = json.createArrayNode();
        for (InputSpec in : def.inputs()) {
            ObjectNode o = inputs.addObject();
            o.put("name", in.name());
            ArrayNode shape = o.putArray("shape");
            for (int d : in.shape()) {
                shape.add(d);
            }
            o.put("layout", in.layout());
            ArrayNode mean = o.putArray("mean");
            for (float f : in.mean()) {
                mean.add(f);
            }
            ArrayNode std = o.putArray("std");
            for (float f : in.std()) {
                std.add(f);
            }
        }
        ArrayNode tasks = json.createArrayNode();
        for (TaskSpec t : def.tasks()) {
            ObjectNode o = tasks.addObject();
            o.put("name", t.name());
            o.put("kind", t.kind().id());
            o.put("output", t.output());
            o.put("logits", t.logits());
            ArrayNode labels = o.putArray("labels");
            t.labels().forEach(labels::add);
            if (t.thresholds() != null) {
                ArrayNode th = o.putArray("thresholds");
                for (float f : t.thresholds()) {
                    th.add(f);
                }
            }
        }
        meta(m, "tern.model", def.name());
        meta(m, "tern.inputs", inputs.toString());
        meta(m, "tern.tasks", tasks.toString());
        meta(m, "tern.quantized", Boolean.toString(def.isQuantized()));
        for (Map.Entry<String, String> e : def.provenance().entrySet()) {
            meta(m, "tern.provenance." + e.getKey(), e.getValue());
        }
    }

    private static void meta(ModelProto.Builder m, String key, String value) {
        m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(key).setValue(value));
    }

    // ------------------------------------------------------------------ values and layouts

    private Val val(String name) {
        Val v = vals.get(name);
        if (v == null) {
            throw new IllegalStateException("value '" + name + "' was not exported before its use");
        }
        return v;
    }

    private int rank(String value) {
        return def.shapeOf(value).length;
    }

    /** The ONNX value of {@code v} in the given image layout (other ranks have one layout), int8 or float as it is. */
    private String layout(Val v, boolean nchw) {
        if (v.nchw == nchw) {
            return v.name;
        }
        String key = v.name + (nchw ? "|nchw" : "|nhwc");
        String t = transposed.get(key);
        if (t == null) {
            t = g.node("Transpose", v.name + (nchw ? "/to_nchw" : "/to_nhwc"), List.of(v.name),
                    g.fresh(v.name + (nchw ? "/nchw" : "/nhwc")), OnnxGraph.attr("perm", nchw ? TO_NCHW : TO_NHWC));
            transposed.put(key, t);
        }
        return t;
    }

    /** The float32 value of {@code v} in a layout: int8 values are dequantized (one DequantizeLinear per use, as QDQ wants). */
    private String floatOf(Val v, boolean nchw) {
        String x = layout(v, nchw);
        if (!v.type.isInt8()) {
            return x;
        }
        String[] q = quantParams(v.type);
        return g.node("DequantizeLinear", x + "/dequantize", List.of(x, q[0], q[1]), g.fresh(x + "/dequantized"));
    }

    /**
     * Scale and zero point of an int8 activation type: Tern's int8 zero point, or with uint8
     * activations a uint8 one 128 higher. Every QuantizeLinear and DequantizeLinear of an
     * activation takes them from here, so a value reads back as it was written.
     */
    private String[] quantParams(ValueType t) {
        return g.quantParams(t.scale(), t.zeroPoint(), options.uint8Activations());
    }

    private String quantize(String x, ValueType t) {
        String[] q = quantParams(t);
        return g.node("QuantizeLinear", x + "/quantize", List.of(x, q[0], q[1]), g.fresh(x + "/quantized"));
    }

    /**
     * Records the ONNX value {@code x} (float32) as node {@code n}'s output: quantized to the
     * output's int8 type when Tern computes it in int8.
     */
    private void putFloat(Node n, String x, boolean nchw) {
        ValueType t = def.typeOf(n.output());
        putRaw(n, t.isInt8() ? quantize(x, t) : x, nchw);
    }

    /** Records {@code x}, already of the output's element type, as node {@code n}'s output, under the Tern name where possible. */
    private void putRaw(Node n, String x, boolean nchw) {
        String out = n.output();
        ValueType t = def.typeOf(out);
        boolean image = rank(out) == 3;
        boolean nhwc = !image || !nchw;
        String name = x;
        if (!x.equals(out)) {
            if (g.isReserved(out)) {
                if (nhwc && !t.isInt8()) {
                    name = g.rename(x, g.claim(out), n.name() + "/output");
                }
            } else if (g.take(out)) {
                name = g.rename(x, out, n.name() + "/output");
            }
        }
        vals.put(out, new Val(name, image && nchw, t));
    }

    // ------------------------------------------------------------------ ops

    private void emit(Node n) {
        Attributes a = n.attributes();
        switch (n.op()) {
            case CONV2D:
            case DEPTHWISE_CONV2D:
                conv(n, a);
                return;
            case DENSE: {
                Val x = val(n.input(0));
                Tensor w = def.tensor(n.input(1));
                String wf = weights(n, w, x.type, Layout.DENSE);
                String bf = bias(n, x.type, w);
                String y = g.node("Gemm", n.name(), Arrays.asList(floatOf(x, false), wf, bf), g.fresh(n.output() + "/gemm"),
                        OnnxGraph.attr("transB", 1L));
                putFloat(n, activation(n, y, a), false);
                return;
            }
            case MAX_POOL:
            case AVG_POOL: {
                Val x = val(n.input(0));
                int[] s = def.shapeOf(n.input(0));
                int[] win = a.getInts("window", null);
                int[] st = a.getInts("strides", new int[] {1, 1});
                Padding p = Padding.parse(a.getString("padding", "valid"));
                AttributeProto[] attrs = {OnnxGraph.attr("kernel_shape", win), OnnxGraph.attr("strides", st),
                    OnnxGraph.attr("pads", pads(s, win[0], win[1], st, p))};
                if (n.op() == OpType.MAX_POOL) {
                    // ONNX MaxPool takes int8 (and uint8) directly, and the max of quantized values keeps their quantization.
                    putRaw(n, g.node("MaxPool", n.name(), List.of(layout(x, true)), g.fresh(n.output() + "/pool"), attrs), true);
                } else {
                    AttributeProto[] avg = Arrays.copyOf(attrs, 4);
                    avg[3] = OnnxGraph.attr("count_include_pad", 0L); // SAME averages over in-bounds cells only
                    putFloat(n, g.node("AveragePool", n.name(), List.of(floatOf(x, true)), g.fresh(n.output() + "/pool"), avg), true);
                }
                return;
            }
            case GLOBAL_AVG_POOL:
            case GLOBAL_MAX_POOL: {
                Val x = val(n.input(0));
                String op = n.op() == OpType.GLOBAL_AVG_POOL ? "GlobalAveragePool" : "GlobalMaxPool";
                String y = g.node(op, n.name(), List.of(floatOf(x, true)), g.fresh(n.output() + "/pool"));
                ValueType t = def.typeOf(n.output());
                if (t.isInt8()) {
                    y = quantize(y, t);
                }
                // [N, C, 1, 1] -> [N, C]
                putRaw(n, g.node("Flatten", n.name() + "/flatten", List.of(y), g.fresh(n.output() + "/flat"),
                        OnnxGraph.attr("axis", 1L)), false);
                return;
            }
            case ADD: {
                Val x = val(n.input(0));
                Val y = val(n.input(1));
                boolean nchw = rank(n.output()) == 3 && (x.nchw || y.nchw);
                String s = g.node("Add", n.name(), List.of(floatOf(x, nchw), floatOf(y, nchw)), g.fresh(n.output() + "/add"));
                putFloat(n, activation(n, s, a), nchw);
                return;
            }
            case CONCAT:
                concat(n, a);
                return;
            case FLATTEN: {
                Val x = val(n.input(0));
                putRaw(n, g.node("Flatten", n.name(), List.of(layout(x, false)), g.fresh(n.output() + "/flat"),
                        OnnxGraph.attr("axis", 1L)), false);
                return;
            }
            case RESHAPE: {
                Val x = val(n.input(0));
                int[] s = def.shapeOf(n.output());
                long[] shape = new long[s.length + 1];
                shape[0] = 0; // copy the batch dimension
                for (int i = 0; i < s.length; i++) {
                    shape[i + 1] = s[i];
                }
                String target = g.int64s(n.name() + "/shape", new int[] {shape.length}, shape);
                putRaw(n, g.node("Reshape", n.name(), List.of(layout(x, false), target), g.fresh(n.output() + "/reshaped")), false);
                return;
            }
            case RELU:
            case RELU6:
            case SIGMOID:
            case HARD_SIGMOID:
            case HARD_SWISH: {
                Val x = val(n.input(0));
                String in = floatOf(x, x.nchw);
                String y;
                if (n.op() == OpType.RELU) {
                    y = g.node("Relu", n.name(), List.of(in), g.fresh(n.output() + "/relu"));
                } else if (n.op() == OpType.RELU6) {
                    y = g.node("Clip", n.name(), List.of(in, g.scalar(0f), g.scalar(6f)), g.fresh(n.output() + "/relu6"));
                } else if (n.op() == OpType.HARD_SIGMOID) {
                    // int8: dequantized, computed in float, quantized to the node's type (QDQ), as Tern defines it
                    y = g.node("HardSigmoid", n.name(), List.of(in), g.fresh(n.output() + "/hard_sigmoid"),
                            OnnxGraph.attr("alpha", n.attributes().getFloat("alpha", 0.2f)),
                            OnnxGraph.attr("beta", n.attributes().getFloat("beta", 0.5f)));
                } else if (n.op() == OpType.HARD_SWISH) {
                    // HardSwish is opset 14; at 13 it is its definition, x HardSigmoid(x) with alpha 1/6
                    String h = g.node("HardSigmoid", n.name() + "/gate", List.of(in), g.fresh(n.output() + "/gate"),
                            OnnxGraph.attr("alpha", 1f / 6), OnnxGraph.attr("beta", 0.5f));
                    y = g.node("Mul", n.name(), List.of(in, h), g.fresh(n.output() + "/hard_swish"));
                } else {
                    y = g.node("Sigmoid", n.name(), List.of(in), g.fresh(n.output() + "/sigmoid"));
                }
                putFloat(n, y, x.nchw);
                return;
            }
            case SOFTMAX: {
                Val x = val(n.input(0));
                boolean nchw = x.nchw && rank(n.input(0)) == 3;
                // Tern's softmax runs over the last per-sample axis: channels, axis 1 in NCHW
                String y = g.node("Softmax", n.name(), List.of(floatOf(x, nchw)), g.fresh(n.output() + "/softmax"),
                        OnnxGraph.attr("axis", nchw ? 1L : -1L));
                putFloat(n, y, nchw);
                return;
            }
            case QUANTIZE: {
                Val x = val(n.input(0));
                ValueType t = def.typeOf(n.output());
                String[] q = quantParams(t);
                putRaw(n, g.node("QuantizeLinear", n.name(), List.of(layout(x, x.nchw), q[0], q[1]),
                        g.fresh(n.output() + "/quantized")), x.nchw);
                return;
            }
            case DEQUANTIZE: {
                Val x = val(n.input(0));
                String[] q = quantParams(x.type);
                putRaw(n, g.node("DequantizeLinear", n.name(), List.of(layout(x, x.nchw), q[0], q[1]),
                        g.fresh(n.output() + "/dequantized")), x.nchw);
                return;
            }
            default:
                throw new BadInputException("node '" + n.name() + "' is a " + n.op().id() + ", which ONNX export does not support");
        }
    }

    private void conv(Node n, Attributes a) {
        Val x = val(n.input(0));
        boolean depthwise = n.op() == OpType.DEPTHWISE_CONV2D;
        Tensor w = def.tensor(n.input(1));
        int kh = depthwise ? w.dim(0) : w.dim(1);
        int kw = depthwise ? w.dim(1) : w.dim(2);
        int[] in = def.shapeOf(n.input(0));
        int[] st = a.getInts("strides", new int[] {1, 1});
        Padding p = Padding.parse(a.getString("padding", "valid"));
        String wf = weights(n, w, x.type, depthwise ? Layout.DEPTHWISE : Layout.CONV);
        String bf = bias(n, x.type, w);
        String y = g.node("Conv", n.name(), Arrays.asList(floatOf(x, true), wf, bf), g.fresh(n.output() + "/conv"),
                OnnxGraph.attr("kernel_shape", kh, kw), OnnxGraph.attr("strides", st),
                OnnxGraph.attr("pads", pads(in, kh, kw, st, p)), OnnxGraph.attr("dilations", 1, 1),
                OnnxGraph.attr("group", depthwise ? in[2] : 1L));
        putFloat(n, activation(n, y, a), true);
    }

    private void concat(Node n, Attributes a) {
        int r = rank(n.output());
        int axis = a.getInt("axis", -1);
        int ax = axis < 0 ? axis + r : axis;
        List<Val> ins = new ArrayList<>();
        int nchwCount = 0;
        for (String s : n.inputs()) {
            Val v = val(s);
            ins.add(v);
            nchwCount += v.nchw ? 1 : 0;
        }
        boolean nchw = r == 3 && 2 * nchwCount >= ins.size();
        int onnxAxis = nchw ? new int[] {2, 3, 1}[ax] : ax + 1;
        ValueType t = def.typeOf(n.output());
        boolean same = true;
        for (Val v : ins) {
            same &= v.type.equals(t);
        }
        List<String> xs = new ArrayList<>();
        for (Val v : ins) {
            // Inputs quantized as the output are concatenated as they are (Tern copies them); others are requantized.
            xs.add(same ? layout(v, nchw) : floatOf(v, nchw));
        }
        String y = g.node("Concat", n.name(), xs, g.fresh(n.output() + "/concat"), OnnxGraph.attr("axis", (long) onnxAxis));
        if (same) {
            putRaw(n, y, nchw);
        } else {
            putFloat(n, y, nchw);
        }
    }

    /** A fused activation (Dense, convolutions, Add) after {@code y}. */
    private String activation(Node n, String y, Attributes a) {
        Activation act = Activation.parse(a.getString("activation", "none"));
        switch (act) {
            case RELU:
                return g.node("Relu", n.name() + "/relu", List.of(y), g.fresh(n.output() + "/relu"));
            case RELU6:
                return g.node("Clip", n.name() + "/relu6", List.of(y, g.scalar(0f), g.scalar(6f)), g.fresh(n.output() + "/relu6"));
            default:
                return y;
        }
    }

    /** ONNX pads [top, left, bottom, right] of TensorFlow's padding (SAME: the smaller half before). */
    static int[] pads(int[] in, int kh, int kw, int[] st, Padding p) {
        int[] before = new int[2];
        int[] after = new int[2];
        int[] k = {kh, kw};
        for (int d = 0; d < 2; d++) {
            if (p == Padding.SAME) {
                int out = (in[d] + st[d] - 1) / st[d];
                int total = Math.max((out - 1) * st[d] + k[d] - in[d], 0);
                before[d] = total / 2;
                after[d] = total - before[d];
            }
        }
        return new int[] {before[0], before[1], after[0], after[1]};
    }

    // ------------------------------------------------------------------ weights

    /** Tern weight layouts and their ONNX counterparts. */
    private enum Layout {
        /** [out, in], Gemm with transB = 1; channel axis 0. */
        DENSE,
        /** [cout, kh, kw, cin] to OIHW [cout, cin, kh, kw]; channel axis 0. */
        CONV,
        /** [kh, kw, c * m] (channel axis 2) to [c * m, 1, kh, kw] (axis 0), a Conv with group = c. */
        DEPTHWISE
    }

    /** Source index (Tern layout) of each element of the ONNX weight tensor, and the ONNX shape. */
    private static int[][] permutation(Tensor w, Layout layout) {
        int[] s = w.shape();
        int n = w.elementCount();
        int[] src = new int[n];
        switch (layout) {
            case CONV: {
                int o = s[0], kh = s[1], kw = s[2], ci = s[3];
                int i = 0;
                for (int a = 0; a < o; a++) {
                    for (int c = 0; c < ci; c++) {
                        for (int y = 0; y < kh; y++) {
                            for (int x = 0; x < kw; x++) {
                                src[i++] = ((a * kh + y) * kw + x) * ci + c;
                            }
                        }
                    }
                }
                return new int[][] {src, {o, ci, kh, kw}};
            }
            case DEPTHWISE: {
                int kh = s[0], kw = s[1], cm = s[2];
                int i = 0;
                for (int a = 0; a < cm; a++) {
                    for (int y = 0; y < kh; y++) {
                        for (int x = 0; x < kw; x++) {
                            src[i++] = (y * kw + x) * cm + a;
                        }
                    }
                }
                return new int[][] {src, {cm, 1, kh, kw}};
            }
            default:
                for (int i = 0; i < n; i++) {
                    src[i] = i;
                }
                return new int[][] {src, s};
        }
    }

    /** The weights as a float32 ONNX value: an initializer, or int8 behind a DequantizeLinear. */
    private String weights(Node n, Tensor w, ValueType x, Layout layout) {
        int[][] perm = permutation(w, layout);
        int[] src = perm[0];
        int[] shape = perm[1];
        if (w.dtype() == DType.FLOAT32) {
            float[] v = w.floats();
            float[] out = new float[v.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = v[src[i]];
            }
            return g.floats(w.name(), shape, out);
        }
        if (w.dtype() != DType.INT8) {
            throw new BadInputException("node '" + n.name() + "': weights '" + w.name() + "' are " + w.dtype().id()
                    + "; ONNX export maps float32 and int8 weights");
        }
        byte[] v = w.int8s();
        byte[] out = new byte[v.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = v[src[i]];
        }
        String q = g.int8s(w.name(), shape, out);
        QuantParams qp = w.quant();
        String scale;
        String zp;
        List<AttributeProto> attrs = new ArrayList<>();
        if (qp.axis() == -1) {
            scale = g.floats(w.name() + "/scale", new int[0], new float[] {qp.scale(0)});
            zp = g.int8s(w.name() + "/zero_point", new int[0], new byte[] {0});
        } else {
            scale = g.floats(w.name() + "/scale", new int[] {qp.count()}, qp.scales());
            zp = g.int8s(w.name() + "/zero_point", new int[] {qp.count()}, new byte[qp.count()]);
            attrs.add(OnnxGraph.attr("axis", 0L)); // the output channel in ONNX's layout, for every op
        }
        return g.node("DequantizeLinear", w.name() + "/dequantize", List.of(q, scale, zp), g.fresh(w.name() + "/dequantized"),
                attrs.toArray(new AttributeProto[0]));
    }

    /** The bias as a float32 ONNX value (null when the node has none); int32 biases are dequantized with input x weight scales. */
    private String bias(Node n, ValueType x, Tensor w) {
        if (n.inputs().size() < 3) {
            return null;
        }
        Tensor b = def.tensor(n.input(2));
        if (b.dtype() == DType.FLOAT32) {
            return g.floats(b.name(), b.shape(), b.floats());
        }
        if (b.dtype() != DType.INT32 || !x.isInt8()) {
            throw new BadInputException("node '" + n.name() + "': bias '" + b.name() + "' is " + b.dtype().id()
                    + " with a " + x + " input; ONNX export maps float32 biases and int32 biases of int8 layers");
        }
        // Tern adds the int32 bias to the accumulator: its scale is exactly input scale x weight scale.
        QuantParams wq = w.quant();
        boolean perTensor = wq.axis() == -1;
        int channels = b.dim(0);
        float[] scales = new float[perTensor ? 1 : channels];
        for (int c = 0; c < scales.length; c++) {
            scales[c] = x.scale() * wq.scale(c);
        }
        String q = g.int32s(b.name(), b.shape(), b.ints());
        String scale;
        String zp;
        List<AttributeProto> attrs = new ArrayList<>();
        if (perTensor) {
            scale = g.floats(b.name() + "/scale", new int[0], scales);
            zp = g.int32s(b.name() + "/zero_point", new int[0], new int[1]);
        } else {
            scale = g.floats(b.name() + "/scale", new int[] {channels}, scales);
            zp = g.int32s(b.name() + "/zero_point", new int[] {channels}, new int[channels]);
            attrs.add(OnnxGraph.attr("axis", 0L));
        }
        return g.node("DequantizeLinear", b.name() + "/dequantize", List.of(q, scale, zp), g.fresh(b.name() + "/dequantized"),
                attrs.toArray(new AttributeProto[0]));
    }
}
