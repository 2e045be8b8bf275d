package dev.tern.compress.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.tern.compress.onnx.proto.Onnx.ModelProto;
import dev.tern.compress.onnx.proto.Onnx.NodeProto;
import dev.tern.runtime.Session;
import dev.tern.runtime.SessionOptions;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs exported models in ONNX Runtime and the same inputs in Tern's runtime, and compares
 * every ONNX output with Tern's value of that name. Float32: |ort - tern| <= 1e-4 x max(1, |tern|).
 * Int8 values (outputs written by a dequantize) are compared in quanta, their scale.
 */
final class OrtRunner {
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    static final double FLOAT_TOL = 1e-4;

    private OrtRunner() {
    }

    static Path repo() {
        return Paths.get(System.getProperty("tern.repo", ".."));
    }

    /** ORT's session option that fuses QDQ nodes with int8 (S8S8) activations on x86. */
    static final String QDQ_IS_INT8_ALLOWED = "session.qdqisint8allowed";

    /** A session with every graph optimization ORT has (the default level), on one thread, default options. */
    static OrtSession session(byte[] model) throws OrtException {
        return session(model, Collections.emptyMap(), null);
    }

    /**
     * A session for {@code model}, the export of {@code def}, in which ORT's integer sums are
     * exact on this CPU ({@link OrtArithmetic#exactConfig}): default options, except
     * {@code session.x64quantprecision = 1} for weights beyond [-64, 64] on x86 CPUs without VNNI.
     */
    static OrtSession exactSession(ModelDef def, byte[] model) throws OrtException {
        return session(model, OrtArithmetic.exactConfig(def), null);
    }

