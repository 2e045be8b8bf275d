package dev.tern.compress.onnx;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.compress.BadInputException;
import dev.tern.compress.TernVersion;
import dev.tern.compress.onnx.proto.Onnx.ModelProto;
import dev.tern.compress.onnx.proto.Onnx.StringStringEntryProto;
import dev.tern.runtime.format.AtomicFiles;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.TaskKind;
import dev.tern.runtime.model.TaskSpec;
import dev.tern.runtime.model.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
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
 *
 * <p>This class is the public entry and builds the model around the graph; {@link OnnxOps}
 * maps each op, {@link OnnxValues} tracks every value's layout and quantization, and
 * {@link OnnxWeights} writes weights and biases.
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
            OpType.DEQUANTIZE, OpType.HARD_SIGMOID, OpType.HARD_SWISH,
            // 1.4 (OnnxOps14)
            OpType.TRANSPOSE, OpType.MUL, OpType.SUB, OpType.DIV, OpType.TANH, OpType.LEAKY_RELU, OpType.ELU, OpType.PRELU,
            OpType.CLIP, OpType.LOG_SOFTMAX, OpType.REDUCE_MEAN, OpType.REDUCE_MAX, OpType.REDUCE_SUM, OpType.SLICE, OpType.PAD,
            OpType.MATMUL, OpType.EXP, OpType.NEG, OpType.ABS, OpType.SQRT, OpType.RECIPROCAL, OpType.LOG, OpType.REDUCE_MIN,
            OpType.MAX, OpType.MIN, OpType.RESIZE, OpType.CONV_TRANSPOSE));

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
    private final OnnxValues values;
    private final OnnxOps ops;

    private OnnxExporter(ModelDef def, Options options) {
        this.def = def;
        this.options = options;
        this.g = new OnnxGraph(def.name().isEmpty() ? "tern" : def.name());
        this.values = new OnnxValues(def, g, options.uint8Activations());
        this.ops = new OnnxOps(def, g, values, new OnnxWeights(def, g));
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
            values.putInput(in.name());
        }
        for (Node n : nodes) {
            try {
                ops.emit(n);
            } catch (IllegalArgumentException e) {
                throw new BadInputException("node '" + n.name() + "' (" + n.op().id() + "): " + e.getMessage(), e);
            }
        }
        for (String o : outs) {
            OnnxValues.Val v = values.get(o);
            if (!o.equals(v.name)) {
                g.rename(values.layout(v, false), g.claim(o), o + "/output");
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
            if (!in.resize().isEmpty()) {
                o.put("resize", in.resize());
            }
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
}
