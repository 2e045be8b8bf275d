package dev.tern.compress.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.tern.compress.BadInputException;
import dev.tern.compress.onnx.proto.Onnx.AttributeProto;
import dev.tern.compress.onnx.proto.Onnx.GraphProto;
import dev.tern.compress.onnx.proto.Onnx.ModelProto;
import dev.tern.compress.onnx.proto.Onnx.NodeProto;
import dev.tern.compress.onnx.proto.Onnx.OperatorSetIdProto;
import dev.tern.compress.onnx.proto.Onnx.StringStringEntryProto;
import dev.tern.compress.onnx.proto.Onnx.TensorProto;
import dev.tern.compress.onnx.proto.Onnx.TensorShapeProto;
import dev.tern.compress.onnx.proto.Onnx.ValueInfoProto;
import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Imports a float32 ONNX model (opsets {@value #MIN_OPSET} to {@value #MAX_OPSET}) as a Tern
 * model (docs/ONNX.md, "Import"). Constants and constant subgraphs are folded here; batch
 * normalization goes into the convolution before it (or becomes a per-channel scale and shift);
 * Dropout and Identity disappear. The ONNX interface is kept: the inputs are what ONNX Runtime
 * takes (NCHW stays NCHW) and the outputs carry the graph's output names; inside, images are
 * NHWC, with transposes where an op needs ONNX's order.
 *
 * <p>The batch: when every graph input has a leading axis that is symbolic or 1 and no op mixes
 * samples along it, that axis is Tern's batch and a model runs any batch size. Otherwise (ONNX's
 * node tests, fixed shapes whose first axis is data) the whole ONNX tensor is one Tern sample.
 */
public final class OnnxImporter {
    public static final int MIN_OPSET = 7;
    public static final int MAX_OPSET = 17;

    /** The ONNX ops (default domain) the importer maps or folds. */
    public static final Set<String> OPS = Collections.unmodifiableSet(new TreeSet<>(Arrays.asList(
            "Abs", "Add", "AveragePool", "BatchNormalization", "Cast", "Clip", "Concat", "Constant", "ConstantOfShape",
            "Conv", "ConvTranspose", "DequantizeLinear", "Div", "Dropout", "Elu", "Equal", "Exp", "Expand", "Flatten", "Gather",
            "Gemm", "GlobalAveragePool", "GlobalMaxPool", "HardSigmoid", "HardSwish", "Identity", "LeakyRelu", "Log",
            "LogSoftmax", "MatMul", "Max", "MaxPool", "Min", "Mul", "Neg", "Pad", "PRelu", "QuantizeLinear", "Range", "Reciprocal",
            "ReduceMax", "ReduceMean", "ReduceMin", "ReduceSum", "Relu", "Reshape", "Resize", "Shape", "Sigmoid", "Slice",
            "Softmax", "Split", "Sqrt", "Squeeze", "Sub", "Sum", "Tanh", "Transpose", "Unsqueeze", "Upsample", "Where")));

    private final ModelProto model;
    private final GraphProto g;
    private final int opset;
    private final boolean batched;
    private final String source;

    private final Map<String, OnnxConst> consts = new HashMap<>();
    private final Map<String, V> acts = new HashMap<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final Map<String, int[]> ternShapes = new HashMap<>();
    private final Map<String, dev.tern.runtime.model.ValueType> ternTypes = new HashMap<>();
    private final Set<String> used = new HashSet<>();
    private final Set<String> nodeNames = new HashSet<>();
    private final Map<String, Integer> consumers = new HashMap<>();
    private final Set<String> graphOutputs = new HashSet<>();
    private final List<InputSpec> inputs = new ArrayList<>();
    /** Tern value name to the ONNX op that produced it (for the task defaults: Softmax, Sigmoid). */
    private final Map<String, String> lastOnnxOp = new HashMap<>();
    private final List<String> notes = new ArrayList<>();
    /** Nodes a QDQ unit already converted (the activation and QuantizeLinear after an int8 op). */
    private final Set<NodeProto> skip = new HashSet<>();
    /** Constants folded from a DequantizeLinear of int8 or int32 data: the quantized form, for QDQ units. */
    private final Map<String, QuantizedConst> quantized = new HashMap<>();
    /** The nodes that read each value. */
    private final Map<String, List<NodeProto>> readers = new HashMap<>();

    /** A DequantizeLinear of a constant: its int8 (or int32) values, scales, zero points and axis. */
    private static final class QuantizedConst {
        final OnnxConst q;
        final OnnxConst scale;
        final OnnxConst zeroPoint;
        final int axis;

        QuantizedConst(OnnxConst q, OnnxConst scale, OnnxConst zeroPoint, int axis) {
            this.q = q;
            this.scale = scale;
            this.zeroPoint = zeroPoint;
            this.axis = axis;
        }

        boolean symmetric() {
            if (zeroPoint != null) {
                for (double z : zeroPoint.v) {
                    if (z != 0) {
                        return false;
                    }
                }
            }
            return true;
        }
    }

    /** An activation: its ONNX shape (the batch axis as 1) and its Tern values in either layout. */
    private static final class V {
        final int[] shape;
        String plain;
        String nhwc;
        String onnxOp = "";
        /** Int8 values (QuantizeLinear outputs): their type; null for float32. */
        dev.tern.runtime.model.ValueType int8;
        /** A DequantizeLinear output: the int8 value it reads (a QDQ unit reads that instead). */
        V dequantized;

        V(int[] shape) {
            this.shape = shape;
        }
    }

    /** A value or op that makes the leading axis more than a batch: import again with the whole tensor as a sample. */
    private static final class NotBatch extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotBatch(String why) {
            super(why, null, false, false);
        }
    }

    private OnnxImporter(ModelProto model, int opset, boolean batched, String source) {
        this.model = model;
        this.g = model.getGraph();
        this.opset = opset;
        this.batched = batched;
        this.source = source;
    }

    /** What an import gives: the model and the notes a user should read (e.g. a QDQ pair kept in float32). */
    public static final class Result {
        public final ModelDef model;
        public final List<String> notes;
        public final boolean batched;

        public Result(ModelDef model, List<String> notes, boolean batched) {
            this.model = model;
            this.notes = Collections.unmodifiableList(notes);
            this.batched = batched;
        }
    }

    /** Reads and imports {@code file}; every problem is a {@link BadInputException} naming the node, tensor or field. */
    public static Result importFile(Path file, OnnxTasks tasks) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": no such file");
        }
        return importBytes(bytes, file.getFileName().toString(), tasks);
    }

    public static Result importBytes(byte[] bytes, String source, OnnxTasks tasks) {
        ModelProto m;
        try {
            m = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new BadInputException(source + ": not an ONNX model (the protobuf does not parse: " + e.getMessage() + ")");
        }
        if (!m.hasGraph() || m.getGraph().getNodeCount() == 0 && m.getGraph().getOutputCount() == 0) {
            throw new BadInputException(source + ": not an ONNX model (no graph)");
        }
        int opset = -1;
        for (OperatorSetIdProto o : m.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                opset = (int) o.getVersion();
            }
        }
        if (opset < 0) {
            throw new BadInputException(source + ": the model imports no default ONNX opset (opset_import)");
        }
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new BadInputException(source + ": opset " + opset + " is not supported; Tern imports opsets " + MIN_OPSET
                    + " to " + MAX_OPSET + (opset > MAX_OPSET ? " (re-export with opset_version=" + MAX_OPSET + " or lower)" : ""));
        }
        checkOps(m.getGraph(), opset, source);
        boolean batched = batchCandidate(m.getGraph());
        if (batched) {
            try {
                return new OnnxImporter(m, opset, true, source).run(tasks);
            } catch (NotBatch e) {
                // the leading axis is data: the whole tensor is one sample
            }
        }
        return new OnnxImporter(m, opset, false, source).run(tasks);
    }

    /** Every node whose op the importer does not know, all named at once. */
    private static void checkOps(GraphProto g, int opset, String source) {
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            boolean domainOk = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
            if (!domainOk || !OPS.contains(n.getOpType())) {
                bad.add("'" + nodeName(n, i) + "' (" + (domainOk ? "" : n.getDomain() + ".") + n.getOpType() + ", opset " + opset + ")");
            }
        }
        if (!bad.isEmpty()) {
            throw new BadInputException(source + ": " + bad.size() + " node" + (bad.size() == 1 ? "" : "s")
                    + " with ops Tern does not import: " + String.join(", ", bad) + " (docs/ONNX.md lists the supported ops)");
        }
    }

    private static String nodeName(NodeProto n, int i) {
        return n.getName().isEmpty() ? n.getOpType() + "_" + i : n.getName();
    }

    private static boolean batchCandidate(GraphProto g) {
        Set<String> inits = new HashSet<>();
        for (TensorProto t : g.getInitializerList()) {
            inits.add(t.getName());
        }
        boolean any = false;
        for (ValueInfoProto vi : g.getInputList()) {
            if (inits.contains(vi.getName())) {
                continue;
            }
            TensorShapeProto s = vi.getType().getTensorType().getShape();
            if (s.getDimCount() < 2) {
                return false;
            }
            TensorShapeProto.Dimension d = s.getDim(0);
            if (d.hasDimValue() && d.getDimValue() != 1) {
                return false;
            }
            any = true;
        }
        return any;
    }

    // ------------------------------------------------------------------------------------------
    // the walk

    private Result run(OnnxTasks tasks) {
        Set<String> inits = new HashSet<>();
        for (TensorProto t : g.getInitializerList()) {
            consts.put(t.getName(), OnnxConst.of(t, "an initializer"));
            inits.add(t.getName());
            used.add(t.getName());
        }
        for (ValueInfoProto vi : g.getInputList()) {
            if (!inits.contains(vi.getName())) {
                input(vi);
            }
        }
        for (ValueInfoProto vi : g.getOutputList()) {
            graphOutputs.add(vi.getName());
        }
        List<NodeProto> order = topoOrder();
        for (NodeProto n : order) {
            for (String in : n.getInputList()) {
                if (!in.isEmpty()) {
                    consumers.merge(in, 1, Integer::sum);
                    readers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                }
            }
        }
        for (NodeProto n : order) {
            try {
                convert(n);
            } catch (NotBatch e) {
                throw e;
            } catch (BadInputException e) {
                throw new BadInputException(source + ": node '" + n.getName() + "' (" + n.getOpType() + ", opset " + opset + "): "
                        + e.getMessage());
            } catch (IllegalArgumentException | dev.tern.runtime.InvalidModelException e) {
                throw new BadInputException(source + ": node '" + n.getName() + "' (" + n.getOpType() + ", opset " + opset + "): "
                        + e.getMessage());
            }
        }
        // the graph outputs in ONNX's order, under their ONNX names
        List<String> outs = new ArrayList<>();
        for (ValueInfoProto vi : g.getOutputList()) {
            String o = vi.getName();
            if (consts.containsKey(o) && !acts.containsKey(o)) {
                throw new BadInputException(source + ": output '" + o + "' is a constant; Tern imports outputs computed from the inputs");
            }
            V v = act(o, "graph output");
            String t = plain(v);
            if (!t.equals(o)) {
                if (used.contains(o)) {
                    throw new IllegalStateException("output name " + o + " taken by another value");
                }
                emitNamed(OpType.RESHAPE, "output:" + o, List.of(t), o, Attributes.builder().put("shape",
                        shapeOrOne(ternShapes.get(t))).build());
                lastOnnxOp.put(o, lastOnnxOp.getOrDefault(t, v.onnxOp));
            }
            outs.add(o);
        }
        fuseActivations(outs);
        removeUnused(outs);
        OnnxTasks t = tasks;
        if (t == null) {
            for (StringStringEntryProto e : model.getMetadataPropsList()) {
                if (e.getKey().equals(OnnxTasks.METADATA_KEY)) {
                    t = OnnxTasks.parse(e.getValue(), "metadata_props '" + OnnxTasks.METADATA_KEY + "'");
                }
            }
        }
        ModelBuilder b = new ModelBuilder(g.getName().isEmpty() ? "onnx" : g.getName());
        for (InputSpec in : inputs) {
            b.input(inputs.size() == 1 ? OnnxTasks.preprocess(t, exportedNormalization(in), source) : in);
        }
        for (Tensor w : tensors.values()) {
            b.constant(w);
        }
        for (Node n : nodes) {
            b.node(n);
        }
        for (String o : outs) {
            b.output(o);
        }
        b.provenance("source", source);
        b.provenance("source_format", "onnx");
        b.provenance("onnx.opset", Integer.toString(opset));
        b.provenance("onnx.batch", batched ? "axis0" : "none");
        if (!model.getProducerName().isEmpty()) {
            b.provenance("onnx.producer", model.getProducerName() + " " + model.getProducerVersion());
        }
        OnnxTasks.apply(t, b, outs, ternShapes, lastOnnxOp, source);
        ModelDef def;
        try {
            def = b.build();
        } catch (IllegalArgumentException | dev.tern.runtime.InvalidModelException e) {
            throw new BadInputException(source + ": the imported graph is not valid: " + e.getMessage());
        }
        return new Result(def, notes, batched);
    }

    /**
     * The input's normalization as tern export recorded it (metadata_props tern.inputs: name,
     * mean, std and resize per input), so that a model exported and imported again preprocesses
     * as before.
     */
    private InputSpec exportedNormalization(InputSpec in) {
        for (StringStringEntryProto e : model.getMetadataPropsList()) {
            if (!e.getKey().equals("tern.inputs")) {
                continue;
            }
            try {
                for (com.fasterxml.jackson.databind.JsonNode o : new com.fasterxml.jackson.databind.ObjectMapper().readTree(e.getValue())) {
                    if (o.path("name").asText().equals(in.name()) && o.path("mean").isArray() && o.path("std").isArray()) {
                        float[] mean = new float[o.get("mean").size()];
                        float[] std = new float[o.get("std").size()];
                        for (int i = 0; i < mean.length; i++) {
                            mean[i] = (float) o.get("mean").get(i).asDouble();
                        }
                        for (int i = 0; i < std.length; i++) {
                            std[i] = (float) o.get("std").get(i).asDouble();
                        }
                        String layout = o.path("layout").isTextual() ? o.get("layout").asText() : in.layout();
                        String resize = o.path("resize").isTextual() ? o.get("resize").asText() : "";
                        return new InputSpec(in.name(), in.shape(), layout, mean, std, resize);
                    }
                }
            } catch (IOException | IllegalArgumentException ex) {
                throw new BadInputException(source + ": metadata_props 'tern.inputs' is not what tern export writes: " + ex.getMessage());
            }
        }
        return in;
    }

    private static int[] shapeOrOne(int[] s) {
        return s.length == 0 ? new int[] {1} : s;
    }

    private void input(ValueInfoProto vi) {
        String name = vi.getName();
        if (!vi.getType().hasTensorType()) {
            throw new BadInputException(source + ": input '" + name + "' is not a tensor");
        }
        int et = vi.getType().getTensorType().getElemType();
        if (et != OnnxConst.FLOAT) {
            throw new BadInputException(source + ": input '" + name + "' is " + OnnxConst.typeName(et)
                    + "; Tern imports float32 inputs");
        }
        TensorShapeProto s = vi.getType().getTensorType().getShape();
        if (!vi.getType().getTensorType().hasShape()) {
            throw new BadInputException(source + ": input '" + name + "' has no shape; Tern needs static shapes (all but the batch axis)");
        }
        int[] shape = new int[s.getDimCount()];
        for (int i = 0; i < shape.length; i++) {
            TensorShapeProto.Dimension d = s.getDim(i);
            if (d.hasDimValue() && d.getDimValue() >= 1 && d.getDimValue() <= Integer.MAX_VALUE) {
                shape[i] = (int) d.getDimValue();
            } else if (i == 0 && batched) {
                shape[i] = 1;
            } else {
                throw new BadInputException(source + ": input '" + name + "' axis " + i + " is "
                        + (d.hasDimParam() ? "'" + d.getDimParam() + "'" : d.hasDimValue() ? Long.toString(d.getDimValue()) : "unknown")
                        + "; Tern needs a static size on every axis but the leading batch axis (re-export with a fixed input size)");
            }
        }
        int[] sample = batched ? Arrays.copyOfRange(shape, 1, shape.length) : shape;
        if (sample.length == 0) {
            if (batched) {
                throw new NotBatch("input with the batch axis only");
            }
            throw new BadInputException(source + ": input '" + name + "' is a scalar; Tern's inputs have at least one axis");
        }
        int[] full = new int[sample.length + 1];
        full[0] = -1;
        System.arraycopy(sample, 0, full, 1, sample.length);
        used.add(name);
        inputs.add(new InputSpec(name, full, batched && shape.length == 4 ? "NCHW" : "", null, null));
        V v = new V(shape);
        v.plain = name;
        ternShapes.put(name, sample);
        acts.put(name, v);
    }

    /** The nodes in an order where every input is defined first; a cycle or an unknown input name is bad input. */
    private List<NodeProto> topoOrder() {
        Set<String> defined = new HashSet<>(consts.keySet());
        defined.addAll(acts.keySet());
        defined.add("");
        Map<String, Integer> producer = new HashMap<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            for (String o : g.getNode(i).getOutputList()) {
                if (!o.isEmpty()) {
                    if (producer.containsKey(o) || defined.contains(o)) {
                        throw new BadInputException(source + ": value '" + o + "' is defined twice (node '" + nodeName(g.getNode(i), i) + "')");
                    }
                    producer.put(o, i);
                }
            }
        }
        int n = g.getNodeCount();
        int[] waiting = new int[n];
        Map<String, List<Integer>> users = new HashMap<>();
        Deque<Integer> ready = new ArrayDeque<>();
        for (int i = 0; i < n; i++) {
            NodeProto node = g.getNode(i);
            for (String in : new LinkedHashSet<>(node.getInputList())) {
                if (defined.contains(in)) {
                    continue;
                }
                if (!producer.containsKey(in)) {
                    throw new BadInputException(source + ": node '" + nodeName(node, i) + "' (" + node.getOpType()
                            + ") reads '" + in + "', which no input, initializer or node defines");
                }
                waiting[i]++;
                users.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
            }
            if (waiting[i] == 0) {
                ready.add(i);
            }
        }
        List<NodeProto> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            int i = ready.poll();
            order.add(g.getNode(i));
            for (String o : g.getNode(i).getOutputList()) {
                for (int u : users.getOrDefault(o, List.of())) {
                    if (--waiting[u] == 0) {
                        ready.add(u);
                    }
                }
            }
        }
        if (order.size() < n) {
            for (int i = 0; i < n; i++) {
                if (waiting[i] > 0) {
                    throw new BadInputException(source + ": the graph has a cycle through node '" + nodeName(g.getNode(i), i) + "' ("
                            + g.getNode(i).getOpType() + ")");
                }
            }
        }
        for (ValueInfoProto vi : g.getOutputList()) {
            if (!producer.containsKey(vi.getName()) && !defined.contains(vi.getName())) {
                throw new BadInputException(source + ": output '" + vi.getName() + "' is not computed by any node");
            }
        }
        return order;
    }

    // ------------------------------------------------------------------------------------------
    // values, names, layouts

    private String fresh(String base) {
        String b = base.isEmpty() ? "v" : base;
        String s = b;
        for (int i = 1; used.contains(s); i++) {
            s = b + "_" + i;
        }
        used.add(s);
        return s;
    }

    private String freshNode(String base) {
        String b = base.isEmpty() ? "node" : base;
        String s = b;
        for (int i = 1; nodeNames.contains(s); i++) {
            s = b + "_" + i;
        }
        nodeNames.add(s);
        return s;
    }

    private String emit(OpType op, String name, List<String> in, String outBase, Attributes a) {
        return emitNamed(op, name, in, fresh(outBase), a);
    }

    /** Appends a Tern node and computes its output's per-sample shape (ShapeInference on the node alone). */
    private String emitNamed(OpType op, String name, List<String> in, String out, Attributes a) {
        used.add(out);
        Node node = new Node(freshNode(name), op, in, out, a);
        ModelBuilder mb = new ModelBuilder("node");
        Set<String> seen = new HashSet<>();
        for (String i : in) {
            if (!seen.add(i)) {
                continue;
            }
            if (tensors.containsKey(i)) {
                mb.constant(tensors.get(i));
            } else {
                int[] s = ternShapes.get(i);
                if (s.length == 0) {
                    throw new IllegalArgumentException("a value of rank 0 per sample ('" + i + "') cannot be an operand");
                }
                int[] full = new int[s.length + 1];
                full[0] = -1;
                System.arraycopy(s, 0, full, 1, s.length);
                dev.tern.runtime.model.ValueType t = ternTypes.get(i);
                if (t != null && t.isInt8()) {
                    // an int8 operand: a float input quantized to its type
                    mb.input(new InputSpec(i + "#float", full, "", null, null));
                    mb.node(new Node(i + "#quantize", OpType.QUANTIZE, List.of(i + "#float"), i, Attributes.builder()
                            .put("scale", t.scale()).put("zero_point", t.zeroPoint()).build()));
                } else {
                    mb.input(new InputSpec(i, full, "", null, null));
                }
            }
        }
        mb.node(node);
        boolean int8Out = a.has("scale") && op != OpType.QUANTIZE || op == OpType.QUANTIZE;
        for (String i : in) {
            dev.tern.runtime.model.ValueType t = ternTypes.get(i);
            int8Out |= t != null && t.isInt8() && !a.has("scale") && op != OpType.DEQUANTIZE && i.equals(in.get(0));
        }
        if (int8Out) {
            // graph outputs are float32: read the int8 result through a dequantize
            mb.node(new Node(out + "#dequantize", OpType.DEQUANTIZE, List.of(out), out + "#float", Attributes.EMPTY));
            mb.output(out + "#float");
        } else {
            mb.output(out);
        }
        ModelDef d = mb.build();
        ternShapes.put(out, d.shapeOf(out));
        ternTypes.put(out, d.typeOf(out));
        nodes.add(node);
        return out;
    }

    private String constant(String base, int[] shape, float[] values) {
        String name = fresh(base);
        tensors.put(name, Tensor.ofFloats(name, shape, values));
        return name;
    }

    private V act(String name, String what) {
        V v = acts.get(name);
        if (v == null) {
            throw new BadInputException("'" + name + "' (" + what + ") must be computed from the inputs, got a constant");
        }
        return v;
    }

    private int[] sampleOf(int[] onnx) {
        if (!batched) {
            return onnx;
        }
        if (onnx.length == 0 || onnx[0] != 1) {
            throw new NotBatch("shape " + Arrays.toString(onnx));
        }
        return Arrays.copyOfRange(onnx, 1, onnx.length);
    }

    private int[] onnxOf(int[] sample) {
        if (!batched) {
            return sample;
        }
        int[] s = new int[sample.length + 1];
        s[0] = 1;
        System.arraycopy(sample, 0, s, 1, sample.length);
        return s;
    }

    /** ONNX axis to the per-sample axis of the plain layout (the batch axis is not an axis of a sample). */
    private int sampleAxis(int axis, int rank, String what) {
        int ax = axis < 0 ? axis + rank : axis;
        if (ax < 0 || ax >= rank) {
            throw new BadInputException(what + " " + axis + " outside rank " + rank);
        }
        if (batched) {
            if (ax == 0) {
                throw new NotBatch(what + " 0");
            }
            return ax - 1;
        }
        return ax;
    }

    private V define(String onnxName, String tern, boolean nhwc, String onnxOp) {
        int[] ts = ternShapes.get(tern);
        int[] onnx;
        if (nhwc) {
            onnx = new int[] {1, ts[2], ts[0], ts[1]};
        } else {
            onnx = onnxOf(ts);
        }
        V v = new V(onnx);
        if (nhwc) {
            v.nhwc = tern;
        } else {
            v.plain = tern;
        }
        v.onnxOp = onnxOp;
        lastOnnxOp.put(tern, onnxOp);
        acts.put(onnxName, v);
        return v;
    }

    /** The value in ONNX's axis order. */
    private String plain(V v) {
        if (v.plain == null) {
            int[] s = ternShapes.get(v.nhwc);
            int[] sample = sampleOf(v.shape);
            if (v.int8 != null && !(s[0] * s[1] == 1 || s[2] == 1)) {
                throw new BadInputException("an int8 value needs a layout change that Tern makes in float32 only");
            }
            if (s[0] * s[1] == 1 || s[2] == 1) {
                v.plain = emit(OpType.RESHAPE, "to_nchw", List.of(v.nhwc), baseOf(v.nhwc), Attributes.builder().put("shape", sample).build());
            } else {
                String t = emit(OpType.TRANSPOSE, "to_nchw", List.of(v.nhwc), baseOf(v.nhwc) + (batched ? "" : ":chw"),
                        Attributes.builder().put("perm", new int[] {2, 0, 1}).build());
                v.plain = batched ? t : emit(OpType.RESHAPE, "to_nchw", List.of(t), baseOf(v.nhwc), Attributes.builder()
                        .put("shape", sample).build());
            }
            lastOnnxOp.put(v.plain, v.onnxOp);
        }
        return v.plain;
    }

    private static String baseOf(String tern) {
        return tern.endsWith(":nhwc") ? tern.substring(0, tern.length() - 5) : tern;
    }

    private boolean isImage(V v) {
        return v.shape.length == 4 && v.shape[0] == 1;
    }

    /** The value as an NHWC image [h, w, c] per sample (ONNX [1, c, h, w]). */
    private String nhwc(V v, String what) {
        if (v.nhwc == null) {
            if (v.shape.length != 4) {
                throw new BadInputException(what + " must be an image [N, C, H, W], got " + Arrays.toString(v.shape));
            }
            if (v.shape[0] != 1) {
                throw new BadInputException(what + " has a batch of " + v.shape[0] + " inside the graph; Tern runs images one "
                        + "sample at a time (make the batch axis the graph's leading, symbolic axis)");
            }
            int c = v.shape[1];
            int h = v.shape[2];
            int w = v.shape[3];
            String src = v.plain;
            if (v.int8 != null && !(h * w == 1 || c == 1)) {
                throw new BadInputException("an int8 value needs a layout change that Tern makes in float32 only");
            }
            if (h * w == 1 || c == 1) {
                v.nhwc = emit(OpType.RESHAPE, "to_nhwc", List.of(src), src + ":nhwc", Attributes.builder().put("shape", new int[] {h, w, c}).build());
            } else {
                if (!batched) {
                    src = emit(OpType.RESHAPE, "to_nhwc", List.of(src), src + ":chw", Attributes.builder().put("shape", new int[] {c, h, w}).build());
                }
                v.nhwc = emit(OpType.TRANSPOSE, "to_nhwc", List.of(src), v.plain + ":nhwc", Attributes.builder()
                        .put("perm", new int[] {1, 2, 0}).build());
            }
        }
        return v.nhwc;
    }

    // ------------------------------------------------------------------------------------------
    // attributes and inputs of ONNX nodes

    private static AttributeProto attr(NodeProto n, String name) {
        return OnnxFold.attr(n, name);
    }

    private static long attrInt(NodeProto n, String name, long dflt) {
        return OnnxFold.attrInt(n, name, dflt);
    }

    private static float attrFloat(NodeProto n, String name, float dflt) {
        AttributeProto a = attr(n, name);
        return a == null ? dflt : a.getF();
    }

    private static String attrString(NodeProto n, String name, String dflt) {
        AttributeProto a = attr(n, name);
        return a == null ? dflt : a.getS().toStringUtf8();
    }

    private static int[] attrInts(NodeProto n, String name, int[] dflt) {
        int[] r = OnnxFold.attrInts(n, name);
        return r == null ? dflt : r;
    }

    private static String in(NodeProto n, int i) {
        return i < n.getInputCount() ? n.getInput(i) : "";
    }

    private OnnxConst constIn(NodeProto n, int i, String what) {
        String name = in(n, i);
        if (name.isEmpty()) {
            return null;
        }
        OnnxConst c = consts.get(name);
        if (c == null) {
            throw new BadInputException(what + " ('" + name + "') must be a constant (an initializer or folded at import); "
                    + "Tern needs it at import");
        }
        return c;
    }

    private boolean allConst(NodeProto n) {
        for (String i : n.getInputList()) {
            if (!i.isEmpty() && !consts.containsKey(i)) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------
    // the ops

    private void convert(NodeProto n) {
        String op = n.getOpType();
        String name = n.getName().isEmpty() ? op : n.getName();
        String out = n.getOutputCount() > 0 ? n.getOutput(0) : "";
        if (op.equals("Constant")) {
            consts.put(out, constantNode(n));
            return;
        }
        if (op.equals("Identity") || op.equals("Dropout")) {
            if (op.equals("Dropout") && n.getOutputCount() > 1 && !n.getOutput(1).isEmpty() && consumers.containsKey(n.getOutput(1))) {
                throw new BadInputException("the dropout mask (output 2) is used; Tern imports inference graphs");
            }
            if (op.equals("Dropout") && !in(n, 2).isEmpty()) {
                OnnxConst training = consts.get(in(n, 2));
                OnnxConst ratio = in(n, 1).isEmpty() ? null : consts.get(in(n, 1));
                boolean zeroRatio = ratio != null && ratio.v[0] == 0;
                if (!zeroRatio && (training == null || training.v[0] != 0)) {
                    throw new BadInputException("training_mode is " + (training == null ? "computed at run time" : "true")
                            + "; Tern imports inference graphs (dropout is the identity)");
                }
            }
            alias(out, in(n, 0));
            return;
        }
        if (op.equals("Shape")) {
            int[] s = shapeOfValue(in(n, 0));
            int rank = s.length;
            int start = (int) attrInt(n, "start", 0);
            int end = (int) attrInt(n, "end", rank);
            start = Math.max(0, Math.min(rank, start < 0 ? start + rank : start));
            end = Math.max(0, Math.min(rank, end < 0 ? end + rank : end));
            long[] d = new long[Math.max(0, end - start)];
            for (int i = start; i < end; i++) {
                d[i - start] = s[i];
            }
            consts.put(out, OnnxConst.ints(d));
            return;
        }
        if (skip.contains(n)) {
            return; // part of a QDQ unit converted with the node before it
        }
        if (allConst(n) && OnnxFold.canFold(op)) {
            if (op.equals("DequantizeLinear")) {
                OnnxConst q = consts.get(in(n, 0));
                if (q.dtype == OnnxConst.INT8 || q.dtype == OnnxConst.INT32) {
                    quantized.put(out, new QuantizedConst(q, constIn(n, 1, "x_scale"), constIn(n, 2, "x_zero_point"),
                            (int) attrInt(n, "axis", 1)));
                }
            }
            OnnxFold.fold(n, opset, consts);
            return;
        }
        switch (op) {
            case "Conv":
                conv(n, name, out);
                return;
            case "ConvTranspose":
                convTranspose(n, name, out);
                return;
            case "BatchNormalization":
                batchNorm(n, name, out);
                return;
            case "MaxPool":
            case "AveragePool":
                pool(n, name, out, op.equals("MaxPool"));
                return;
            case "GlobalAveragePool":
            case "GlobalMaxPool": {
                V x = act(in(n, 0), "input");
                String p = emit(op.equals("GlobalAveragePool") ? OpType.GLOBAL_AVG_POOL : OpType.GLOBAL_MAX_POOL, name,
                        List.of(nhwc(x, "input")), out + ":pooled", Attributes.EMPTY);
                int c = ternShapes.get(p)[0];
                define(out, emit(OpType.RESHAPE, name + "/shape", List.of(p), out + ":nhwc", Attributes.builder()
                        .put("shape", new int[] {1, 1, c}).build()), true, op);
                return;
            }
            case "Relu":
                unary(n, name, out, OpType.RELU, Attributes.EMPTY);
                return;
            case "Sigmoid":
                unary(n, name, out, OpType.SIGMOID, Attributes.EMPTY);
                return;
            case "Tanh":
                unary(n, name, out, OpType.TANH, Attributes.EMPTY);
                return;
            case "Exp":
                unary(n, name, out, OpType.EXP, Attributes.EMPTY);
                return;
            case "Log":
                unary(n, name, out, OpType.LOG, Attributes.EMPTY);
                return;
            case "Neg":
                unary(n, name, out, OpType.NEG, Attributes.EMPTY);
                return;
            case "Abs":
                unary(n, name, out, OpType.ABS, Attributes.EMPTY);
                return;
            case "Sqrt":
                unary(n, name, out, OpType.SQRT, Attributes.EMPTY);
                return;
            case "Reciprocal":
                unary(n, name, out, OpType.RECIPROCAL, Attributes.EMPTY);
                return;
            case "HardSwish":
                unary(n, name, out, OpType.HARD_SWISH, Attributes.EMPTY);
                return;
            case "HardSigmoid":
                unary(n, name, out, OpType.HARD_SIGMOID, Attributes.builder().put("alpha", attrFloat(n, "alpha", 0.2f))
                        .put("beta", attrFloat(n, "beta", 0.5f)).build());
                return;
            case "LeakyRelu":
                unary(n, name, out, OpType.LEAKY_RELU, Attributes.builder().put("alpha", attrFloat(n, "alpha", 0.01f)).build());
                return;
            case "Elu":
                unary(n, name, out, OpType.ELU, Attributes.builder().put("alpha", attrFloat(n, "alpha", 1f)).build());
                return;
            case "Clip":
                clip(n, name, out);
                return;
            case "Add":
            case "Sub":
            case "Mul":
            case "Div":
            case "PRelu":
                if (op.equals("Add") && int8Unit(n, name, out)) {
                    return;
                }
                binary(n, name, out, op, in(n, 0), in(n, 1));
                return;
            case "Max":
            case "Min":
            case "Sum": {
                if (n.getInputCount() == 1) {
                    alias(out, in(n, 0));
                    return;
                }
                String acc = in(n, 0);
                for (int i = 1; i < n.getInputCount(); i++) {
                    String target = i == n.getInputCount() - 1 ? out : fresh(out + "/partial");
                    binary(n, name, target, op.equals("Sum") ? "Add" : op, acc, in(n, i));
                    acc = target;
                }
                return;
            }
            case "Softmax":
            case "LogSoftmax":
                softmax(n, name, out, op.equals("Softmax"));
                return;
            case "ReduceMean":
            case "ReduceMax":
            case "ReduceMin":
            case "ReduceSum":
                reduce(n, name, out, op);
                return;
            case "Flatten":
                flatten(n, name, out);
                return;
            case "Reshape": {
                OnnxConst shape = constIn(n, 1, "the target shape");
                V x = act(in(n, 0), "data");
                int[] target = OnnxFold.reshapeTarget(x.shape, shape.longs(), attrInt(n, "allowzero", 0) != 0);
                reshapeTo(name, out, x, target, op);
                return;
            }
            case "Squeeze":
            case "Unsqueeze": {
                V x = act(in(n, 0), "data");
                int[] axes = opset >= 13 && n.getInputCount() > 1 ? constIn(n, 1, "axes").ints("axes") : attrInts(n, "axes", null);
                int[] target = op.equals("Squeeze") ? OnnxFold.squeeze(x.shape, axes) : OnnxFold.unsqueeze(x.shape, axes);
                reshapeTo(name, out, x, target, op);
                return;
            }
            case "Transpose":
                transpose(n, name, out);
                return;
            case "Concat":
                concat(n, name, out);
                return;
            case "Split":
                split(n, name);
                return;
            case "Slice":
                slice(n, name, out);
                return;
            case "Pad":
                pad(n, name, out);
                return;
            case "Gemm":
                gemm(n, name, out);
                return;
            case "MatMul":
                matmul(n, name, out);
                return;
            case "Resize":
            case "Upsample":
                resize(n, name, out, op);
                return;
            case "Gather":
                gather(n, name, out);
                return;
            case "Cast": {
                int to = (int) attrInt(n, "to", OnnxConst.FLOAT);
                if (to != OnnxConst.FLOAT) {
                    throw new BadInputException("a cast of a computed value to " + OnnxConst.typeName(to)
                            + "; Tern computes in float32");
                }
                alias(out, in(n, 0));
                return;
            }
            case "QuantizeLinear":
                quantizeLinear(n, name, out);
                return;
            case "DequantizeLinear":
                dequantizeLinear(n, name, out);
                return;
            default:
                throw new BadInputException("inputs computed at run time are not supported by this op here");
        }
    }

    private OnnxConst constantNode(NodeProto n) {
        for (AttributeProto a : n.getAttributeList()) {
            switch (a.getName()) {
                case "value":
                    return OnnxConst.of(a.getT(), "the value of Constant '" + n.getName() + "'");
                case "value_float":
                    return OnnxConst.scalar(OnnxConst.FLOAT, a.getF());
                case "value_int":
                    return OnnxConst.scalar(OnnxConst.INT64, a.getI());
                case "value_floats": {
                    double[] d = new double[a.getFloatsCount()];
                    for (int i = 0; i < d.length; i++) {
                        d[i] = a.getFloats(i);
                    }
                    return new OnnxConst(new int[] {d.length}, OnnxConst.FLOAT, d);
                }
                case "value_ints": {
                    long[] l = new long[a.getIntsCount()];
                    for (int i = 0; i < l.length; i++) {
                        l[i] = a.getInts(i);
                    }
                    return OnnxConst.ints(l);
                }
                default:
                    break;
            }
        }
        throw new BadInputException("Constant without a numeric value (sparse_value and strings are not supported)");
    }

    private void alias(String out, String in) {
        if (consts.containsKey(in)) {
            consts.put(out, consts.get(in));
            return;
        }
        V x = act(in, "input");
        if (graphOutputs.contains(out) || acts.containsKey(out)) {
            // keep a distinct value for a graph output: a free reshape to its own name
            V v = new V(x.shape);
            v.onnxOp = x.onnxOp;
            if (x.nhwc != null) {
                v.nhwc = emit(OpType.RESHAPE, "identity", List.of(x.nhwc), out + ":nhwc", Attributes.builder()
                        .put("shape", shapeOrOne(ternShapes.get(x.nhwc))).build());
            } else {
                v.plain = emit(OpType.RESHAPE, "identity", List.of(x.plain), out, Attributes.builder()
                        .put("shape", shapeOrOne(ternShapes.get(x.plain))).build());
            }
            acts.put(out, v);
            return;
        }
        acts.put(out, x);
    }

    private int[] shapeOfValue(String name) {
        OnnxConst c = consts.get(name);
        if (c != null) {
            return c.shape;
        }
        return act(name, "input").shape;
    }

    private void unary(NodeProto n, String name, String out, OpType op, Attributes a) {
        V x = act(in(n, 0), "input");
        if (x.int8 != null) {
            throw new BadInputException("an int8 input; ONNX's " + n.getOpType() + " reads float32 (DequantizeLinear first)");
        }
        boolean img = x.nhwc != null;
        String src = img ? x.nhwc : x.plain;
        define(out, emit(op, name, List.of(src), out + (img ? ":nhwc" : ""), a), img, n.getOpType());
    }

    private void clip(NodeProto n, String name, String out) {
        float lo;
        float hi;
        if (opset < 11) {
            lo = attrFloat(n, "min", Float.NEGATIVE_INFINITY);
            hi = attrFloat(n, "max", Float.POSITIVE_INFINITY);
        } else {
            OnnxConst a = constIn(n, 1, "min");
            OnnxConst b = constIn(n, 2, "max");
            lo = a == null ? Float.NEGATIVE_INFINITY : (float) a.v[0];
            hi = b == null ? Float.POSITIVE_INFINITY : (float) b.v[0];
        }
        if (lo == 0f && hi == Float.POSITIVE_INFINITY) {
            unary(n, name, out, OpType.RELU, Attributes.EMPTY);
        } else if (lo == 0f && hi == 6f) {
            unary(n, name, out, OpType.RELU6, Attributes.EMPTY);
        } else {
            unary(n, name, out, OpType.CLIP, Attributes.builder().put("min", lo).put("max", hi).build());
        }
    }

    /** A constant operand in the frame of an activation: the batch axis dropped, NHWC-permuted for images. */
    private String operandConst(OnnxConst c, int actRank, boolean img, String base) {
        int[] s = c.shape;
        if (s.length > actRank) {
            throw new NotBatch("constant of higher rank");
        }
        float[] f = c.floats();
        if (batched && s.length == actRank) {
            if (s[0] != 1) {
                throw new NotBatch("constant along the batch axis");
            }
            s = Arrays.copyOfRange(s, 1, s.length);
        }
        if (img) {
            // right-align to [c, h, w] and permute to [h, w, c]
            int[] chw = new int[3];
            Arrays.fill(chw, 1);
            for (int i = 0; i < s.length; i++) {
                chw[3 - s.length + i] = s[i];
            }
            float[] p = new float[f.length];
            int cc = chw[0];
            int hh = chw[1];
            int ww = chw[2];
            for (int k = 0; k < cc; k++) {
                for (int y = 0; y < hh; y++) {
                    for (int x = 0; x < ww; x++) {
                        p[(y * ww + x) * cc + k] = f[(k * hh + y) * ww + x];
                    }
                }
            }
            return constant(base, new int[] {hh, ww, cc}, p);
        }
        return constant(base, s.length == 0 ? new int[] {1} : s, f);
    }

    private void binary(NodeProto n, String name, String out, String op, String a, String b) {
        OpType t;
        switch (op) {
            case "Add": t = OpType.ADD; break;
            case "Sub": t = OpType.SUB; break;
            case "Mul": t = OpType.MUL; break;
            case "Div": t = OpType.DIV; break;
            case "Max": t = OpType.MAX; break;
            case "Min": t = OpType.MIN; break;
            default: t = OpType.PRELU; break;
        }
        OnnxConst ca = consts.get(a);
        OnnxConst cb = consts.get(b);
        if (ca != null && cb != null) {
            throw new IllegalStateException("folded before");
        }
        if (t == OpType.PRELU && cb == null) {
            throw new BadInputException("the slope must be a constant");
        }
        V va = ca == null ? act(a, "operand 1") : null;
        V vb = cb == null ? act(b, "operand 2") : null;
        int rank = Math.max(va != null ? va.shape.length : 0, vb != null ? vb.shape.length : 0);
        if (batched && va != null && vb != null && va.shape.length != vb.shape.length) {
            throw new NotBatch("operands of different ranks");
        }
        boolean img = rank == 4 && (va == null || isImage(va)) && (vb == null || isImage(vb))
                && ((va != null && va.nhwc != null) || (vb != null && vb.nhwc != null));
        if (img) {
            for (OnnxConst c : new OnnxConst[] {ca, cb}) {
                if (c != null && c.shape.length == 4 && c.shape[0] != 1) {
                    img = false;
                }
            }
        }
        String ta = va != null ? (img ? nhwc(va, "operand 1") : plain(va)) : operandConst(ca, rank, img, out + "/a");
        String tb = vb != null ? (img ? nhwc(vb, "operand 2") : plain(vb)) : operandConst(cb, rank, img, out + "/b");
        define(out, emit(t, name, List.of(ta, tb), out + (img ? ":nhwc" : ""), Attributes.EMPTY), img, op);
    }

    private int[] pads2d(NodeProto n, int inH, int inW, int kh, int kw, int sh, int sw, int dh, int dw) {
        String autoPad = attrString(n, "auto_pad", "NOTSET");
        int[] pads = attrInts(n, "pads", new int[4]);
        switch (autoPad) {
            case "NOTSET":
                if (pads.length != 4) {
                    throw new BadInputException("pads must hold 4 values for a 2-D window, got " + Arrays.toString(pads));
                }
                return pads;
            case "VALID":
                return new int[4];
            case "SAME_UPPER":
            case "SAME_LOWER": {
                int[] r = new int[4];
                int[] in = {inH, inW};
                int[] k = {kh, kw};
                int[] s = {sh, sw};
                int[] d = {dh, dw};
                for (int i = 0; i < 2; i++) {
                    int out = (in[i] + s[i] - 1) / s[i];
                    int total = Math.max((out - 1) * s[i] + (k[i] - 1) * d[i] + 1 - in[i], 0);
                    int small = total / 2;
                    r[i] = autoPad.equals("SAME_UPPER") ? small : total - small;
                    r[i + 2] = total - r[i];
                }
                return r;
            }
            default:
                throw new BadInputException("auto_pad '" + autoPad + "' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
        }
    }

    /** padding/pads attributes of a Tern window: valid or same where they say the same, else explicit. */
    private static Attributes.Builder window(Attributes.Builder a, int[] pads, int inH, int inW, int kh, int kw, int sh, int sw,
                                              boolean dilated, boolean ceilChanges, boolean countPad) {
        a.put("strides", new int[] {sh, sw});
        boolean zero = pads[0] == 0 && pads[1] == 0 && pads[2] == 0 && pads[3] == 0;
        if (!dilated && !ceilChanges && (zero || !countPad)) {
            if (zero) {
                return a.put("padding", "valid");
            }
            int[] same = new int[4];
            int[] in = {inH, inW};
            int[] k = {kh, kw};
            int[] s = {sh, sw};
            for (int i = 0; i < 2; i++) {
                int out = (in[i] + s[i] - 1) / s[i];
                int total = Math.max((out - 1) * s[i] + k[i] - in[i], 0);
                same[i] = total / 2;
                same[i + 2] = total - total / 2;
            }
            // TensorFlow's SAME keeps extra padding cells that produce no output out of the count: compare the outputs
            int[] explicitOut = new int[2];
            int[] sameOut = new int[2];
            for (int i = 0; i < 2; i++) {
                explicitOut[i] = (in[i] + pads[i] + pads[i + 2] - k[i]) / s[i] + 1;
                sameOut[i] = (in[i] + s[i] - 1) / s[i];
            }
            if (pads[0] == same[0] && pads[1] == same[1] && Arrays.equals(explicitOut, sameOut)) {
                return a.put("padding", "same");
            }
        }
        return a.put("padding", "explicit").put("pads", pads);
    }

    private void conv(NodeProto n, String name, String out) {
        if (int8Unit(n, name, out)) {
            return;
        }
        V x = act(in(n, 0), "input X");
        OnnxConst w = constIn(n, 1, "the weights W");
        OnnxConst bias = constIn(n, 2, "the bias B");
        if (x.shape.length != 4 || w.shape.length != 4) {
            throw new BadInputException("Tern imports 2-D convolutions (input [N, C, H, W]), got input "
                    + Arrays.toString(x.shape) + " and weights " + Arrays.toString(w.shape));
        }
        int group = (int) attrInt(n, "group", 1);
        int m = w.shape[0];
        int cg = w.shape[1];
        int kh = w.shape[2];
        int kw = w.shape[3];
        int c = x.shape[1];
        if (group < 1 || cg * group != c || m % group != 0) {
            throw new BadInputException("weights " + Arrays.toString(w.shape) + " with group " + group + " do not fit "
                    + c + " input channels");
        }
        int[] st = attrInts(n, "strides", new int[] {1, 1});
        int[] dil = attrInts(n, "dilations", new int[] {1, 1});
        int[] ks = attrInts(n, "kernel_shape", new int[] {kh, kw});
        if (st.length != 2 || dil.length != 2 || ks[0] != kh || ks[1] != kw) {
            throw new BadInputException("strides " + Arrays.toString(st) + ", dilations " + Arrays.toString(dil)
                    + " and kernel_shape " + Arrays.toString(ks) + " do not fit a 2-D kernel " + kh + "x" + kw);
        }
        int[] pads = pads2d(n, x.shape[2], x.shape[3], kh, kw, st[0], st[1], dil[0], dil[1]);
        boolean dilated = dil[0] != 1 || dil[1] != 1;
        Attributes.Builder ab = window(Attributes.builder(), pads, x.shape[2], x.shape[3], kh, kw, st[0], st[1], dilated, false, false);
        if (dilated) {
            ab.put("dilations", dil);
        }
        float[] wf = w.floats();
        float[] bf = bias == null ? new float[m] : bias.floats();
        String xs = nhwc(x, "input X");
        if (group == 1) {
            float[] t = new float[wf.length];
            for (int o = 0; o < m; o++) {
                for (int i = 0; i < c; i++) {
                    for (int y = 0; y < kh; y++) {
                        for (int z = 0; z < kw; z++) {
                            t[((o * kh + y) * kw + z) * c + i] = wf[((o * c + i) * kh + y) * kw + z];
                        }
                    }
                }
            }
            String wt = constant(out + "/filter", new int[] {m, kh, kw, c}, t);
            String bt = constant(out + "/bias", new int[] {m}, bf);
            define(out, emit(OpType.CONV2D, name, List.of(xs, wt, bt), out + ":nhwc", ab.build()), true, "Conv");
        } else if (group == c && cg == 1) {
            int mult = m / c;
            float[] t = new float[wf.length];
            for (int o = 0; o < m; o++) {
                for (int y = 0; y < kh; y++) {
                    for (int z = 0; z < kw; z++) {
                        t[(y * kw + z) * m + o] = wf[(o * kh + y) * kw + z];
                    }
                }
            }
            String wt = constant(out + "/filter", new int[] {kh, kw, m}, t);
            String bt = constant(out + "/bias", new int[] {m}, bf);
            define(out, emit(OpType.DEPTHWISE_CONV2D, name, List.of(xs, wt, bt), out + ":nhwc",
                    ab.put("multiplier", mult).build()), true, "Conv");
        } else {
            // grouped: one convolution per group over its slice of the channels, then concatenated
            int mg = m / group;
            int[] xsh = ternShapes.get(xs);
            List<String> parts = new ArrayList<>();
            for (int gi = 0; gi < group; gi++) {
                String sl = emit(OpType.SLICE, name + "/group" + gi, List.of(xs), out + "/g" + gi + ":in", Attributes.builder()
                        .put("starts", new int[] {0, 0, gi * cg}).put("ends", new int[] {xsh[0], xsh[1], (gi + 1) * cg})
                        .put("steps", new int[] {1, 1, 1}).build());
                float[] t = new float[mg * kh * kw * cg];
                for (int o = 0; o < mg; o++) {
                    for (int i = 0; i < cg; i++) {
                        for (int y = 0; y < kh; y++) {
                            for (int z = 0; z < kw; z++) {
                                t[((o * kh + y) * kw + z) * cg + i] = wf[(((gi * mg + o) * cg + i) * kh + y) * kw + z];
                            }
                        }
                    }
                }
                String wt = constant(out + "/g" + gi + "/filter", new int[] {mg, kh, kw, cg}, t);
                String bt = constant(out + "/g" + gi + "/bias", new int[] {mg}, Arrays.copyOfRange(bf, gi * mg, (gi + 1) * mg));
                parts.add(emit(OpType.CONV2D, name + "/conv" + gi, List.of(sl, wt, bt), out + "/g" + gi + ":nhwc", ab.build()));
            }
            define(out, emit(OpType.CONCAT, name, parts, out + ":nhwc", Attributes.builder().put("axis", 2).build()), true, "Conv");
        }
    }

    private void convTranspose(NodeProto n, String name, String out) {
        V x = act(in(n, 0), "input X");
        OnnxConst w = constIn(n, 1, "the weights W");
        OnnxConst bias = constIn(n, 2, "the bias B");
        if (x.shape.length != 4 || w.shape.length != 4) {
            throw new BadInputException("Tern imports 2-D transposed convolutions, got input " + Arrays.toString(x.shape));
        }
        if (attrInt(n, "group", 1) != 1) {
            throw new BadInputException("grouped transposed convolution (group " + attrInt(n, "group", 1) + ") is not supported");
        }
        int c = w.shape[0];
        int m = w.shape[1];
        int kh = w.shape[2];
        int kw = w.shape[3];
        if (c != x.shape[1]) {
            throw new BadInputException("weights " + Arrays.toString(w.shape) + " expect " + c + " input channels, got " + x.shape[1]);
        }
        int[] st = attrInts(n, "strides", new int[] {1, 1});
        int[] dil = attrInts(n, "dilations", new int[] {1, 1});
        int[] op = attrInts(n, "output_padding", new int[] {0, 0});
        int[] pads = attrInts(n, "pads", new int[4]);
        int[] outShape = attrInts(n, "output_shape", null);
        String autoPad = attrString(n, "auto_pad", "NOTSET");
        int[] in = {x.shape[2], x.shape[3]};
        int[] k = {kh, kw};
        if (outShape != null || !autoPad.equals("NOTSET") && !autoPad.equals("VALID")) {
            int[] target = new int[2];
            for (int i = 0; i < 2; i++) {
                target[i] = outShape != null ? outShape[outShape.length - 2 + i] : in[i] * st[i];
            }
            pads = new int[4];
            for (int i = 0; i < 2; i++) {
                int total = st[i] * (in[i] - 1) + op[i] + ((k[i] - 1) * dil[i] + 1) - target[i];
                if (total < 0) {
                    op[i] += -total;
                    total = 0;
                }
                boolean upper = !autoPad.equals("SAME_LOWER");
                pads[i] = upper ? total / 2 : total - total / 2;
                pads[i + 2] = total - pads[i];
            }
        }
        float[] wf = w.floats();
        float[] t = new float[wf.length];
        for (int i = 0; i < c; i++) {
            for (int o = 0; o < m; o++) {
                for (int y = 0; y < kh; y++) {
                    for (int z = 0; z < kw; z++) {
                        t[((o * kh + y) * kw + z) * c + i] = wf[((i * m + o) * kh + y) * kw + z];
                    }
                }
            }
        }
        String wt = constant(out + "/filter", new int[] {m, kh, kw, c}, t);
        String bt = constant(out + "/bias", new int[] {m}, bias == null ? new float[m] : bias.floats());
        Attributes a = Attributes.builder().put("strides", st).put("dilations", dil).put("pads", pads).put("output_padding", op).build();
        define(out, emit(OpType.CONV_TRANSPOSE, name, List.of(nhwc(x, "input X"), wt, bt), out + ":nhwc", a), true, "ConvTranspose");
    }

    private void batchNorm(NodeProto n, String name, String out) {
        if (n.getOutputCount() > 1) {
            for (int i = 1; i < n.getOutputCount(); i++) {
                if (!n.getOutput(i).isEmpty() && consumers.containsKey(n.getOutput(i))) {
                    throw new BadInputException("training-mode outputs (running mean/var) are used; Tern imports inference graphs");
                }
            }
        }
        if (attrInt(n, "training_mode", 0) != 0) {
            throw new BadInputException("training_mode 1; Tern imports inference graphs");
        }
        V x = act(in(n, 0), "input X");
        float[] gamma = constIn(n, 1, "scale").floats();
        float[] beta = constIn(n, 2, "B").floats();
        float[] mean = constIn(n, 3, "input_mean").floats();
        float[] var = constIn(n, 4, "input_var").floats();
        float eps = attrFloat(n, "epsilon", 1e-5f);
        int c = x.shape.length > 1 ? x.shape[1] : 1;
        if (gamma.length != c || beta.length != c || mean.length != c || var.length != c) {
            throw new BadInputException("scale, B, mean and var must hold one value per channel (" + c + ")");
        }
        double[] s = new double[c];
        double[] sh = new double[c];
        for (int i = 0; i < c; i++) {
            s[i] = gamma[i] / Math.sqrt((double) var[i] + eps);
            sh[i] = beta[i] - mean[i] * s[i];
        }
        // into the convolution that produced X, when X has no other reader
        if (x.nhwc != null && consumers.getOrDefault(in(n, 0), 0) == 1 && !graphOutputs.contains(in(n, 0))) {
            Node p = producer(x.nhwc);
            if (p != null && (p.op() == OpType.CONV2D || p.op() == OpType.DEPTHWISE_CONV2D)
                    && p.attributes().getString("activation", "none").equals("none") && p.inputs().size() == 3) {
                Tensor w = tensors.get(p.input(1));
                Tensor b = tensors.get(p.input(2));
                float[] wf = w.floats();
                float[] bf = b.floats();
                int[] ws = w.shape();
                for (int i = 0; i < wf.length; i++) {
                    int oc = p.op() == OpType.CONV2D ? i / (ws[1] * ws[2] * ws[3]) : i % ws[2];
                    wf[i] = (float) (wf[i] * s[oc]);
                }
                for (int oc = 0; oc < bf.length; oc++) {
                    bf[oc] = (float) (bf[oc] * s[oc] + sh[oc]);
                }
                tensors.put(w.name(), Tensor.ofFloats(w.name(), ws, wf));
                tensors.put(b.name(), Tensor.ofFloats(b.name(), b.shape(), bf));
                acts.put(out, x);
                return;
            }
        }
        // into the dense layer (Gemm, MatMul) that produced X [N, C], likewise
        if (x.plain != null && x.nhwc == null && x.shape.length == 2 && batched
                && consumers.getOrDefault(in(n, 0), 0) == 1 && !graphOutputs.contains(in(n, 0))) {
            Node p = producer(x.plain);
            if (p != null && p.op() == OpType.DENSE && p.attributes().getString("activation", "none").equals("none")) {
                Tensor w = tensors.get(p.input(1));
                float[] wf = w.floats();
                int in = w.dim(1);
                for (int i = 0; i < wf.length; i++) {
                    wf[i] = (float) (wf[i] * s[i / in]);
                }
                float[] bf = p.inputs().size() > 2 ? tensors.get(p.input(2)).floats() : new float[c];
                for (int o = 0; o < c; o++) {
                    bf[o] = (float) (bf[o] * s[o] + sh[o]);
                }
                tensors.put(w.name(), Tensor.ofFloats(w.name(), w.shape(), wf));
                if (p.inputs().size() > 2) {
                    tensors.put(p.input(2), Tensor.ofFloats(p.input(2), new int[] {c}, bf));
                } else {
                    String bn = constant(x.plain + "/bias", new int[] {c}, bf);
                    List<String> ins = new ArrayList<>(p.inputs());
                    ins.add(bn);
                    nodes.set(nodes.indexOf(p), new Node(p.name(), p.op(), ins, p.output(), p.attributes()));
                }
                acts.put(out, x);
                return;
            }
        }
        float[] sf = new float[c];
        float[] hf = new float[c];
        for (int i = 0; i < c; i++) {
            sf[i] = (float) s[i];
            hf[i] = (float) sh[i];
        }
        boolean img = x.nhwc != null || isImage(x);
        String xs;
        int[] cshape;
        if (img) {
            xs = nhwc(x, "input X");
            cshape = new int[] {c};
        } else {
            xs = plain(x);
            int rank = ternShapes.get(xs).length;
            int chAxis = batched ? 0 : 1;
            cshape = new int[rank - chAxis];
            Arrays.fill(cshape, 1);
            cshape[0] = c;
        }
        String sc = constant(out + "/scale", cshape, sf);
        String shc = constant(out + "/shift", cshape, hf);
        String y = emit(OpType.MUL, name + "/scale", List.of(xs, sc), out + "/scaled", Attributes.EMPTY);
        define(out, emit(OpType.ADD, name, List.of(y, shc), out + (img ? ":nhwc" : ""), Attributes.EMPTY), img, "BatchNormalization");
    }

    private Node producer(String value) {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            if (nodes.get(i).output().equals(value)) {
                return nodes.get(i);
            }
        }
        return null;
    }

    private void pool(NodeProto n, String name, String out, boolean max) {
        if (n.getOutputCount() > 1 && !n.getOutput(1).isEmpty()) {
            throw new BadInputException("the Indices output of MaxPool is not supported");
        }
        V x = act(in(n, 0), "input X");
        if (x.shape.length != 4) {
            throw new BadInputException("Tern imports 2-D pooling (input [N, C, H, W]), got " + Arrays.toString(x.shape));
        }
        int[] k = attrInts(n, "kernel_shape", null);
        if (k == null || k.length != 2) {
            throw new BadInputException("kernel_shape must hold 2 values, got " + (k == null ? "nothing" : Arrays.toString(k)));
        }
        int[] st = attrInts(n, "strides", new int[] {1, 1});
        int[] dil = attrInts(n, "dilations", new int[] {1, 1});
        if (dil[0] != 1 || dil[1] != 1) {
            throw new BadInputException("dilated pooling (dilations " + Arrays.toString(dil) + ") is not supported");
        }
        if (attrInt(n, "storage_order", 0) != 0) {
            throw new BadInputException("storage_order 1 is not supported");
        }
        int[] pads = pads2d(n, x.shape[2], x.shape[3], k[0], k[1], st[0], st[1], 1, 1);
        boolean ceil = attrInt(n, "ceil_mode", 0) != 0;
        boolean countPad = !max && attrInt(n, "count_include_pad", 0) != 0;
        boolean ceilChanges = false;
        if (ceil) {
            int[] in = {x.shape[2], x.shape[3]};
            for (int i = 0; i < 2; i++) {
                int span = in[i] + pads[i] + pads[i + 2] - k[i];
                int fl = span / st[i] + 1;
                int ce = (span + st[i] - 1) / st[i] + 1;
                if (ce > fl && (ce - 1) * st[i] < in[i] + pads[i]) {
                    ceilChanges = true;
                }
            }
        }
        Attributes.Builder ab = window(Attributes.builder().put("window", k), pads, x.shape[2], x.shape[3], k[0], k[1], st[0], st[1],
                false, ceilChanges, countPad);
        if (ab.build().getString("padding", "").equals("explicit")) {
            if (ceilChanges) {
                ab.put("ceil_mode", 1);
            }
            if (countPad) {
                ab.put("count_include_pad", 1);
            }
        }
        if (x.int8 != null && !max) {
            throw new BadInputException("AveragePool of an int8 value (a QDQ graph averages between DequantizeLinear and QuantizeLinear)");
        }
        define(out, emit(max ? OpType.MAX_POOL : OpType.AVG_POOL, name, List.of(nhwc(x, "input X")), out + ":nhwc", ab.build()),
                true, n.getOpType()).int8 = x.int8;
    }

    private void softmax(NodeProto n, String name, String out, boolean plainSoftmax) {
        V x = act(in(n, 0), "input");
        String xs = plain(x);
        int rank = x.shape.length;
        int axis = (int) attrInt(n, "axis", opset >= 13 ? -1 : 1);
        int ax = axis < 0 ? axis + rank : axis;
        if (ax < 0 || ax >= rank) {
            throw new BadInputException("axis " + axis + " outside rank " + rank);
        }
        int[] ts = ternShapes.get(xs);
        String y;
        if (opset < 13 && ax < rank - 1) {
            // opsets before 13: softmax over the flattened axes from axis on
            int sa = sampleAxis(ax, rank, "axis");
            int[] flat = new int[sa + 1];
            int inner = 1;
            for (int d = 0; d < ts.length; d++) {
                if (d < sa) {
                    flat[d] = ts[d];
                } else {
                    inner *= ts[d];
                }
            }
            flat[sa] = inner;
            String r = emit(OpType.RESHAPE, name + "/flat", List.of(xs), out + "/flat", Attributes.builder().put("shape", flat).build());
            String sm = plainSoftmax ? emit(OpType.SOFTMAX, name, List.of(r), out + "/softmax", Attributes.EMPTY)
                    : emit(OpType.LOG_SOFTMAX, name, List.of(r), out + "/softmax", Attributes.builder().put("axis", -1).build());
            y = emit(OpType.RESHAPE, name + "/shape", List.of(sm), out, Attributes.builder().put("shape", ts).build());
        } else {
            int sa = sampleAxis(ax, rank, "axis");
            if (!plainSoftmax) {
                y = emit(OpType.LOG_SOFTMAX, name, List.of(xs), out, Attributes.builder().put("axis", sa).build());
            } else if (sa == ts.length - 1) {
                y = emit(OpType.SOFTMAX, name, List.of(xs), out, Attributes.EMPTY);
            } else {
                int[] perm = new int[ts.length];
                for (int d = 0; d < perm.length; d++) {
                    perm[d] = d;
                }
                perm[sa] = ts.length - 1;
                perm[ts.length - 1] = sa;
                String t = emit(OpType.TRANSPOSE, name + "/last", List.of(xs), out + "/last", Attributes.builder().put("perm", perm).build());
                String sm = emit(OpType.SOFTMAX, name, List.of(t), out + "/softmax", Attributes.EMPTY);
                y = emit(OpType.TRANSPOSE, name + "/back", List.of(sm), out, Attributes.builder().put("perm", perm).build());
            }
        }
        define(out, y, false, n.getOpType());
    }

    private void reduce(NodeProto n, String name, String out, String op) {
        V x = act(in(n, 0), "data");
        int rank = x.shape.length;
        int[] axes;
        if (op.equals("ReduceSum") && opset >= 13) {
            OnnxConst a = constIn(n, 1, "axes");
            axes = a == null || a.size() == 0 ? null : a.ints("axes");
            if (axes == null && attrInt(n, "noop_with_empty_axes", 0) != 0) {
                alias(out, in(n, 0));
                return;
            }
        } else {
            axes = attrInts(n, "axes", null);
        }
        boolean keep = attrInt(n, "keepdims", 1) != 0;
        boolean[] red = new boolean[rank];
        if (axes == null) {
            Arrays.fill(red, true);
        } else {
            for (int a : axes) {
                int d = a < 0 ? a + rank : a;
                if (d < 0 || d >= rank) {
                    throw new BadInputException("axis " + a + " outside rank " + rank);
                }
                red[d] = true;
            }
        }
        if (batched && red[0]) {
            throw new NotBatch("reduction over the batch axis");
        }
        if (x.nhwc != null && rank == 4 && red[2] && red[3] && !red[1] && (op.equals("ReduceMean") || op.equals("ReduceMax"))) {
            String p = emit(op.equals("ReduceMean") ? OpType.GLOBAL_AVG_POOL : OpType.GLOBAL_MAX_POOL, name, List.of(x.nhwc),
                    out + (keep ? ":pooled" : ""), Attributes.EMPTY);
            if (keep) {
                define(out, emit(OpType.RESHAPE, name + "/shape", List.of(p), out + ":nhwc", Attributes.builder()
                        .put("shape", new int[] {1, 1, ternShapes.get(p)[0]}).build()), true, op);
            } else {
                define(out, p, false, op);
            }
            return;
        }
        String xs = plain(x);
        List<Integer> sampleAxes = new ArrayList<>();
        for (int d = 0; d < rank; d++) {
            if (red[d]) {
                sampleAxes.add(batched ? d - 1 : d);
            }
        }
        int[] sa = sampleAxes.stream().mapToInt(Integer::intValue).toArray();
        OpType t = op.equals("ReduceMean") ? OpType.REDUCE_MEAN : op.equals("ReduceMax") ? OpType.REDUCE_MAX
                : op.equals("ReduceMin") ? OpType.REDUCE_MIN : OpType.REDUCE_SUM;
        int[] ts = ternShapes.get(xs);
        boolean all = sa.length == ts.length;
        if (all && !keep) {
            if (!batched) {
                throw new BadInputException("a reduction to a scalar is not supported (a value needs at least one axis)");
            }
            throw new NotBatch("reduction to the batch axis only");
        }
        define(out, emit(t, name, List.of(xs), out, Attributes.builder().put("axes", sa).put("keepdims", keep ? 1 : 0).build()),
                false, op);
    }

    private void flatten(NodeProto n, String name, String out) {
        V x = act(in(n, 0), "input");
        int rank = x.shape.length;
        int axis = (int) attrInt(n, "axis", 1);
        int ax = axis < 0 ? axis + rank : axis;
        if (ax < 0 || ax > rank) {
            throw new BadInputException("axis " + axis + " outside [" + -rank + ", " + rank + "]");
        }
        long outer = 1;
        long inner = 1;
        for (int d = 0; d < rank; d++) {
            if (d < ax) {
                outer *= x.shape[d];
            } else {
                inner *= x.shape[d];
            }
        }
        reshapeTo(name, out, x, new int[] {(int) outer, (int) inner}, "Flatten");
    }

    private void reshapeTo(String name, String out, V x, int[] target, String op) {
        if (batched && (target.length == 0 || target[0] != 1)) {
            throw new NotBatch("reshape across the batch axis");
        }
        int[] sample = sampleOf(target);
        if (sample.length == 0) {
            throw new NotBatch("reshape to the batch axis only");
        }
        define(out, emit(OpType.RESHAPE, name, List.of(plain(x)), out, Attributes.builder().put("shape", sample).build()), false, op)
                .int8 = x.int8;
    }

    private void transpose(NodeProto n, String name, String out) {
        V x = act(in(n, 0), "data");
        int rank = x.shape.length;
        int[] perm = attrInts(n, "perm", null);
        if (perm == null) {
            perm = new int[rank];
            for (int d = 0; d < rank; d++) {
                perm[d] = rank - 1 - d;
            }
        }
        if (perm.length != rank) {
            throw new BadInputException("perm " + Arrays.toString(perm) + " does not fit rank " + rank);
        }
        if (batched && perm[0] != 0) {
            throw new NotBatch("transpose of the batch axis");
        }
        if (x.nhwc != null && Arrays.equals(perm, new int[] {0, 2, 3, 1})) {
            define(out, emit(OpType.RESHAPE, name, List.of(x.nhwc), out, Attributes.builder()
                    .put("shape", sampleOf(new int[] {1, x.shape[2], x.shape[3], x.shape[1]})).build()), false, "Transpose")
                    .int8 = x.int8;
            return;
        }
        if (batched && x.plain != null && x.nhwc == null && rank == 4 && x.shape[0] == 1 && Arrays.equals(perm, new int[] {0, 3, 1, 2})) {
            // NHWC data made NCHW: the NHWC image Tern computes on is the value itself
            define(out, emit(OpType.RESHAPE, name, List.of(x.plain), out + ":nhwc", Attributes.builder()
                    .put("shape", new int[] {x.shape[1], x.shape[2], x.shape[3]}).build()), true, "Transpose").int8 = x.int8;
            return;
        }
        if (x.int8 != null) {
            throw new BadInputException("a transpose of an int8 value (Tern transposes float32 only)");
        }
        int[] sp = batched ? new int[rank - 1] : perm.clone();
        if (batched) {
            for (int d = 1; d < rank; d++) {
                sp[d - 1] = perm[d] - 1;
            }
        }
        define(out, emit(OpType.TRANSPOSE, name, List.of(plain(x)), out, Attributes.builder().put("perm", sp).build()), false, "Transpose");
    }

    private void concat(NodeProto n, String name, String out) {
        List<V> xs = new ArrayList<>();
        for (int i = 0; i < n.getInputCount(); i++) {
            if (consts.containsKey(in(n, i))) {
                throw new BadInputException("a constant input ('" + in(n, i) + "') of a concat of computed values is not supported");
            }
            xs.add(act(in(n, i), "input " + i));
        }
        int rank = xs.get(0).shape.length;
        int axis = (int) attrInt(n, "axis", opset < 11 ? 1 : Integer.MIN_VALUE);
        if (axis == Integer.MIN_VALUE) {
            throw new BadInputException("attribute axis is missing");
        }
        int ax = axis < 0 ? axis + rank : axis;
        boolean img = rank == 4;
        boolean anyNhwc = false;
        for (V v : xs) {
            img &= isImage(v);
            anyNhwc |= v.nhwc != null;
        }
        if (img && anyNhwc && ax >= 1) {
            int ta = ax == 1 ? 2 : ax - 2;
            List<String> ins = new ArrayList<>();
            for (V v : xs) {
                ins.add(nhwc(v, "input"));
            }
            define(out, emit(OpType.CONCAT, name, ins, out + ":nhwc", Attributes.builder().put("axis", ta).build()), true, "Concat");
            return;
        }
        int sa = sampleAxis(axis, rank, "axis");
        List<String> ins = new ArrayList<>();
        for (V v : xs) {
            ins.add(plain(v));
        }
        define(out, emit(OpType.CONCAT, name, ins, out, Attributes.builder().put("axis", sa).build()), false, "Concat");
    }

    private void split(NodeProto n, String name) {
        V x = act(in(n, 0), "input");
        int rank = x.shape.length;
        int axis = (int) attrInt(n, "axis", 0);
        int ax = axis < 0 ? axis + rank : axis;
        if (ax < 0 || ax >= rank) {
            throw new BadInputException("axis " + axis + " outside rank " + rank);
        }
        int[] sizes = opset >= 13 && n.getInputCount() > 1 && !in(n, 1).isEmpty() ? constIn(n, 1, "split").ints("split")
                : attrInts(n, "split", null);
        int parts = n.getOutputCount();
        if (sizes == null) {
            if (x.shape[ax] % parts != 0) {
                throw new BadInputException("axis " + ax + " of size " + x.shape[ax] + " does not split into " + parts + " equal parts");
            }
            sizes = new int[parts];
            Arrays.fill(sizes, x.shape[ax] / parts);
        }
        if (sizes.length != parts || Arrays.stream(sizes).sum() != x.shape[ax]) {
            throw new BadInputException("split " + Arrays.toString(sizes) + " does not cover axis " + ax + " of size " + x.shape[ax]
                    + " in " + parts + " parts");
        }
        int start = 0;
        for (int i = 0; i < parts; i++) {
            int[] st = new int[rank];
            int[] en = x.shape.clone();
            st[ax] = start;
            en[ax] = start + sizes[i];
            start += sizes[i];
            sliceTo(name + "/" + i, n.getOutput(i), x, st, en, ones(rank), "Split");
        }
    }

    private static int[] ones(int n) {
        int[] r = new int[n];
        Arrays.fill(r, 1);
        return r;
    }

    /** A slice in ONNX coordinates (normalized per axis); NHWC values stay NHWC. */
    private void sliceTo(String name, String out, V x, int[] st, int[] en, int[] steps, String op) {
        int rank = x.shape.length;
        if (batched && (st[0] != 0 || en[0] != x.shape[0] || steps[0] != 1)) {
            throw new NotBatch("slice of the batch axis");
        }
        if (x.nhwc != null && rank == 4) {
            int[] order = {2, 3, 1};
            int[] s = new int[3];
            int[] e = new int[3];
            int[] p = new int[3];
            for (int i = 0; i < 3; i++) {
                s[i] = st[order[i]];
                e[i] = en[order[i]];
                p[i] = steps[order[i]];
            }
            define(out, emit(OpType.SLICE, name, List.of(x.nhwc), out + ":nhwc", Attributes.builder().put("starts", s).put("ends", e)
                    .put("steps", p).build()), true, op);
            return;
        }
        int off = batched ? 1 : 0;
        define(out, emit(OpType.SLICE, name, List.of(plain(x)), out, Attributes.builder()
                .put("starts", Arrays.copyOfRange(st, off, rank)).put("ends", Arrays.copyOfRange(en, off, rank))
                .put("steps", Arrays.copyOfRange(steps, off, rank)).build()), false, op);
    }

    private void slice(NodeProto n, String name, String out) {
        V x = act(in(n, 0), "data");
        int rank = x.shape.length;
        long[] starts;
        long[] ends;
        long[] axes;
        long[] steps;
        if (opset < 10) {
            starts = toLongs(attrInts(n, "starts", null));
            ends = toLongs(attrInts(n, "ends", null));
            axes = toLongs(attrInts(n, "axes", null));
            steps = null;
        } else {
            starts = constIn(n, 1, "starts").longs();
            ends = constIn(n, 2, "ends").longs();
            OnnxConst a = constIn(n, 3, "axes");
            OnnxConst s = constIn(n, 4, "steps");
            axes = a == null ? null : a.longs();
            steps = s == null ? null : s.longs();
        }
        int[][] r = OnnxFold.sliceBounds(x.shape, starts, ends, axes, steps);
        sliceTo(name, out, x, r[0], r[1], r[2], "Slice");
    }

    private static long[] toLongs(int[] a) {
        if (a == null) {
            return null;
        }
        long[] l = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            l[i] = a[i];
        }
        return l;
    }

    private void pad(NodeProto n, String name, String out) {
        V x = act(in(n, 0), "data");
        int rank = x.shape.length;
        String mode = attrString(n, "mode", "constant");
        int[] pads;
        float value;
        if (opset < 11) {
            pads = attrInts(n, opset < 2 ? "paddings" : "pads", null);
            value = attrFloat(n, "value", 0f);
        } else {
            pads = constIn(n, 1, "pads").ints("pads");
            OnnxConst v = constIn(n, 2, "constant_value");
            value = v == null ? 0f : (float) v.v[0];
            if (n.getInputCount() > 3 && !in(n, 3).isEmpty()) {
                throw new BadInputException("the axes input of Pad (opset 18) is not supported");
            }
        }
        if (pads == null || pads.length != 2 * rank) {
            throw new BadInputException("pads must hold " + 2 * rank + " values, got " + (pads == null ? "nothing" : Arrays.toString(pads)));
        }
        for (int p : pads) {
            if (p < 0) {
                throw new BadInputException("negative pads " + Arrays.toString(pads) + " (cropping) are not supported");
            }
        }
        if (batched && (pads[0] != 0 || pads[rank] != 0)) {
            throw new NotBatch("pad of the batch axis");
        }
        Attributes.Builder ab = Attributes.builder().put("mode", mode).put("value", value);
        if (x.nhwc != null && rank == 4) {
            int[] order = {2, 3, 1};
            int[] p = new int[6];
            for (int i = 0; i < 3; i++) {
                p[i] = pads[order[i]];
                p[i + 3] = pads[order[i] + 4];
            }
            define(out, emit(OpType.PAD, name, List.of(x.nhwc), out + ":nhwc", ab.put("pads", p).build()), true, "Pad");
            return;
        }
        int off = batched ? 1 : 0;
        int r = rank - off;
        int[] p = new int[2 * r];
        for (int i = 0; i < r; i++) {
            p[i] = pads[i + off];
            p[i + r] = pads[rank + i + off];
        }
        define(out, emit(OpType.PAD, name, List.of(plain(x)), out, ab.put("pads", p).build()), false, "Pad");
    }

    private void gemm(NodeProto n, String name, String out) {
        if (int8Unit(n, name, out)) {
            return;
        }
        V a = act(in(n, 0), "A");
        float alpha = attrFloat(n, "alpha", 1f);
        float beta = attrFloat(n, "beta", 1f);
        boolean ta = attrInt(n, "transA", 0) != 0;
        boolean tb = attrInt(n, "transB", 0) != 0;
        OnnxConst bc = consts.get(in(n, 1));
        OnnxConst cc = constIn(n, 2, "C");
        if (a.shape.length != 2) {
            throw new BadInputException("A must be a matrix, got " + Arrays.toString(a.shape));
        }
        if (bc == null) {
            throw new BadInputException("B must be a constant (the weights)");
        }
        int k = ta ? a.shape[0] : a.shape[1];
        int m = ta ? a.shape[1] : a.shape[0];
        int nn = tb ? bc.shape[0] : bc.shape[1];
        if ((tb ? bc.shape[1] : bc.shape[0]) != k) {
            throw new BadInputException("B " + Arrays.toString(bc.shape) + (tb ? " (transposed)" : "") + " does not fit A "
                    + Arrays.toString(a.shape) + (ta ? " (transposed)" : ""));
        }
        float[] bf = bc.floats();
        float[] w = new float[nn * k]; // [out, in]
        for (int o = 0; o < nn; o++) {
            for (int i = 0; i < k; i++) {
                w[o * k + i] = alpha * (tb ? bf[o * k + i] : bf[i * nn + o]);
            }
        }
        float[] bias = null;
        boolean perRowBias = false;
        if (cc != null) {
            int[] cs = cc.shape;
            float[] cf = cc.floats();
            if (OnnxConst.count(cs) == nn && (cs.length <= 1 || cs[cs.length - 1] == nn)) {
                bias = new float[nn];
                for (int o = 0; o < nn; o++) {
                    bias[o] = beta * cf[o];
                }
            } else if (OnnxConst.count(cs) == 1) {
                bias = new float[nn];
                Arrays.fill(bias, beta * cf[0]);
            } else {
                perRowBias = true;
            }
        }
        if (batched && !ta && !perRowBias) {
            String wt = constant(out + "/weights", new int[] {nn, k}, w);
            List<String> ins = new ArrayList<>(List.of(plain(a), wt));
            if (bias != null) {
                ins.add(constant(out + "/bias", new int[] {nn}, bias));
            }
            define(out, emit(OpType.DENSE, name, ins, out, Attributes.EMPTY), false, "Gemm");
            return;
        }
        if (batched) {
            throw new NotBatch("gemm across the batch");
        }
        // the whole matrix is one sample: A' (transposed when asked) x W^T, then the bias broadcast
        String xa = plain(a);
        if (ta) {
            xa = emit(OpType.TRANSPOSE, name + "/transA", List.of(xa), out + "/at", Attributes.builder().put("perm", new int[] {1, 0}).build());
        }
        float[] wt = new float[k * nn]; // [k, n]
        for (int o = 0; o < nn; o++) {
            for (int i = 0; i < k; i++) {
                wt[i * nn + o] = w[o * k + i];
            }
        }
        String y = emit(OpType.MATMUL, name, List.of(xa, constant(out + "/weights", new int[] {k, nn}, wt)),
                cc == null ? out : out + "/product", Attributes.EMPTY);
        if (cc != null) {
            float[] cf = cc.floats();
            for (int i = 0; i < cf.length; i++) {
                cf[i] *= beta;
            }
            String ct = constant(out + "/c", cc.shape.length == 0 ? new int[] {1} : cc.shape, cf);
            y = emit(OpType.ADD, name + "/bias", List.of(y, ct), out, Attributes.EMPTY);
        }
        if (m < 1) {
            throw new BadInputException("empty A");
        }
        define(out, y, false, "Gemm");
    }

    private void matmul(NodeProto n, String name, String out) {
        V a = act(in(n, 0), "A");
        OnnxConst bc = consts.get(in(n, 1));
        if (a.shape.length < 2 || (bc != null ? bc.shape.length : act(in(n, 1), "B").shape.length) < 2) {
            throw new BadInputException("1-D operands of MatMul are not supported");
        }
        if (bc != null && batched && a.shape.length == 2 && bc.shape.length == 2) {
            int k = bc.shape[0];
            int nn = bc.shape[1];
            float[] bf = bc.floats();
            float[] w = new float[nn * k];
            for (int o = 0; o < nn; o++) {
                for (int i = 0; i < k; i++) {
                    w[o * k + i] = bf[i * nn + o];
                }
            }
            define(out, emit(OpType.DENSE, name, List.of(plain(a), constant(out + "/weights", new int[] {nn, k}, w)), out,
                    Attributes.EMPTY), false, "MatMul");
            return;
        }
        String tb;
        if (bc != null) {
            int[] s = bc.shape;
            if (batched && s.length >= a.shape.length) {
                if (s.length > a.shape.length || s[0] != 1) {
                    throw new NotBatch("weights along the batch axis");
                }
                s = Arrays.copyOfRange(s, 1, s.length);
            }
            tb = constant(out + "/b", s, bc.floats());
        } else {
            V b = act(in(n, 1), "B");
            if (batched && b.shape.length != a.shape.length) {
                throw new NotBatch("operands of different ranks");
            }
            tb = plain(b);
        }
        if (batched && a.shape.length == 2) {
            throw new NotBatch("matrix product across the batch");
        }
        define(out, emit(OpType.MATMUL, name, List.of(plain(a), tb), out, Attributes.EMPTY), false, "MatMul");
    }

    private void resize(NodeProto n, String name, String out, String op) {
        V x = act(in(n, 0), "X");
        if (x.shape.length != 4) {
            throw new BadInputException("Tern resizes images [N, C, H, W], got " + Arrays.toString(x.shape));
        }
        String mode = attrString(n, "mode", "nearest");
        String coord;
        String nearest = attrString(n, "nearest_mode", "round_prefer_floor");
        float[] scales = null;
        int[] sizes = null;
        if (op.equals("Upsample")) {
            coord = "asymmetric";
            nearest = "floor";
            OnnxConst s = opset >= 9 ? constIn(n, 1, "scales") : null;
            AttributeProto sa = attr(n, "scales");
            if (s != null) {
                scales = s.floats();
            } else if (sa != null) {
                scales = new float[sa.getFloatsCount()];
                for (int i = 0; i < scales.length; i++) {
                    scales[i] = sa.getFloats(i);
                }
            }
            if (mode.equals("bilinear")) {
                mode = "linear";
            }
        } else {
            coord = attrString(n, "coordinate_transformation_mode", opset < 11 ? "asymmetric" : "half_pixel");
            if (opset < 11) {
                nearest = "floor";
                OnnxConst s = constIn(n, 1, "scales");
                scales = s == null ? null : s.floats();
            } else {
                OnnxConst s = n.getInputCount() > 2 ? constIn(n, 2, "scales") : null;
                OnnxConst z = n.getInputCount() > 3 ? constIn(n, 3, "sizes") : null;
                scales = s == null || s.size() == 0 ? null : s.floats();
                sizes = z == null || z.size() == 0 ? null : z.ints("sizes");
            }
            if (attr(n, "axes") != null) {
                throw new BadInputException("the axes attribute (opset 18) is not supported");
            }
            if (!attrString(n, "keep_aspect_ratio_policy", "stretch").equals("stretch")) {
                throw new BadInputException("keep_aspect_ratio_policy other than stretch is not supported");
            }
        }
        if (!mode.equals("nearest") && !mode.equals("linear")) {
            throw new BadInputException("mode '" + mode + "' is not supported (nearest and linear are)");
        }
        if (coord.equals("tf_crop_and_resize") || coord.equals("tf_half_pixel_for_nn")) {
            throw new BadInputException("coordinate_transformation_mode '" + coord + "' is not supported");
        }
        int[] size;
        float[] sc = null;
        if (sizes != null) {
            if (sizes.length != 4 || sizes[0] != x.shape[0] || sizes[1] != x.shape[1]) {
                throw new BadInputException("sizes " + Arrays.toString(sizes) + " must keep N and C of " + Arrays.toString(x.shape));
            }
            size = new int[] {sizes[2], sizes[3]};
        } else if (scales != null) {
            if (scales.length != 4 || scales[0] != 1f || scales[1] != 1f) {
                throw new BadInputException("scales " + Arrays.toString(scales) + " must be 1 on N and C");
            }
            size = new int[] {(int) Math.floor(x.shape[2] * scales[2]), (int) Math.floor(x.shape[3] * scales[3])};
            sc = new float[] {scales[2], scales[3]};
        } else {
            throw new BadInputException("neither scales nor sizes given");
        }
        Attributes.Builder ab = Attributes.builder().put("size", size).put("mode", mode).put("coordinate", coord).put("nearest", nearest);
        if (sc != null) {
            ab.put("scales", sc);
        }
        define(out, emit(OpType.RESIZE, name, List.of(nhwc(x, "X")), out + ":nhwc", ab.build()), true, op);
    }

    private void gather(NodeProto n, String name, String out) {
        V x = act(in(n, 0), "data");
        OnnxConst idx = constIn(n, 1, "indices");
        int rank = x.shape.length;
        int axis = (int) attrInt(n, "axis", 0);
        int ax = axis < 0 ? axis + rank : axis;
        if (ax < 0 || ax >= rank) {
            throw new BadInputException("axis " + axis + " outside rank " + rank);
        }
        int[] ix = idx.ints("indices");
        if (idx.shape.length > 1 || ix.length == 0) {
            throw new BadInputException("gather of a computed value takes a scalar or a 1-D list of indices, got "
                    + Arrays.toString(idx.shape));
        }
        for (int i = 0; i < ix.length; i++) {
            ix[i] = ix[i] < 0 ? ix[i] + x.shape[ax] : ix[i];
            if (ix[i] < 0 || ix[i] >= x.shape[ax]) {
                throw new BadInputException("index " + idx.v[i] + " outside axis " + ax + " of size " + x.shape[ax]);
            }
        }
        int step = ix.length > 1 ? ix[1] - ix[0] : 1;
        for (int i = 1; i < ix.length; i++) {
            if (ix[i] - ix[i - 1] != step || step == 0) {
                throw new BadInputException("gather of a computed value takes evenly spaced indices, got " + Arrays.toString(ix));
            }
        }
        int[] st = new int[rank];
        int[] en = x.shape.clone();
        int[] sp = ones(rank);
        st[ax] = ix[0];
        en[ax] = step > 0 ? ix[ix.length - 1] + 1 : ix[ix.length - 1] - 1;
        sp[ax] = step;
        if (idx.shape.length == 1) {
            sliceTo(name, out, x, st, en, sp, "Gather");
            return;
        }
        String tmp = fresh(out + "/row");
        sliceTo(name, tmp, x, st, en, sp, "Gather");
        int[] target = new int[rank - 1];
        for (int d = 0, j = 0; d < rank; d++) {
            if (d != ax) {
                target[j++] = x.shape[d];
            }
        }
        reshapeTo(name + "/squeeze", out, acts.get(tmp), target, "Gather");
    }

    // ------------------------------------------------------------------------------------------
    // QDQ: QuantizeLinear / DequantizeLinear of activations, and int8 units

    private dev.tern.runtime.model.ValueType quantType(NodeProto q) {
        OnnxConst sc = constIn(q, 1, "the scale");
        OnnxConst zp = constIn(q, 2, "the zero point");
        if (sc.size() != 1 || zp != null && zp.size() != 1) {
            throw new BadInputException("per-axis quantization of an activation is not supported (Tern's activations have one scale)");
        }
        if (zp != null && zp.dtype != OnnxConst.INT8 && zp.dtype != OnnxConst.UINT8) {
            throw new BadInputException("zero point of type " + OnnxConst.typeName(zp.dtype) + "; Tern maps int8 and uint8");
        }
        int z = zp == null ? 0 : (int) zp.v[0];
        boolean u8 = zp == null || zp.dtype == OnnxConst.UINT8;
        return dev.tern.runtime.model.ValueType.int8((float) sc.v[0], u8 ? z - 128 : z);
    }

    /** QuantizeLinear of a float32 value: Tern's quantize (uint8 becomes int8 with the zero point 128 lower: the same values). */
    private void quantizeLinear(NodeProto n, String name, String out) {
        V x = act(in(n, 0), "x");
        if (x.int8 != null) {
            throw new BadInputException("QuantizeLinear of a value that is already int8");
        }
        dev.tern.runtime.model.ValueType t = quantType(n);
        boolean img = x.nhwc != null;
        String y = emit(OpType.QUANTIZE, name, List.of(img ? x.nhwc : x.plain), out + (img ? ":nhwc" : ""), Attributes.builder()
                .put("scale", t.scale()).put("zero_point", t.zeroPoint()).build());
        define(out, y, img, "QuantizeLinear").int8 = t;
        notes.add("QuantizeLinear '" + n.getName() + "' rounds ties away from zero in Tern (ONNX: to even)");
    }

    /** DequantizeLinear of an int8 value with its own scale and zero point: Tern's dequantize (a QDQ unit reads the int8 value instead). */
    private void dequantizeLinear(NodeProto n, String name, String out) {
        V x = act(in(n, 0), "x");
        if (x.int8 == null) {
            throw new BadInputException("DequantizeLinear of a float32 value");
        }
        dev.tern.runtime.model.ValueType t = quantType(n);
        if (t.scale() != x.int8.scale() || t.zeroPoint() != x.int8.zeroPoint()) {
            throw new BadInputException("DequantizeLinear with scale " + t.scale() + " and zero point " + t.zeroPoint()
                    + " of a value quantized with " + x.int8.scale() + " and " + x.int8.zeroPoint());
        }
        boolean img = x.nhwc != null;
        String y = emit(OpType.DEQUANTIZE, name, List.of(img ? x.nhwc : x.plain), out + (img ? ":nhwc" : ""), Attributes.EMPTY);
        define(out, y, img, "DequantizeLinear").dequantized = x;
    }

    private NodeProto onlyReader(String value) {
        List<NodeProto> r = readers.get(value);
        return r != null && r.size() == 1 && !graphOutputs.contains(value) ? r.get(0) : null;
    }

    /**
     * An int8 op of Tern from a QDQ unit: Conv, Gemm or Add whose activation inputs are
     * DequantizeLinear outputs, whose weights are DequantizeLinear of int8 constants (symmetric),
     * and whose only reader is a QuantizeLinear, with a Relu or a Clip to [0, 6] between. False
     * when {@code n} is not such a unit (it is then imported in float32).
     */
    private boolean int8Unit(NodeProto n, String name, String out) {
        NodeProto next = onlyReader(out);
        NodeProto actNode = null;
        String act = "none";
        if (next != null && next.getOpType().equals("Relu")) {
            actNode = next;
            act = "relu";
        } else if (next != null && next.getOpType().equals("Clip") && opset >= 11) {
            OnnxConst lo = consts.get(in(next, 1));
            OnnxConst hi = consts.get(in(next, 2));
            if (lo != null && lo.v[0] == 0 && (hi == null || hi.v[0] == 6)) {
                actNode = next;
                act = hi == null ? "relu" : "relu6";
            }
        }
        NodeProto q = actNode == null ? next : onlyReader(actNode.getOutput(0));
        if (q == null || !q.getOpType().equals("QuantizeLinear")) {
            return false;
        }
        String qOut = q.getOutput(0);
        dev.tern.runtime.model.ValueType outT = quantType(q);
        Attributes.Builder ab = Attributes.builder().put("scale", outT.scale()).put("zero_point", outT.zeroPoint());
        V y;
        switch (n.getOpType()) {
            case "Conv": {
                V x = acts.get(in(n, 0));
                QuantizedConst w = quantized.get(in(n, 1));
                QuantizedConst b = in(n, 2).isEmpty() ? null : quantized.get(in(n, 2));
                if (x == null || x.dequantized == null || w == null || w.q.dtype != OnnxConst.INT8 || !w.symmetric()
                        || w.scale.size() > 1 && w.axis != 0 || w.q.shape.length != 4
                        || !in(n, 2).isEmpty() && (b == null || b.q.dtype != OnnxConst.INT32)) {
                    return false;
                }
                V xi = x.dequantized;
                int group = (int) attrInt(n, "group", 1);
                int m = w.q.shape[0];
                int cg = w.q.shape[1];
                int kh = w.q.shape[2];
                int kw = w.q.shape[3];
                int c = xi.shape[1];
                boolean depthwise = group == c && cg == 1 && group > 1;
                if (group != 1 && !depthwise || cg * group != c) {
                    return false;
                }
                int[] st = attrInts(n, "strides", new int[] {1, 1});
                int[] dil = attrInts(n, "dilations", new int[] {1, 1});
                int[] pads = pads2d(n, xi.shape[2], xi.shape[3], kh, kw, st[0], st[1], dil[0], dil[1]);
                boolean dilated = dil[0] != 1 || dil[1] != 1;
                window(ab, pads, xi.shape[2], xi.shape[3], kh, kw, st[0], st[1], dilated, false, false);
                if (dilated) {
                    ab.put("dilations", dil);
                }
                ab.put("activation", act);
                float[] ws = w.scale.floats();
                byte[] t = new byte[w.q.size()];
                int[] shape;
                if (!depthwise) {
                    for (int o = 0; o < m; o++) {
                        for (int i = 0; i < c; i++) {
                            for (int yy = 0; yy < kh; yy++) {
                                for (int z = 0; z < kw; z++) {
                                    t[((o * kh + yy) * kw + z) * c + i] = (byte) w.q.v[((o * c + i) * kh + yy) * kw + z];
                                }
                            }
                        }
                    }
                    shape = new int[] {m, kh, kw, c};
                } else {
                    for (int o = 0; o < m; o++) {
                        for (int yy = 0; yy < kh; yy++) {
                            for (int z = 0; z < kw; z++) {
                                t[(yy * kw + z) * m + o] = (byte) w.q.v[(o * kh + yy) * kw + z];
                            }
                        }
                    }
                    shape = new int[] {kh, kw, m};
                    ab.put("multiplier", m / c);
                }
                List<String> ins = new ArrayList<>(List.of(nhwc(xi, "input X"), int8Weights(out + "/filter", shape, t, ws,
                        depthwise ? 2 : 0)));
                if (b != null) {
                    ins.add(int32Bias(out + "/bias", b, xi.int8.scale(), ws, m));
                }
                y = define(qOut, emit(depthwise ? OpType.DEPTHWISE_CONV2D : OpType.CONV2D, name, ins, qOut + ":nhwc", ab.build()),
                        true, "Conv");
                break;
            }
            case "Gemm": {
                V a = acts.get(in(n, 0));
                QuantizedConst w = quantized.get(in(n, 1));
                QuantizedConst b = in(n, 2).isEmpty() ? null : quantized.get(in(n, 2));
                boolean tb = attrInt(n, "transB", 0) != 0;
                if (a == null || a.dequantized == null || w == null || w.q.dtype != OnnxConst.INT8 || !w.symmetric()
                        || w.q.shape.length != 2 || attrInt(n, "transA", 0) != 0 || attrFloat(n, "alpha", 1f) != 1f
                        || attrFloat(n, "beta", 1f) != 1f || w.scale.size() > 1 && w.axis != (tb ? 0 : 1)
                        || !in(n, 2).isEmpty() && (b == null || b.q.dtype != OnnxConst.INT32) || !batched || a.shape.length != 2) {
                    return false;
                }
                V ai = a.dequantized;
                int k = tb ? w.q.shape[1] : w.q.shape[0];
                int nn = tb ? w.q.shape[0] : w.q.shape[1];
                byte[] t = new byte[nn * k];
                for (int o = 0; o < nn; o++) {
                    for (int i = 0; i < k; i++) {
                        t[o * k + i] = (byte) w.q.v[tb ? o * k + i : i * nn + o];
                    }
                }
                float[] ws = w.scale.floats();
                List<String> ins = new ArrayList<>(List.of(plain(ai), int8Weights(out + "/weights", new int[] {nn, k}, t, ws, 0)));
                if (b != null) {
                    ins.add(int32Bias(out + "/bias", b, ai.int8.scale(), ws, nn));
                }
                y = define(qOut, emit(OpType.DENSE, name, ins, qOut, ab.put("activation", act).build()), false, "Gemm");
                break;
            }
            default: {
                V a = acts.get(in(n, 0));
                V b = acts.get(in(n, 1));
                if (a == null || b == null || a.dequantized == null || b.dequantized == null
                        || !Arrays.equals(a.shape, b.shape)) {
                    return false;
                }
                V ai = a.dequantized;
                V bi = b.dequantized;
                boolean img = ai.nhwc != null && bi.nhwc != null;
                if (!img && (ai.plain == null || bi.plain == null)) {
                    return false;
                }
                y = define(qOut, emit(OpType.ADD, name, List.of(img ? ai.nhwc : ai.plain, img ? bi.nhwc : bi.plain),
                        qOut + (img ? ":nhwc" : ""), ab.put("activation", act).build()), img, "Add");
                break;
            }
        }
        y.int8 = outT;
        if (actNode != null) {
            skip.add(actNode);
        }
        skip.add(q);
        return true;
    }

    private String int8Weights(String base, int[] shape, byte[] q, float[] scales, int axis) {
        String name = fresh(base);
        dev.tern.runtime.model.QuantParams qp = scales.length == 1
                ? new dev.tern.runtime.model.QuantParams(scales, new int[1], -1)
                : new dev.tern.runtime.model.QuantParams(scales, new int[scales.length], axis);
        tensors.put(name, Tensor.ofInt8(name, shape, q, qp));
        return name;
    }

    /** An int32 bias at scale input scale x weight scale (as Tern's quantizer writes it). */
    private String int32Bias(String base, QuantizedConst b, float inScale, float[] ws, int channels) {
        if (b.q.size() != channels) {
            throw new BadInputException("bias holds " + b.q.size() + " values for " + channels + " channels");
        }
        String name = fresh(base);
        int[] v = new int[channels];
        float[] bs = new float[channels];
        for (int c = 0; c < channels; c++) {
            v[c] = (int) b.q.v[c];
            bs[c] = (float) ((double) inScale * ws[ws.length == 1 ? 0 : c]);
        }
        tensors.put(name, Tensor.ofInt32(name, new int[] {channels}, v, new dev.tern.runtime.model.QuantParams(bs, new int[channels], 0)));
        return name;
    }

    /** Drops nodes whose value nothing reads (dequantizes that int8 units made unused), and constants no node reads. */
    private void removeUnused(List<String> graphOuts) {
        boolean changed = true;
        while (changed) {
            changed = false;
            Set<String> read = new HashSet<>(graphOuts);
            for (Node n : nodes) {
                read.addAll(n.inputs());
            }
            for (int i = nodes.size() - 1; i >= 0; i--) {
                if (!read.contains(nodes.get(i).output())) {
                    nodes.remove(i);
                    changed = true;
                }
            }
        }
        Set<String> read = new HashSet<>();
        for (Node n : nodes) {
            read.addAll(n.inputs());
        }
        tensors.keySet().removeIf(t -> !read.contains(t));
    }

    /** Relu and Relu6 fused into the convolution, dense or add before them, where that value has no other reader. */
    private void fuseActivations(List<String> graphOuts) {
        Map<String, Integer> readers = new HashMap<>();
        for (Node n : nodes) {
            for (String i : n.inputs()) {
                readers.merge(i, 1, Integer::sum);
            }
        }
        Set<String> outs = new HashSet<>(graphOuts);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            index.put(nodes.get(i).output(), i);
        }
        Set<Integer> removed = new HashSet<>();
        Map<String, String> rename = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (n.op() != OpType.RELU && n.op() != OpType.RELU6) {
                continue;
            }
            Integer p = index.get(n.input(0));
            if (p == null || removed.contains(p)) {
                continue;
            }
            Node prod = nodes.get(p);
            boolean fusable = prod.op() == OpType.CONV2D || prod.op() == OpType.DEPTHWISE_CONV2D || prod.op() == OpType.DENSE
                    || prod.op() == OpType.ADD && Arrays.equals(ternShapes.get(prod.input(0)), ternShapes.get(prod.input(1)))
                    && !tensors.containsKey(prod.input(0)) && !tensors.containsKey(prod.input(1));
            if (!fusable || !prod.attributes().getString("activation", "none").equals("none")
                    || readers.getOrDefault(prod.output(), 0) != 1 || outs.contains(prod.output())) {
                continue;
            }
            Attributes a = Attributes.builder().putAll(prod.attributes())
                    .put("activation", n.op() == OpType.RELU ? "relu" : "relu6").build();
            nodes.set(p, new Node(prod.name(), prod.op(), prod.inputs(), n.output(), a));
            index.put(n.output(), p);
            removed.add(i);
            rename.put(prod.output(), n.output());
        }
        List<Node> kept = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (!removed.contains(i)) {
                kept.add(nodes.get(i));
            }
        }
        nodes.clear();
        nodes.addAll(kept);
    }
}