    /**
     * A session with every graph optimization and {@code config} as ORT session config entries,
     * e.g. {@link #QDQ_IS_INT8_ALLOWED}, without which ORT's x86 builds leave QDQ convolutions and
     * matmuls with int8 (S8S8) activations unfused (ORT fuses them by default on ARM only).
     * With {@code optimized}, ORT saves the graph it runs there.
     */
    static OrtSession session(byte[] model, Map<String, String> config, Path optimized) throws OrtException {
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setIntraOpNumThreads(1);
            so.setInterOpNumThreads(1);
            for (Map.Entry<String, String> e : config.entrySet()) {
                so.addConfigEntry(e.getKey(), e.getValue());
            }
            if (optimized != null) {
                so.setOptimizedModelFilePath(optimized.toString());
            }
            return ENV.createSession(model, so);
        }
    }

    /**
     * Without {@code int8Fusion}, {@link OrtArithmetic#exactConfig} for {@code def}; with it,
     * {@link #QDQ_IS_INT8_ALLOWED} = 1 alone: ORT then fuses the int8 export into s8 x s8
     * kernels, which on x86 are plain int32 loops (exact on every CPU), and it cannot take
     * {@code session.x64quantprecision} as well (ORT 1.23 turns the weights into uint8 and then
     * finds no QGemm kernel for int8 x uint8: ORT_NOT_IMPLEMENTED).
     */
    static Map<String, String> exactConfig(ModelDef def, boolean int8Fusion) {
        return int8Fusion ? Map.of(QDQ_IS_INT8_ALLOWED, "1") : OrtArithmetic.exactConfig(def);
    }


    /** ORT's outputs (name -> batch * per-sample values) on {@code batch} samples per input. */
    static Map<String, float[]> ort(OrtSession s, ModelDef def, Map<String, float[]> inputs, int batch) throws OrtException {
        Map<String, OnnxTensor> in = new LinkedHashMap<>();
        try {
            for (InputSpec spec : def.inputs()) {
                in.put(spec.name(), OnnxTensor.createTensor(ENV, FloatBuffer.wrap(inputs.get(spec.name())), shape(batch, spec.sampleShape())));
            }
            Map<String, float[]> out = new LinkedHashMap<>();
            try (OrtSession.Result r = s.run(in)) {
                for (Map.Entry<String, OnnxValue> e : r) {
                    OnnxTensor t = (OnnxTensor) e.getValue();
                    assertArrayEquals(shape(batch, def.shapeOf(e.getKey())), t.getInfo().getShape(), "shape of ORT output " + e.getKey());
                    FloatBuffer fb = t.getFloatBuffer();
                    float[] v = new float[fb.remaining()];
                    fb.get(v);
                    out.put(e.getKey(), v);
                }
            }
            return out;
        } finally {
            for (OnnxTensor t : in.values()) {
                t.close();
            }
        }
    }

    private static long[] shape(int batch, int[] sample) {
        long[] s = new long[sample.length + 1];
        s[0] = batch;
        for (int i = 0; i < sample.length; i++) {
            s[i + 1] = sample[i];
        }
        return s;
    }

    /** Tern's values of the ONNX outputs (graph and task outputs; name -> batch * per-sample values). */
    static Map<String, float[]> tern(ModelDef def, Map<String, float[]> inputs, int batch) {
        TernModel m = TernModel.of(def);
        Map<String, float[]> out = new LinkedHashMap<>();
        try (Session s = m.newSession(SessionOptions.defaults().withMaxBatch(batch))) {
            s.run(inputs, m.allTasks());
            for (String o : OnnxExporter.outputs(def)) {
                int n = 1;
                for (int d : def.shapeOf(o)) {
                    n *= d;
                }
                float[] v = new float[n * batch];
                for (int i = 0; i < batch; i++) {
                    System.arraycopy(s.output(o, i), 0, v, i * n, n);
                }
                out.put(o, v);
            }
        }
        return out;
    }

    /** One quantum of an output written by a dequantize (its input's scale), else 0 (a float32 value). */
    static double quantum(ModelDef def, String output) {
        Integer p = def.producers().get(output);
        if (p == null) {
            return 0;
        }
        Node n = def.nodes().get(p);
        return n.op() == OpType.DEQUANTIZE ? def.typeOf(n.input(0)).scale() : 0;
    }

    /** Exports {@code def}, runs it in ORT ({@link #exactSession}) and in Tern, and compares. */
    static Diff check(ModelDef def, Map<String, float[]> inputs, int batch) throws OrtException {
        return check(def, inputs, batch, OnnxExporter.Options.defaults());
    }

    /** As {@link #check(ModelDef, Map, int)}, exported with {@code options}. */
    static Diff check(ModelDef def, Map<String, float[]> inputs, int batch, OnnxExporter.Options options) throws OrtException {
        try (OrtSession s = exactSession(def, OnnxExporter.toBytes(def, options))) {
            return compare(def, tern(def, inputs, batch), ort(s, def, inputs, batch));
        }
    }

    /** Per output: the largest difference in float tolerances and quanta, and how many values are off by how much. */
    static final class Diff {
        final Map<String, Out> outputs = new LinkedHashMap<>();

        static final class Out {
            double quantum;
            double maxAbs;
            /** Largest |diff| / (1e-4 x max(1, |tern|)). */
            double maxFloatRatio;
            /** Largest (|diff| - float tolerance) / quantum: quanta beyond float rounding (int8 values only). */
            double maxQuanta;
            /** Values within the float tolerance; within one, two, more quanta; all. */
            final long[] counts = new long[5];

            double shareWithinOneQuantum() {
                return (counts[0] + counts[1]) / (double) counts[4];
            }

            @Override
            public String toString() {
                return quantum == 0 ? String.format("max |diff| %.3g (%.3g of the float tolerance)", maxAbs, maxFloatRatio)
                        : String.format("max |diff| %.3g = %.2f quanta of %.3g; values exact/1q/2q/more of %d: %d/%d/%d/%d",
                        maxAbs, maxQuanta, quantum, counts[4], counts[0], counts[1], counts[2], counts[3]);
            }
        }

        Out get(String output) {
            return outputs.get(output);
        }

        /** Float32 outputs within 1e-4 x max(1, |x|), int8 ones within one quantum (plus that). */
        void assertWithinOneQuantum(String context) {
            outputs.forEach((k, o) -> {
                if (o.quantum == 0 ? o.maxFloatRatio > 1 : o.maxQuanta > 1) {
                    fail(context + ": output " + k + ": " + o);
                }
            });
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            outputs.forEach((k, o) -> sb.append(sb.length() == 0 ? "" : "; ").append(k).append(": ").append(o));
            return sb.toString();
        }
    }

    static Diff compare(ModelDef def, Map<String, float[]> tern, Map<String, float[]> ort) {
        assertEquals(tern.keySet(), ort.keySet(), "output names");
        Diff diff = new Diff();
        for (String name : tern.keySet()) {
            float[] a = tern.get(name);
            float[] b = ort.get(name);
            assertEquals(a.length, b.length, "values of output " + name);
            Diff.Out o = new Diff.Out();
            o.quantum = quantum(def, name);
            o.counts[4] = a.length;
            for (int i = 0; i < a.length; i++) {
                double d = Math.abs((double) a[i] - b[i]);
                if (!(d >= 0)) {
                    fail("output " + name + "[" + i + "]: tern " + a[i] + ", ONNX Runtime " + b[i]);
                }
                double ft = FLOAT_TOL * Math.max(1, Math.abs(a[i]));
                o.maxAbs = Math.max(o.maxAbs, d);
                o.maxFloatRatio = Math.max(o.maxFloatRatio, d / ft);
                if (o.quantum > 0) {
                    double q = Math.max(0, d - ft) / o.quantum;
                    o.maxQuanta = Math.max(o.maxQuanta, q);
                    o.counts[q == 0 ? 0 : q <= 1 ? 1 : q <= 2 ? 2 : 3]++;
                }
            }
            diff.outputs.put(name, o);
        }
        return diff;
    }

    /** Op types (with their domain) of a model ORT saved, and how often each occurs. */
    static Map<String, Integer> ops(Path onnx) throws IOException {
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(onnx));
        Map<String, Integer> c = new TreeMap<>();
        for (NodeProto n : m.getGraph().getNodeList()) {
            c.merge((n.getDomain().isEmpty() ? "" : n.getDomain() + ":") + n.getOpType(), 1, Integer::sum);
        }
        return c;
    }

    /** Samples whose argmax over {@code classes} values agrees, of all samples. */
    static double argmaxAgreement(float[] a, float[] b, int classes) {
        int n = a.length / classes;
        int same = 0;
        for (int s = 0; s < n; s++) {
            same += argmax(a, s * classes, classes) == argmax(b, s * classes, classes) ? 1 : 0;
        }
        return same / (double) n;
    }

    private static int argmax(float[] v, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (v[off + i] > v[off + best]) {
                best = i;
            }
        }
        return best;
    }

    static void assertShare(double atLeast, double share, String what) {
        assertTrue(share >= atLeast, what + ": " + share + " < " + atLeast);
    }
}
