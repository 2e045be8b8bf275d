package dev.tern.compress.tf;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TFloat32;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Builds small TensorFlow graphs (graph mode, Ops API) with seeded random weights held in
 * variables, and exports them as SavedModels: the fixtures of the importer tests.
 * Variables are read through {@code tf.identity}, as TF Java needs for ops on variables.
 */
final class TfGraph implements AutoCloseable {
    final Graph graph = new Graph();
    final Ops tf = Ops.create(graph);
    private final Random rnd;
    private int vars;

    TfGraph(long seed) {
        this.rnd = new Random(seed);
    }

    /** A float placeholder, batch first ({@code -1} for any). */
    Placeholder<TFloat32> input(String name, long... shape) {
        return tf.withName(name).placeholder(TFloat32.class, Placeholder.shape(Shape.of(shape)));
    }

    float[] random(int n, float lo, float hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = lo + rnd.nextFloat() * (hi - lo);
        }
        return v;
    }

    /** A VariableV2 initialized with uniform values in [lo, hi), read through Identity. */
    Operand<TFloat32> variable(String name, float lo, float hi, long... shape) {
        int n = (int) Shape.of(shape).size();
        Operand<TFloat32> init = tf.constant(Shape.of(shape), DataBuffers.of(random(n, lo, hi), true, false));
        String varName = name + "_v" + (vars++);
        return tf.identity(tf.withName(varName).variable(init));
    }

    /** Weights uniform in +-1/sqrt(fanIn). */
    Operand<TFloat32> weights(String name, int fanIn, long... shape) {
        float s = (float) (1.0 / Math.sqrt(fanIn));
        return variable(name, -s, s, shape);
    }

    Operand<TFloat32> constant(float[] values, long... shape) {
        return tf.constant(Shape.of(shape), DataBuffers.of(values, true, false));
    }

    /** Conv2D (HWIO filter) + BiasAdd. */
    Operand<TFloat32> conv(Operand<TFloat32> x, int k, int cin, int cout, int stride, String padding) {
        Operand<TFloat32> y = tf.nn.conv2d(x, weights("conv_w", k * k * cin, k, k, cin, cout),
                Arrays.asList(1L, (long) stride, (long) stride, 1L), padding);
        return tf.nn.biasAdd(y, variable("conv_b", -0.5f, 0.5f, cout));
    }

    Operand<TFloat32> depthwise(Operand<TFloat32> x, int k, int c, int m, int stride, String padding) {
        return tf.nn.depthwiseConv2dNative(x, weights("dw_w", k * k, k, k, c, m),
                Arrays.asList(1L, (long) stride, (long) stride, 1L), padding);
    }

    /** FusedBatchNormV3 in inference mode with non-trivial statistics. */
    Operand<TFloat32> batchNorm(Operand<TFloat32> x, int c) {
        Operand<TFloat32> gamma = variable("bn_gamma", 0.5f, 1.5f, c);
        Operand<TFloat32> beta = variable("bn_beta", -0.5f, 0.5f, c);
        Operand<TFloat32> mean = variable("bn_mean", -0.5f, 0.5f, c);
        Operand<TFloat32> var = variable("bn_var", 0.5f, 2.0f, c);
        return tf.nn.fusedBatchNorm(x, gamma, beta, mean, var, FusedBatchNorm.isTraining(false),
                FusedBatchNorm.epsilon(1e-3f)).y();
    }

    /** MatMul + BiasAdd. */
    Operand<TFloat32> dense(Operand<TFloat32> x, int in, int out) {
        Operand<TFloat32> y = tf.linalg.matMul(x, weights("fc_w", in, in, out));
        return tf.nn.biasAdd(y, variable("fc_b", -0.5f, 0.5f, out));
    }

    Operand<TFloat32> flatten(Operand<TFloat32> x, int n) {
        return tf.reshape(x, tf.constant(new int[] {-1, n}));
    }

    /** An op built by type, for ops the Ops API does not emit (e.g. MaxPool v1) or that tests must not support. */
    Output<TFloat32> raw(String type, String name, Operand<TFloat32> x, Map<String, Object> attrs) {
        var b = graph.opBuilder(type, name, tf.scope()).addInput(x.asOutput());
        for (Map.Entry<String, Object> e : attrs.entrySet()) {
            Object v = e.getValue();
            if (v instanceof long[]) {
                b.setAttr(e.getKey(), (long[]) v);
            } else if (v instanceof String) {
                b.setAttr(e.getKey(), (String) v);
            } else if (v instanceof org.tensorflow.proto.DataType) {
                b.setAttr(e.getKey(), (org.tensorflow.proto.DataType) v);
            } else if (v instanceof Boolean) {
                b.setAttr(e.getKey(), (Boolean) v);
            } else {
                throw new IllegalArgumentException(e.getKey());
            }
        }
        return b.build().output(0);
    }

    /** Exports the graph with one signature (default key) into {@code dir}; returns dir. */
    Path export(Path dir, String inputKey, Operand<TFloat32> input, Map<String, Operand<TFloat32>> outputs) {
        return export(dir, Signature.DEFAULT_KEY, inputKey, input, outputs);
    }

    Path export(Path dir, String sigKey, String inputKey, Operand<TFloat32> input, Map<String, Operand<TFloat32>> outputs) {
        Signature.Builder sb = Signature.builder().key(sigKey).input(inputKey, input);
        outputs.forEach(sb::output);
        try (Session s = new Session(graph)) {
            s.initialize();
            SavedModelBundle.exporter(dir.toString()).withSession(s).withSignature(sb.build()).export();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    static List<Long> strides(int s) {
        return Arrays.asList(1L, (long) s, (long) s, 1L);
    }

    @Override
    public void close() {
        graph.close();
    }
}
