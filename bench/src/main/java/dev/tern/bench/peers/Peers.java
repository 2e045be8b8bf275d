package dev.tern.bench.peers;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.tern.compress.onnx.OnnxExporter;
import dev.tern.runtime.model.ModelDef;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.types.TFloat32;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The peers a Tern model is measured against, each run the way a user of that library would
 * at batch 1 and on one thread, with the input tensor made once (so per-call input copies are
 * not charged to them) and every output computed but not copied out.
 */
final class Peers {
    private Peers() {
    }

    /** ONNX Runtime Java on the export of a Tern model (fp32, or int8 as QDQ): one intra-op thread, all graph optimizations. */
    static final class Ort implements AutoCloseable {
        private final OrtEnvironment env;
        private final OrtSession session;
        private final OnnxTensor input;
        private final Map<String, OnnxTensor> feed;

        /**
         * @param uint8Activations exports int8 activations as uint8 (zero point + 128, the same
         *                         values): ONNX Runtime's fast x86 int8 path (u8s8, VNNI). With
         *                         int8 activations it leaves QDQ convolutions unfused on x86
         *                         (float Conv between DequantizeLinear and QuantizeLinear), and
         *                         its s8s8 kernels under {@code session.qdqisint8allowed=1} were
         *                         slower still (docs/ONNX.md)
         */
        Ort(ModelDef def, float[] x, boolean uint8Activations) throws OrtException {
            this(OnnxExporter.toBytes(def, OnnxExporter.Options.defaults().withUint8Activations(uint8Activations)),
                    shapeOf(def, x.length), x);
        }

        /** ONNX Runtime on an ONNX file as it is (one intra-op thread, all graph optimizations), input of {@code shape}. */
        Ort(byte[] model, long[] shape, float[] x) throws OrtException {
            env = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                o.setIntraOpNumThreads(1);
                o.setInterOpNumThreads(1);
                o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
                o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                session = env.createSession(model, o);
            }
            String name = session.getInputNames().iterator().next();
            input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
            feed = Collections.singletonMap(name, input);
        }

        /** Runs every output; returns how many came back (the results are closed). */
        int run() throws OrtException {
            try (OrtSession.Result r = session.run(feed)) {
                return r.size();
            }
        }

        @Override
        public void close() throws OrtException {
            input.close();
            session.close();
        }
    }

    /** TensorFlow Java on a SavedModel: Session.run of the serving signature, every output fetched. */
    static final class Tf implements AutoCloseable {
        private final SavedModelBundle bundle;
        private final Session session;
        private final TFloat32 input;
        private final String inputName;
        private final List<String> outputs = new ArrayList<>();

        Tf(Path dir, ModelDef def, float[] x) {
            // one intra-op and one inter-op thread, as every runtime here (TensorFlow's default
            // uses all cores)
            ConfigProto config = ConfigProto.newBuilder().setIntraOpParallelismThreads(1).setInterOpParallelismThreads(1)
                    .build();
            bundle = SavedModelBundle.loader(dir.toString()).withTags("serve").withConfigProto(config).load();
            session = bundle.session();
            SignatureDef sig = bundle.metaGraphDef().getSignatureDefMap().get("serving_default");
            if (sig == null) {
                throw new IllegalStateException(dir + ": no serving_default signature");
            }
            TensorInfo in = sig.getInputsMap().values().iterator().next();
            inputName = in.getName();
            sig.getOutputsMap().values().forEach(t -> outputs.add(t.getName()));
            input = TFloat32.tensorOf(Shape.of(shapeOf(def, x.length)), DataBuffers.of(x, true, false));
        }

        /** Runs every output; returns how many came back (the results are closed). */
        int run() {
            Session.Runner r = session.runner().feed(inputName, input);
            for (String o : outputs) {
                r.fetch(o);
            }
            try (Result res = r.run()) {
                return res.size();
            }
        }

        @Override
        public void close() {
            input.close();
            bundle.close();
        }
    }

    /** [1, per-sample shape...] of the model's only input. */
    static long[] shapeOf(ModelDef def, int values) {
        int[] s = def.inputs().get(0).shape();
        long[] shape = new long[s.length];
        long n = 1;
        shape[0] = 1;
        for (int i = 1; i < s.length; i++) {
            shape[i] = s[i];
            n *= s[i];
        }
        if (n != values) {
            throw new IllegalArgumentException("input of " + values + " values for shape " + java.util.Arrays.toString(s));
        }
        return shape;
    }
}
