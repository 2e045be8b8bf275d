package dev.tern.compress.train;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

import java.util.ArrayList;
import java.util.List;

/**
 * One Adam step in a TensorFlow graph (ApplyAdam, beta1 0.9, beta2 0.999, epsilon 1e-7, the
 * learning rate fed per step), shared by training ({@link Trainer}) and masked fine-tuning.
 * Every gradient is computed before any variable is written: ApplyAdam (and batch-norm
 * assigns) update variables in place, and a read through Identity may alias the variable's
 * buffer, so without this barrier backprop could read half-updated weights (wrong gradients,
 * and runs that differ from one another).
 */
public final class AdamGraph {
    /** Ops that may write variables once every gradient is computed (e.g. batch-norm assigns). */
    public final Ops afterGradients;
    /** One ApplyAdam per variable, in the order given. */
    public final List<Op> applies;
    /** The beta-power updates, after every apply: run them with the applies as targets. */
    public final List<Op> powers;

    private AdamGraph(Ops afterGradients, List<Op> applies, List<Op> powers) {
        this.afterGradients = afterGradients;
        this.applies = applies;
        this.powers = powers;
    }

    /**
     * Adam on {@code vars} (named {@code names} for their moment variables) minimizing
     * {@code loss}, with the gradients taken with respect to {@code reads} (the reads of those
     * variables that the loss was built from) and {@code shapes} their shapes.
     */
    public static AdamGraph build(Ops tf, Operand<TFloat32> loss, List<String> names, List<Variable<TFloat32>> vars,
                                  List<Operand<?>> reads, List<long[]> shapes, Operand<TFloat32> lr) {
        List<Op> gradDone = new ArrayList<>();
        List<Operand<TFloat32>> grads = new ArrayList<>();
        for (Operand<?> g0 : tf.gradients(loss, reads)) {
            @SuppressWarnings("unchecked")
            Operand<TFloat32> g1 = (Operand<TFloat32>) g0;
            org.tensorflow.op.core.Identity<TFloat32> id = tf.identity(g1);
            gradDone.add(id);
            grads.add(id);
        }
        Ops afterGrads = tf.withControlDependencies(gradDone);
        Variable<TFloat32> b1p = tf.withName("adam_beta1_power").variable(tf.constant(0.9f));
        Variable<TFloat32> b2p = tf.withName("adam_beta2_power").variable(tf.constant(0.999f));
        List<Op> applies = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            long[] shape = shapes.get(i);
            Variable<TFloat32> m = tf.withName(names.get(i) + "_adam_m").variable(zeros(tf, shape));
            Variable<TFloat32> v = tf.withName(names.get(i) + "_adam_v").variable(zeros(tf, shape));
            applies.add(afterGrads.train.applyAdam(vars.get(i), m, v, b1p, b2p, lr, tf.constant(0.9f), tf.constant(0.999f),
                    tf.constant(1e-7f), grads.get(i)));
        }
        Op step = tf.withControlDependencies(applies).withName("adam_step").noOp();
        List<Op> powers = List.of(tf.withControlDependencies(List.of(step)).assign(b1p, tf.math.mul(b1p, tf.constant(0.9f))),
                tf.withControlDependencies(List.of(step)).assign(b2p, tf.math.mul(b2p, tf.constant(0.999f))));
        return new AdamGraph(afterGrads, applies, powers);
    }

    private static Operand<TFloat32> zeros(Ops tf, long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return tf.constant(Shape.of(shape), DataBuffers.of(new float[Math.toIntExact(n)], true, false));
    }
}
