package dev.tern.compress.tf;

import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.Padding;
import dev.tern.runtime.model.Tensor;
import org.tensorflow.proto.NodeDef;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The conversions of pooling and of the ops that move values between shapes: MaxPool and
 * AvgPool, Mean and Max over height and width (global pooling), Reshape, Squeeze and ConcatV2.
 * Tern shapes leave out the batch dimension, so each checks that the op keeps the batch first
 * and untouched.
 */
final class ShapeOps {
    private final GraphConverter converter;
    /** The input's batch dimension (-1 for any). */
    private final int batch;

    ShapeOps(GraphConverter converter, int batch) {
        this.converter = converter;
        this.batch = batch;
    }

    void pool(NodeDef n, List<String> ins) throws ConversionProblem {
        TfAttrs.checkFormat(n);
        String x = converter.activation(ins.get(0), "input");
        int[] ksize;
        int[] strides;
        if (n.getOp().equals("MaxPoolV2")) {
            ksize = converter.constant(ins.get(1), "ksize").ints("ksize");
            strides = converter.constant(ins.get(2), "strides").ints("strides");
        } else {
            ksize = TfAttrs.ints(n, "ksize", null);
            strides = TfAttrs.ints(n, "strides", null);
        }
        int[] window = TfAttrs.spatial(n, "ksize", ksize);
        int[] st = TfAttrs.spatial(n, "strides", strides);
        Padding padding = TfAttrs.padding(n);
        PendingNode p = converter.add(n, n.getOp().startsWith("Max") ? OpType.MAX_POOL : OpType.AVG_POOL, Collections.singletonList(x));
        p.attrs.put("window", window);
        p.attrs.put("strides", st);
        p.attrs.put("padding", padding.id());
    }

    void reduce(NodeDef n, List<String> ins) throws ConversionProblem {
        String x = converter.activation(ins.get(0), "input");
        int[] axes = converter.constant(ins.get(1), "reduction axes").ints("reduction axes");
        int rank = converter.staticRank(ins.get(0));
        if (rank != 4) {
            throw new ConversionProblem("reduces a tensor of rank " + (rank < 0 ? "unknown" : rank)
                    + ", expected rank 4 (NHWC) reduced over axes [1, 2] (global pooling)");
        }
        Set<Integer> ax = new TreeSet<>();
        for (int a : axes) {
            ax.add(a < 0 ? a + rank : a);
        }
        if (!ax.equals(new TreeSet<>(Arrays.asList(1, 2)))) {
            throw new ConversionProblem("reduces over axes " + Arrays.toString(axes)
                    + ", expected [1, 2] (global pooling over height and width)");
        }
        OpType op = n.getOp().equals("Mean") ? OpType.GLOBAL_AVG_POOL : OpType.GLOBAL_MAX_POOL;
        if (!TfAttrs.bool(n, "keep_dims", false)) {
            converter.simple(n, op, x);
            return;
        }
        PendingNode pool = converter.newNode(n.getName() + "/pool", op, Collections.singletonList(x), null);
        PendingNode r = converter.add(n, OpType.RESHAPE, Collections.singletonList(pool.value));
        r.attrs.put("shape", new int[] {1, 1, -1});
    }

    void reshape(NodeDef n, List<String> ins) throws ConversionProblem {
        String x = converter.activation(ins.get(0), "input");
        int[] target;
        if (ins.size() == 2) {
            int[] shape = converter.constant(ins.get(1), "shape").ints("shape");
            if (shape.length < 2) {
                throw new ConversionProblem("reshapes to " + Arrays.toString(shape)
                        + ", expected the batch first and at least one more dimension, like [-1, n]");
            }
            if (shape[0] != -1 && !(batch > 0 && shape[0] == batch)) {
                throw new ConversionProblem("reshapes to " + Arrays.toString(shape) + ", expected -1"
                        + (batch > 0 ? " or " + batch : "") + " (the batch) as the first dimension");
            }
            target = Arrays.copyOfRange(shape, 1, shape.length);
        } else {
            target = converter.staticSampleShape(n.getName() + ":0");
            if (target == null) {
                throw new ConversionProblem("the target shape is computed at run time and TensorFlow does not know "
                        + "the per-sample shape statically; expected a constant shape like [-1, n]");
            }
        }
        if (target.length == 1) {
            int[] xs = converter.staticSampleShape(ins.get(0));
            if (target[0] != -1 && xs != null && Tensor.elementCount(xs) != target[0]) {
                throw new ConversionProblem("flattens " + Arrays.toString(xs) + " (" + Tensor.elementCount(xs)
                        + " values) to " + target[0] + " values");
            }
            converter.simple(n, OpType.FLATTEN, x);
            return;
        }
        PendingNode p = converter.add(n, OpType.RESHAPE, Collections.singletonList(x));
        p.attrs.put("shape", target);
    }

    void squeeze(NodeDef n, List<String> ins) throws ConversionProblem {
        String x = converter.activation(ins.get(0), "input");
        int rank = converter.staticRank(ins.get(0));
        int[] dims = TfAttrs.ints(n, "squeeze_dims", new int[0]);
        if (dims.length == 0 && batch == 1 || Arrays.stream(dims).anyMatch(d -> d == 0 || rank > 0 && d == -rank)) {
            throw new ConversionProblem("squeezes " + (dims.length == 0 ? "every size-1 dimension" : "dimensions "
                    + Arrays.toString(dims)) + ", which removes the batch dimension; expected squeeze_dims without 0");
        }
        int[] target = converter.staticSampleShape(n.getName() + ":0");
        if (target == null || target.length == 0) {
            throw new ConversionProblem("TensorFlow does not know the per-sample output shape statically (got "
                    + converter.staticShape(n.getName() + ":0") + "), expected it to be known");
        }
        if (target.length == 1) {
            converter.simple(n, OpType.FLATTEN, x);
            return;
        }
        PendingNode p = converter.add(n, OpType.RESHAPE, Collections.singletonList(x));
        p.attrs.put("shape", target);
    }

    void concat(NodeDef n, List<String> ins) throws ConversionProblem {
        int count = ins.size() - 1;
        List<String> xs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            xs.add(converter.activation(ins.get(i), "input " + i));
        }
        int[] axisV = converter.constant(ins.get(count), "axis").ints("axis");
        if (axisV.length != 1) {
            throw new ConversionProblem("axis has " + axisV.length + " values, expected a scalar");
        }
        int rank = converter.staticRank(n.getName() + ":0");
        int axis = axisV[0];
        int a = axis < 0 ? axis + rank : axis;
        if (axis < 0 && rank < 0) {
            throw new ConversionProblem("axis " + axis + " counts from the end of a tensor of unknown rank");
        }
        if (a == 0) {
            throw new ConversionProblem("concatenates along axis " + axis + " (the batch), expected a later axis");
        }
        PendingNode p = converter.add(n, OpType.CONCAT, xs);
        p.attrs.put("axis", axis < 0 ? axis : a - 1);
    }
}
