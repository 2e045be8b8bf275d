package dev.tern.runtime;

import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.QuantParams;
import dev.tern.runtime.model.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Int8 versions of the random float cases of {@link OpCases}: a small test-side quantizer
 * (independent of tern-compress) turns each float model into quantize -> int8 ops ->
 * dequantize, with activation ranges from the float reference on the case's inputs,
 * stretched or shrunk at random (so outputs also saturate), per-channel or per-tensor
 * symmetric weights and int32 biases. The int8 node keeps the float node's name, so a case
 * can check which kernel ran it; its dequantized output keeps the float output's name.
 */
public final class Int8Cases {
    private Int8Cases() {
    }

    /** Largest weight magnitude of 8-bit weights, [-127, 127]. */
    public static final int WEIGHTS_8_BIT = 127;
    /**
     * Largest weight magnitude of 7-bit weights, [-63, 63]: the range in which ONNX Runtime's
     * u8 x s8 kernels are exact on x86 CPUs without VNNI (tern-compress's WeightScheme).
     */
    public static final int WEIGHTS_7_BIT = 63;

    /** Float op cases that have an int8 counterpart (sigmoid and softmax stay float), 8-bit weights. */
    public static List<OpCases.Case> cases(OpType op, int size, long seed) {
        return cases(op, size, seed, WEIGHTS_8_BIT);
    }

    /** As {@link #cases(OpType, int, long)}, with weights in [-weightMax, weightMax]. */
    public static List<OpCases.Case> cases(OpType op, int size, long seed, int weightMax) {
        OpType source = op == OpType.QUANTIZE || op == OpType.DEQUANTIZE ? OpType.DENSE : op;
        if (source == OpType.SIGMOID || source == OpType.SOFTMAX || source.code() >= OpType.TRANSPOSE.code()) {
            return null; // float32 only (the ops of 1.4 too)
        }
        List<OpCases.Case> in = OpCases.cases(source, size, seed);
        List<OpCases.Case> out = new ArrayList<>();
        Random rnd = new Random(seed ^ 0x1A7E_8000L);
        for (OpCases.Case c : in) {
            ModelDef q = quantize(c.model.apply(false), c.inputs, c.batch, rnd, weightMax);
            out.add(new OpCases.Case((weightMax == WEIGHTS_8_BIT ? "int8 " : "int8 (|w| <= " + weightMax + ") ") + c.description, c.node, c.batch, 0, mag -> q, c.inputs, 0f));
        }
        return out;
    }

    /** Quantizes every node of a float model; graph outputs are dequantized under their float names. */
    public static ModelDef quantize(ModelDef def, Map<String, float[]> inputs, int batch, Random rnd) {
        return quantize(def, inputs, batch, rnd, WEIGHTS_8_BIT);
    }

    /** As {@link #quantize(ModelDef, Map, int, Random)}, with weights in [-weightMax, weightMax]. */
    public static ModelDef quantize(ModelDef def, Map<String, float[]> inputs, int batch, Random rnd, int weightMax) {
        Map<String, float[]> ranges = ranges(def, inputs, batch);
        ModelBuilder b = new ModelBuilder(def.name() + "-int8");
        Map<String, String> q = new HashMap<>();          // float value -> its int8 value
        Map<String, float[]> types = new HashMap<>();      // int8 value -> {scale, zero point}
        for (InputSpec in : def.inputs()) {
            b.input(in);
        }
        Map<String, String> f = new HashMap<>();          // value -> its float32 version (inputs, float ops)
        for (InputSpec in : def.inputs()) {
            f.put(in.name(), in.name());
        }
        for (Node n : def.nodes()) {
            List<String> ins = new ArrayList<>();
            if (n.op() == OpType.SIGMOID || n.op() == OpType.SOFTMAX) {
                // Float-only ops: dequantize the input, keep the op in float32.
                b.node(new Node(n.name(), n.op(), list(asFloat(b, q, f, n.input(0))), n.output(), n.attributes()));
                f.put(n.output(), n.output());
                continue;
            }
            String out = n.output() + "__q";
            Attributes.Builder attrs = Attributes.builder().putAll(n.attributes());
            float[] x = types.get(asInt8(b, q, f, types, ranges, n.input(0), rnd));
            float[] y;
            switch (n.op()) {
                case DENSE:
                case CONV2D:
                case DEPTHWISE_CONV2D: {
                    y = type(ranges.get(n.output()), rnd);
                    int axis = n.op() == OpType.DEPTHWISE_CONV2D ? 2 : 0;
                    Tensor w = def.tensor(n.input(1));
                    boolean perTensor = rnd.nextInt(4) == 0;
                    float[] scales = weightScales(w, axis, perTensor, weightMax);
                    ins.add(q.get(n.input(0)));
                    ins.add(b.constant(Tensor.ofInt8(w.name(), w.shape(), weights(w, axis, scales, weightMax),
                            perTensor ? QuantParams.perTensor(scales[0], 0) : new QuantParams(scales, new int[scales.length], axis))));
                    if (n.inputs().size() > 2) {
                        Tensor bias = def.tensor(n.input(2));
                        float[] bv = bias.floats();
                        int[] bq = new int[bv.length];
                        float[] bs = new float[bv.length];
                        for (int o = 0; o < bv.length; o++) {
                            bs[o] = (float) ((double) x[0] * scales[perTensor ? 0 : o]);
                            bq[o] = Math.round(bv[o] / bs[o]);
                        }
                        ins.add(b.constant(Tensor.ofInt32(bias.name(), bias.shape(), bq,
                                new QuantParams(bs, new int[bs.length], 0))));
                    }
                    outAttrs(attrs, y);
                    break;
                }
                case HARD_SIGMOID:
                case HARD_SWISH: {
                    // its output range is not its input's: an output type from the float range
                    y = type(ranges.get(n.output()), rnd);
                    ins.add(q.get(n.input(0)));
                    outAttrs(attrs, y);
                    break;
                }
                case ADD:
                case CONCAT: {
                    y = type(ranges.get(n.output()), rnd);
                    for (String in : n.inputs()) {
                        ins.add(asInt8(b, q, f, types, ranges, in, rnd));
                    }
                    outAttrs(attrs, y);
                    break;
                }
                default:
                    y = x;
                    ins.add(q.get(n.input(0)));
            }
            b.node(new Node(n.name(), n.op(), ins, out, attrs.build()));
            q.put(n.output(), out);
            types.put(out, y);
        }
        for (String o : def.outputs()) {
            String v = asFloat(b, q, f, o);
            if (!v.equals(o)) {
                throw new IllegalStateException("output " + o + " lost its name");
            }
            b.output(o);
        }
        for (dev.tern.runtime.model.TaskSpec t : def.tasks()) {
            asFloat(b, q, f, t.output());
            b.task(t);
        }
        return b.build();
    }

