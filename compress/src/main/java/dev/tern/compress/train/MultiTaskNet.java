package dev.tern.compress.train;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TFloat32;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * The Multi-Fashion multi-task CNNs, built in a TensorFlow graph from a {@link TrainRecipe}.
 * Hard sharing: one trunk (3x3 SAME convs with batch norm and ReLU, 2x2 max pools), a
 * flatten, shared dense layers, one linear head per task. Soft sharing: one such tower per
 * task (each with its own head) and an L2 penalty on the differences of corresponding
 * tower weights. Heads output logits: 10 per task.
 *
 * <p>Three modes: {@link Mode#TRAIN} normalizes with batch statistics and records the
 * moving-average updates; {@link Mode#EVAL} uses the moving statistics with plain ops;
 * {@link Mode#EXPORT} uses {@code FusedBatchNorm} (inference) so the importer can fold it.
 */
final class MultiTaskNet {
    static final int SIDE = 36;
    static final int CLASSES = 10;
    static final float BN_EPS = 1e-3f;
    static final float BN_MOMENTUM = 0.99f;

    enum Mode { TRAIN, EVAL, EXPORT }

    private final TrainRecipe recipe;

    MultiTaskNet(TrainRecipe recipe) {
        this.recipe = recipe;
    }

    /** Tower names: "t" (the shared trunk) for hard sharing, else one per task. */
    List<String> towers() {
        return recipe.sharing.equals("hard") ? List.of("t") : recipe.tasks;
    }

    /** Seeded initial parameters. */
    Weights init() {
        Random rnd = new Random(recipe.seed);
        Weights w = new Weights();
        for (String tower : towers()) {
            int c = 1;
            int side = SIDE;
            int li = 0;
            for (String spec : recipe.trunk) {
                TrainRecipe.Layer layer = TrainRecipe.Layer.parse(spec);
                side = layer.outSide(side);
                String p = tower + "_c" + li;
                if (layer.kind == TrainRecipe.Layer.Kind.CONV) {
                    w.heUniform(p + "_w", new long[] {3, 3, c, layer.size}, 9 * c, rnd);
                    normOrBias(w, p, layer.size);
                    c = layer.size;
                } else if (layer.kind == TrainRecipe.Layer.Kind.DWSEP) {
                    w.heUniform(p + "_dw_w", new long[] {3, 3, c, 1}, 9, rnd);
                    normOrBias(w, p + "_dw", c);
                    w.heUniform(p + "_w", new long[] {1, 1, c, layer.size}, c, rnd);
                    normOrBias(w, p, layer.size);
                    c = layer.size;
                }
                li++;
            }
            int in = side * side * c;
            for (int d = 0; d < recipe.dense.size(); d++) {
                int out = recipe.dense.get(d);
                w.heUniform(tower + "_d" + d + "_w", new long[] {in, out}, in, rnd);
                w.constant(tower + "_d" + d + "_b", new long[] {out}, 0f);
                in = out;
            }
            for (String task : recipe.tasks) {
                if (tower.equals("t") || tower.equals(task)) {
                    w.heUniform("h_" + task + "_w", new long[] {in, CLASSES}, in, rnd);
                    w.constant("h_" + task + "_b", new long[] {CLASSES}, 0f);
                }
            }
        }
        return w;
    }

    private void normOrBias(Weights w, String p, int n) {
        if (recipe.batchNorm) {
            w.constant(p + "_gamma", new long[] {n}, 1f);
            w.constant(p + "_beta", new long[] {n}, 0f);
            w.constant(p + "_mean", new long[] {n}, 0f);
            w.constant(p + "_var", new long[] {n}, 1f);
        } else {
            w.constant(p + "_b", new long[] {n}, 0f);
        }
    }

    private Operand<TFloat32> normRelu(Ops tf, Operand<TFloat32> h, String p, Function<String, Operand<TFloat32>> params,
                                       Mode mode, BnUpdater updates) {
        h = recipe.batchNorm ? batchNorm(tf, h, p, params, mode, updates) : tf.nn.biasAdd(h, params.apply(p + "_b"));
        return tf.nn.relu(h);
    }

    /**
     * Builds the forward pass. {@code params} gives each parameter as an operand (a variable
     * read, or a constant). In TRAIN mode the batch-norm moving-average updates are added to
     * {@code updates}, using {@code assign} to write variable {@code name}.
     *
     * @return logits per task, in recipe order
     */
    Map<String, Operand<TFloat32>> forward(Ops tf, Operand<TFloat32> x, Function<String, Operand<TFloat32>> params,
                                           Mode mode, BnUpdater updates) {
        Map<String, Operand<TFloat32>> logits = new LinkedHashMap<>();
        for (String tower : towers()) {
            Operand<TFloat32> h = x;
            int c = 1;
            int side = SIDE;
            int li = 0;
            for (String spec : recipe.trunk) {
                TrainRecipe.Layer layer = TrainRecipe.Layer.parse(spec);
                side = layer.outSide(side);
                String p = tower + "_c" + li;
                long st = layer.stride;
                if (layer.pool) {
                    int k = layer.size;
                    h = tf.nn.maxPool(h, tf.constant(new int[] {1, k, k, 1}), tf.constant(new int[] {1, k, k, 1}), "VALID");
                } else if (layer.kind == TrainRecipe.Layer.Kind.CONV) {
                    h = tf.nn.conv2d(h, params.apply(p + "_w"), List.of(1L, st, st, 1L), "SAME");
                    h = normRelu(tf, h, p, params, mode, updates);
                    c = layer.size;
                } else {
                    h = tf.nn.depthwiseConv2dNative(h, params.apply(p + "_dw_w"), List.of(1L, st, st, 1L), "SAME");
                    h = normRelu(tf, h, p + "_dw", params, mode, updates);
                    h = tf.nn.conv2d(h, params.apply(p + "_w"), List.of(1L, 1L, 1L, 1L), "SAME");
                    h = normRelu(tf, h, p, params, mode, updates);
                    c = layer.size;
                }
                li++;
            }
            h = tf.reshape(h, tf.constant(new int[] {-1, side * side * c}));
            for (int d = 0; d < recipe.dense.size(); d++) {
                h = tf.nn.relu(tf.nn.biasAdd(tf.linalg.matMul(h, params.apply(tower + "_d" + d + "_w")),
                        params.apply(tower + "_d" + d + "_b")));
            }
            for (String task : recipe.tasks) {
                if (tower.equals("t") || tower.equals(task)) {
                    logits.put(task, tf.nn.biasAdd(tf.linalg.matMul(h, params.apply("h_" + task + "_w")),
                            params.apply("h_" + task + "_b")));
                }
            }
        }
        Map<String, Operand<TFloat32>> ordered = new LinkedHashMap<>();
        for (String task : recipe.tasks) {
            ordered.put(task, logits.get(task));
        }
        return ordered;
    }

    private Operand<TFloat32> batchNorm(Ops tf, Operand<TFloat32> h, String p, Function<String, Operand<TFloat32>> params,
                                        Mode mode, BnUpdater updates) {
        Operand<TFloat32> gamma = params.apply(p + "_gamma");
        Operand<TFloat32> beta = params.apply(p + "_beta");
        Operand<TFloat32> movMean = params.apply(p + "_mean");
        Operand<TFloat32> movVar = params.apply(p + "_var");
        if (mode == Mode.EXPORT) {
            return tf.nn.fusedBatchNorm(h, gamma, beta, movMean, movVar, FusedBatchNorm.isTraining(false),
                    FusedBatchNorm.epsilon(BN_EPS)).y();
        }
        Operand<TFloat32> mean;
        Operand<TFloat32> var;
        if (mode == Mode.TRAIN) {
            Operand<org.tensorflow.types.TInt32> axes = tf.constant(new int[] {0, 1, 2});
            mean = tf.math.mean(h, axes);
            var = tf.math.mean(tf.math.square(tf.math.sub(h, mean)), axes);
            Operand<TFloat32> m = tf.constant(BN_MOMENTUM);
            Operand<TFloat32> m1 = tf.constant(1f - BN_MOMENTUM);
            updates.update(p + "_mean", tf.math.add(tf.math.mul(movMean, m), tf.math.mul(tf.stopGradient(mean), m1)));
            updates.update(p + "_var", tf.math.add(tf.math.mul(movVar, m), tf.math.mul(tf.stopGradient(var), m1)));
        } else {
            mean = movMean;
            var = movVar;
        }
        Operand<TFloat32> scale = tf.math.mul(tf.math.rsqrt(tf.math.add(var, tf.constant(BN_EPS))), gamma);
        return tf.math.add(tf.math.mul(tf.math.sub(h, mean), scale), beta);
    }

    /**
     * Soft sharing's tie: sum over pairs of towers and over corresponding trunk and dense
     * weights of the squared L2 norm of their difference.
     */
    Operand<TFloat32> tiePenalty(Ops tf, Function<String, Operand<TFloat32>> params, Weights w) {
        List<String> towers = towers();
        List<Operand<TFloat32>> terms = new ArrayList<>();
        for (String name : w.values.keySet()) {
            String first = towers.get(0) + "_";
            if (!name.startsWith(first) || !name.endsWith("_w")) {
                continue;
            }
            String suffix = name.substring(first.length());
            for (int a = 0; a < towers.size(); a++) {
                for (int b = a + 1; b < towers.size(); b++) {
                    Operand<TFloat32> diff = tf.math.sub(params.apply(towers.get(a) + "_" + suffix),
                            params.apply(towers.get(b) + "_" + suffix));
                    terms.add(tf.reduceSum(tf.math.square(diff), allAxes(tf, w.shapes.get(name).length)));
                }
            }
        }
        Operand<TFloat32> sum = terms.get(0);
        for (int i = 1; i < terms.size(); i++) {
            sum = tf.math.add(sum, terms.get(i));
        }
        return sum;
    }

    private static Operand<org.tensorflow.types.TInt32> allAxes(Ops tf, int rank) {
        int[] axes = new int[rank];
        for (int i = 0; i < rank; i++) {
            axes[i] = i;
        }
        return tf.constant(axes);
    }

    /** Receives batch-norm moving-average updates in TRAIN mode. */
    interface BnUpdater {
        void update(String param, Operand<TFloat32> newValue);

        BnUpdater NONE = (p, v) -> {
            throw new IllegalStateException("no updates outside training");
        };
    }
}
