package dev.tern.compress.onnx;

import com.google.protobuf.ByteString;
import dev.tern.compress.onnx.proto.Onnx.AttributeProto;
import dev.tern.compress.onnx.proto.Onnx.GraphProto;
import dev.tern.compress.onnx.proto.Onnx.NodeProto;
import dev.tern.compress.onnx.proto.Onnx.TensorProto;
import dev.tern.compress.onnx.proto.Onnx.TensorShapeProto;
import dev.tern.compress.onnx.proto.Onnx.TypeProto;
import dev.tern.compress.onnx.proto.Onnx.ValueInfoProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX graph under construction: unique value and node names, nodes, initializers
 * (little-endian raw data) and shared constants (quantization parameters, clip bounds).
 */
final class OnnxGraph {
    /** ONNX TensorProto.DataType codes. */
    static final int FLOAT = 1;
    static final int UINT8 = 2;
    static final int INT8 = 3;
    static final int INT32 = 6;
    static final int INT64 = 7;

    private final GraphProto.Builder g = GraphProto.newBuilder();
    /** Value names in use (inputs, node outputs, initializers) and names kept for graph outputs. */
    private final Set<String> values = new HashSet<>();
    private final Set<String> reserved = new HashSet<>();
    private final Set<String> nodeNames = new HashSet<>();
    private final Map<String, String> constants = new HashMap<>();
    private int quantParamCount;

    OnnxGraph(String name) {
        g.setName(name);
    }

    GraphProto.Builder proto() {
        return g;
    }

    /** Keeps {@code names} (the graph outputs) for {@link #claim}; {@link #fresh} never hands them out. */
    void reserve(Collection<String> names) {
        reserved.addAll(names);
    }

    boolean isReserved(String name) {
        return reserved.contains(name);
    }

    /** {@code base} if no value has that name yet (and it is not reserved), else base_1, base_2, ... */
    String fresh(String base) {
        if (!values.contains(base) && !reserved.contains(base)) {
            values.add(base);
            return base;
        }
        for (int i = 1; ; i++) {
            String s = base + "_" + i;
            if (!values.contains(s) && !reserved.contains(s)) {
                values.add(s);
                return s;
            }
        }
    }

    /** Takes {@code name} when it is free and not reserved; false when it is not. */
    boolean take(String name) {
        return !reserved.contains(name) && values.add(name);
    }

    /** Takes a reserved name (a graph output), once. */
    String claim(String name) {
        if (!reserved.contains(name) || !values.add(name)) {
            throw new IllegalStateException("'" + name + "' is not a free graph output name");
        }
        return name;
    }

    private String nodeName(String base) {
        if (nodeNames.add(base)) {
            return base;
        }
        for (int i = 1; ; i++) {
            if (nodeNames.add(base + "_" + i)) {
                return base + "_" + i;
            }
        }
    }

    /** Adds a node with one output; null inputs become "" (an omitted optional input). */
    String node(String op, String name, List<String> inputs, String output, AttributeProto... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(nodeName(name)).addOutput(output);
        for (String in : inputs) {
            n.addInput(in == null ? "" : in);
        }
        for (AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        // Trailing omitted optional inputs are dropped.
        while (n.getInputCount() > 0 && n.getInput(n.getInputCount() - 1).isEmpty()) {
            List<String> keep = new java.util.ArrayList<>(n.getInputList().subList(0, n.getInputCount() - 1));
            n.clearInput().addAllInput(keep);
        }
        g.addNode(n);
        return output;
    }

    /**
     * Renames the output of the last node added from {@code from} to {@code to}; when the last
     * node did not write {@code from} (a value passed through unchanged), adds an Identity.
     */
    String rename(String from, String to, String nodeName) {
        int last = g.getNodeCount() - 1;
        if (last >= 0 && g.getNode(last).getOutput(0).equals(from)) {
            g.getNodeBuilder(last).setOutput(0, to);
            values.remove(from);
            return to;
        }
        return node("Identity", nodeName, List.of(from), to);
    }

    // ------------------------------------------------------------------ attributes

    static AttributeProto attr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    static AttributeProto attr(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    static AttributeProto attrString(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build();
    }

    static AttributeProto attr(String name, int... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (int x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    // ------------------------------------------------------------------ initializers

    private String initializer(String base, int dataType, int[] dims, byte[] raw) {
        String name = fresh(base);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(dataType).setRawData(ByteString.copyFrom(raw));
        for (int d : dims) {
            t.addDims(d);
        }
        g.addInitializer(t);
        return name;
    }

    String floats(String base, int[] dims, float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return initializer(base, FLOAT, dims, b.array());
    }

    String int8s(String base, int[] dims, byte[] v) {
        return initializer(base, INT8, dims, v.clone());
    }

    String uint8s(String base, int[] dims, byte[] v) {
        return initializer(base, UINT8, dims, v.clone());
    }

    String int32s(String base, int[] dims, int[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(v);
        return initializer(base, INT32, dims, b.array());
    }

    String int64s(String base, int[] dims, long[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(v);
        return initializer(base, INT64, dims, b.array());
    }

    /** A shared float32 scalar constant. */
    String scalar(float v) {
        String key = "f:" + Float.floatToIntBits(v);
        String name = constants.get(key);
        if (name == null) {
            name = floats("const/" + v, new int[0], new float[] {v});
            constants.put(key, name);
        }
        return name;
    }

    /**
     * Shared scalar scale and zero point initializers of a per-tensor quantization of Tern's
     * int8 zero point {@code zeroPoint}: an int8 zero point, or with {@code uint8} a uint8 one
     * of {@code zeroPoint + 128} (the same real values: q_u8 = q_s8 + 128).
     */
    String[] quantParams(float scale, int zeroPoint, boolean uint8) {
        if (zeroPoint < -128 || zeroPoint > 127) {
            throw new IllegalArgumentException("int8 zero point " + zeroPoint + " is out of [-128, 127]");
        }
        String key = (uint8 ? "qu:" : "q:") + Float.floatToIntBits(scale) + ":" + zeroPoint;
        String s = constants.get(key);
        String z = constants.get(key + ":zp");
        if (s == null) {
            int i = quantParamCount++;
            s = floats("quant" + i + "/scale", new int[0], new float[] {scale});
            z = uint8
                    ? uint8s("quant" + i + "/zero_point", new int[0], new byte[] {(byte) (zeroPoint + 128)})
                    : int8s("quant" + i + "/zero_point", new int[0], new byte[] {(byte) zeroPoint});
            constants.put(key, s);
            constants.put(key + ":zp", z);
        }
        return new String[] {s, z};
    }

    // ------------------------------------------------------------------ graph inputs and outputs

    static ValueInfoProto floatValue(String name, int[] sampleShape) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        shape.addDimBuilder().setDimParam("N");
        for (int d : sampleShape) {
            shape.addDimBuilder().setDimValue(d);
        }
        TypeProto.Builder type = TypeProto.newBuilder();
        type.getTensorTypeBuilder().setElemType(FLOAT).setShape(shape);
        return ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }

    void input(String name, int[] sampleShape) {
        values.add(name);
        g.addInput(floatValue(name, sampleShape));
    }

    void output(String name, int[] sampleShape) {
        g.addOutput(floatValue(name, sampleShape));
    }
}