    /** The int8 version of a value, quantizing a float one on first use. */
    private static String asInt8(ModelBuilder b, Map<String, String> q, Map<String, String> f, Map<String, float[]> types,
                                 Map<String, float[]> ranges, String v, Random rnd) {
        String name = q.get(v);
        if (name == null) {
            float[] t = type(ranges.get(v), rnd);
            name = v + "__q";
            b.node(new Node(v + "__quantize", OpType.QUANTIZE, list(f.get(v)), name, outAttrs(Attributes.builder(), t)));
            q.put(v, name);
            types.put(name, t);
        }
        return name;
    }

    /** The float version of a value; an int8 one is dequantized under the value's own name. */
    private static String asFloat(ModelBuilder b, Map<String, String> q, Map<String, String> f, String v) {
        String name = f.get(v);
        if (name == null) {
            b.node(new Node(v + "__dequantize", OpType.DEQUANTIZE, list(q.get(v)), v, Attributes.EMPTY));
            f.put(v, v);
            name = v;
        }
        return name;
    }

    /** Min and max of every value of the float model (reference backend) on the inputs. */
    static Map<String, float[]> ranges(ModelDef def, Map<String, float[]> inputs, int batch) {
        List<String> outs = new ArrayList<>();
        for (Node n : def.nodes()) {
            outs.add(n.output());
        }
        ModelDef all = new ModelDef(def.name(), def.inputs(), new ArrayList<>(def.tensors().values()), def.nodes(),
                def.tasks(), outs, def.provenance());
        Map<String, float[]> r = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : inputs.entrySet()) {
            r.put(e.getKey(), minMax(e.getValue()));
        }
        TernModel m = TernModel.of(all, Backend.REFERENCE);
        try (Session s = m.newSession(SessionOptions.defaults().withMaxBatch(batch))) {
            s.run(inputs, m.allTasks());
            for (String o : outs) {
                float[] mm = {0f, 0f};
                for (int i = 0; i < batch; i++) {
                    float[] v = minMax(s.output(o, i));
                    mm[0] = Math.min(mm[0], v[0]);
                    mm[1] = Math.max(mm[1], v[1]);
                }
                r.put(o, mm);
            }
        }
        return r;
    }

    static float[] minMax(float[] v) {
        float lo = 0f;
        float hi = 0f;
        for (float x : v) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        return new float[] {lo, hi};
    }

    /** {scale, zero point} for a range containing 0, stretched by 0.5 to 1.5 (below 1 the extremes saturate). */
    static float[] type(float[] range, Random rnd) {
        float f = 0.5f + rnd.nextFloat();
        float lo = Math.min(range[0], 0f) * f;
        float hi = Math.max(range[1], 0f) * f;
        if (hi - lo < 1e-6f) {
            hi = lo + 1e-3f;
        }
        float scale = (hi - lo) / 255f;
        int zp = Math.round(-128 - lo / scale);
        return new float[] {scale, Math.max(-128, Math.min(127, zp))};
    }

    static Attributes outAttrs(Attributes.Builder a, float[] t) {
        return a.put("scale", t[0]).put("zero_point", (int) t[1]).build();
    }

    static float[] weightScales(Tensor w, int axis, boolean perTensor, int weightMax) {
        float[] v = w.floats();
        int channels = w.dim(axis);
        int inner = 1;
        for (int d = axis + 1; d < w.rank(); d++) {
            inner *= w.dim(d);
        }
        float[] max = new float[channels];
        for (int k = 0; k < v.length; k++) {
            int c = (k / inner) % channels;
            max[c] = Math.max(max[c], Math.abs(v[k]));
        }
        float all = 0f;
        for (float m : max) {
            all = Math.max(all, m);
        }
        float[] s = new float[channels];
        for (int c = 0; c < channels; c++) {
            float m = perTensor ? all : max[c];
            s[c] = m > 0 ? m / (float) weightMax : 1f;
        }
        return perTensor ? new float[] {s[0]} : s;
    }

    static byte[] weights(Tensor w, int axis, float[] scales, int weightMax) {
        float[] v = w.floats();
        int channels = w.dim(axis);
        int inner = 1;
        for (int d = axis + 1; d < w.rank(); d++) {
            inner *= w.dim(d);
        }
        byte[] out = new byte[v.length];
        for (int k = 0; k < v.length; k++) {
            float s = scales[scales.length == 1 ? 0 : (k / inner) % channels];
            out[k] = (byte) Math.max(-weightMax, Math.min(weightMax, Math.round(v[k] / s)));
        }
        return out;
    }

    private static List<String> list(String s) {
        List<String> l = new ArrayList<>();
        l.add(s);
        return l;
    }
}
