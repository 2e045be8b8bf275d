package dev.tern.compress.tf;

import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.Padding;
import org.tensorflow.proto.NodeDef;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * The conversions that make or change Tern's linear nodes: Conv2D and DepthwiseConv2dNative
 * become CONV2D and DEPTHWISE_CONV2D (filters transposed to Tern's layout), MatMul becomes
 * DENSE; BiasAdd, the Add of a constant, FusedBatchNorm and Relu/Relu6 fold into the node
 * before them when nothing else reads its output.
 */
final class LinearOps {
    private final GraphConverter converter;
    private final GraphWalk walk;

    LinearOps(GraphConverter converter, GraphWalk walk) {
        this.converter = converter;
        this.walk = walk;
    }


    void convolution(NodeDef n, List<String> ins, boolean depthwise) throws ConversionProblem {
        TfAttrs.checkFormat(n);
        String x = converter.activation(ins.get(0), "input");
        TfConstants.Value f = converter.constant(ins.get(1), "filter");
        int[] strides = TfAttrs.spatial(n, "strides", TfAttrs.ints(n, "strides", new int[] {1, 1, 1, 1}));
        int[] dil = TfAttrs.ints(n, "dilations", new int[] {1, 1, 1, 1});
        for (int d : dil) {
            if (d != 1) {
                throw new ConversionProblem("dilations " + Arrays.toString(dil) + ", expected [1, 1, 1, 1] (dilated "
                        + "convolutions are not supported)");
            }
        }
        Padding padding = TfAttrs.padding(n);
        if (f.rank() != 4) {
            throw new ConversionProblem("filter has shape " + Arrays.toString(f.shape) + ", expected [kh, kw, cin, "
                    + (depthwise ? "multiplier" : "cout") + "]");
        }
        int kh = f.dim(0);
        int kw = f.dim(1);
        int cin = f.dim(2);
        int co = f.dim(3);
        float[] w = f.floats("filter");
        PendingNode p;
        if (depthwise) {
            p = converter.add(n, OpType.DEPTHWISE_CONV2D, Collections.singletonList(x));
            p.weights = w; // [kh, kw, cin, m] row-major is [kh, kw, cin * m]: channel c * m + j
            p.weightShape = new int[] {kh, kw, cin * co};
            p.attrs.put("multiplier", co);
        } else {
            p = converter.add(n, OpType.CONV2D, Collections.singletonList(x));
            float[] t = new float[w.length];
            for (int y = 0; y < kh; y++) {
                for (int xx = 0; xx < kw; xx++) {
                    for (int i = 0; i < cin; i++) {
                        int src = ((y * kw + xx) * cin + i) * co;
                        for (int o = 0; o < co; o++) {
                            t[((o * kh + y) * kw + xx) * cin + i] = w[src + o];
                        }
                    }
                }
            }
            p.weights = t;
            p.weightShape = new int[] {co, kh, kw, cin};
        }
        p.attrs.put("strides", strides);
        p.attrs.put("padding", padding.id());
    }

    void matMul(NodeDef n, List<String> ins) throws ConversionProblem {
        if (TfAttrs.bool(n, "transpose_a", false)) {
            throw new ConversionProblem("transpose_a is true, expected false");
        }
        String x = converter.activation(ins.get(0), "input a");
        TfConstants.Value b = converter.constant(ins.get(1), "input b (weights)");
        if (b.rank() != 2) {
            throw new ConversionProblem("weights have shape " + Arrays.toString(b.shape) + ", expected rank 2");
        }
        int[] xs = converter.staticSampleShape(ins.get(0));
        if (xs != null && xs.length != 1) {
            throw new ConversionProblem("input has per-sample shape " + Arrays.toString(xs) + ", expected [n] (a batch of vectors)");
        }
        float[] w = b.floats("weights");
        int out;
        int in;
        float[] t;
        if (TfAttrs.bool(n, "transpose_b", false)) {
            out = b.dim(0);
            in = b.dim(1);
            t = w;
        } else {
            in = b.dim(0);
            out = b.dim(1);
            t = new float[w.length];
            for (int i = 0; i < in; i++) {
                for (int o = 0; o < out; o++) {
                    t[o * in + i] = w[i * out + o];
                }
            }
        }
        PendingNode p = converter.add(n, OpType.DENSE, Collections.singletonList(x));
        p.weights = t;
        p.weightShape = new int[] {out, in};
    }

    void add(NodeDef n, List<String> ins) throws ConversionProblem {
        boolean d0 = walk.isDependent(ins.get(0));
        boolean d1 = walk.isDependent(ins.get(1));
        if (d0 && d1) {
            String x = converter.activation(ins.get(0), "input x");
            String y = converter.activation(ins.get(1), "input y");
            int[] xs = converter.staticSampleShape(ins.get(0));
            int[] ys = converter.staticSampleShape(ins.get(1));
            if (xs != null && ys != null && !Arrays.equals(xs, ys)) {
                throw new ConversionProblem("operands have per-sample shapes " + Arrays.toString(xs) + " and "
                        + Arrays.toString(ys) + ", expected one shape (broadcasting is not supported)");
            }
            converter.add(n, OpType.ADD, Arrays.asList(x, y));
            return;
        }
        String xTensor = d0 ? ins.get(0) : ins.get(1);
        TfConstants.Value c = converter.constant(d0 ? ins.get(1) : ins.get(0), "constant operand");
        for (int i = 0; i < c.rank() - 1; i++) {
            if (c.shape[i] != 1) {
                throw new ConversionProblem("adds a constant of shape " + Arrays.toString(c.shape)
                        + ", expected a per-channel bias [c] (or [1, ..., c])");
            }
        }
        foldBias(n, converter.activation(xTensor, "input"), c);
    }

    void biasAdd(NodeDef n, List<String> ins) throws ConversionProblem {
        TfAttrs.checkFormat(n);
        foldBias(n, converter.activation(ins.get(0), "input"), converter.constant(ins.get(1), "bias"));
    }

    /** The pending linear op writing {@code value}, if its output may still be changed in place. */
    private PendingNode foldTarget(String value, Set<OpType> ops, StringBuilder why) {
        PendingNode p = converter.producer(value);
        if (p == null || !ops.contains(p.op)) {
            why.append("its input '").append(value).append("' is ")
                    .append(p == null ? "the model input" : "computed by " + p.op.id());
            return null;
        }
        if (p.activation != Activation.NONE) {
            why.append("its input '").append(value).append("' already has a fused ").append(p.activation.id());
            return null;
        }
        int u = walk.uses(p.tfTensor);
        if (u != 1) {
            why.append("the output of '").append(p.name).append("' has ").append(u)
                    .append(" readers, so it cannot be changed in place");
            return null;
        }
        return p;
    }

    private void foldBias(NodeDef n, String x, TfConstants.Value b) throws ConversionProblem {
        StringBuilder why = new StringBuilder();
        PendingNode p = foldTarget(x, PendingNode.LINEAR, why);
        if (p == null) {
            throw new ConversionProblem("cannot fold the bias into the preceding op: " + why
                    + "; expected MatMul, Conv2D or DepthwiseConv2dNative read by nothing else");
        }
        float[] v = b.floats("bias");
        if (v.length != p.outChannels()) {
            throw new ConversionProblem("bias has " + v.length + " values, expected " + p.outChannels()
                    + " (one per output channel of '" + p.name + "')");
        }
        if (p.bias == null) {
            p.bias = v;
        } else {
            for (int i = 0; i < v.length; i++) {
                p.bias[i] += v[i];
            }
        }
        converter.alias(n, p);
    }

    void batchNorm(NodeDef n, List<String> ins) throws ConversionProblem {
        TfAttrs.checkFormat(n);
        if (TfAttrs.bool(n, "is_training", true)) {
            throw new ConversionProblem("is_training is true, expected false (export the model for inference)");
        }
        for (int k = 1; k < 6; k++) {
            if (walk.isRead(n.getName() + ":" + k)) {
                throw new ConversionProblem("output " + k + " (batch statistics) is read, expected only output 0 (y) to be used");
            }
        }
        String x = converter.activation(ins.get(0), "input x");
        float[] gamma = converter.constant(ins.get(1), "scale").floats("scale");
        float[] beta = converter.constant(ins.get(2), "offset").floats("offset");
        float[] mean = converter.constant(ins.get(3), "mean").floats("mean");
        float[] var = converter.constant(ins.get(4), "variance").floats("variance");
        float eps = n.containsAttr("epsilon") ? n.getAttrOrThrow("epsilon").getF() : 1e-4f;
        StringBuilder why = new StringBuilder();
        PendingNode p = foldTarget(x, PendingNode.LINEAR, why);
        if (p == null) {
            throw new ConversionProblem("cannot fold batch norm into the preceding op: " + why
                    + "; expected Conv2D, DepthwiseConv2dNative or MatMul (plus an optional bias) read by nothing else");
        }
        int c = p.outChannels();
        if (gamma.length != c || beta.length != c || mean.length != c || var.length != c) {
            throw new ConversionProblem("scale, offset, mean and variance have " + gamma.length + ", " + beta.length + ", "
                    + mean.length + " and " + var.length + " values, expected " + c + " each");
        }
        float[] scale = new float[c];
        float[] bias = new float[c];
        for (int o = 0; o < c; o++) {
            double s = gamma[o] / Math.sqrt((double) var[o] + eps);
            double b0 = p.bias == null ? 0.0 : p.bias[o];
            scale[o] = (float) s;
            bias[o] = (float) ((b0 - mean[o]) * s + beta[o]);
        }
        scaleOutputChannels(p, scale);
        p.bias = bias;
        converter.alias(n, p);
    }

    /** Multiplies every weight of output channel o by scale[o]. */
    private static void scaleOutputChannels(PendingNode p, float[] scale) {
        float[] w = p.weights;
        if (p.op == OpType.DEPTHWISE_CONV2D) {
            int c = scale.length;
            for (int i = 0; i < w.length; i++) {
                w[i] *= scale[i % c];
            }
        } else {
            int per = w.length / scale.length;
            for (int o = 0; o < scale.length; o++) {
                for (int i = o * per; i < (o + 1) * per; i++) {
                    w[i] *= scale[o];
                }
            }
        }
    }

    void relu(NodeDef n, List<String> ins, Activation act) throws ConversionProblem {
        String x = converter.activation(ins.get(0), "input");
        PendingNode p = converter.producer(x);
        if (p != null && p.takesActivation() && p.activation == Activation.NONE && walk.uses(p.tfTensor) == 1) {
            p.activation = act;
            converter.alias(n, p);
            return;
        }
        converter.simple(n, act == Activation.RELU ? OpType.RELU : OpType.RELU6, x);
    }
}
