package dev.tern.compress.train;

import dev.tern.compress.BadInputException;
import dev.tern.runtime.model.TaskKind;

import dev.tern.compress.data.CanvasSet;
import dev.tern.compress.Progress;
import me.tongfei.progressbar.ProgressBar;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Trains a {@link MultiTaskNet} with TensorFlow Java in graph mode: per-task losses
 * (softmax cross-entropy on one-hot labels for {@code left}/{@code right}, sigmoid
 * cross-entropy for {@code present}) weighted by the recipe, plus the soft-sharing tie;
 * Adam (TensorFlow's ApplyAdam kernel) with a cosine-decayed learning rate fed per step;
 * fixed thread counts and seeds, so a rerun on the same machine gives the same weights.
 */
public final class Trainer {
    private final TrainRecipe recipe;
    private final MultiTaskNet net;

    public Trainer(TrainRecipe recipe) {
        this.recipe = recipe;
        this.net = new MultiTaskNet(recipe);
    }

    /** What training produced: weights, per-epoch losses, test metrics, time. */
    public static final class Outcome {
        public final Map<String, float[]> weights;
        public final Map<String, long[]> shapes;
        public final List<Map<String, Double>> epochLosses;
        public final Map<String, Double> testAccuracy;
        public final double seconds;
        public final long params;

        Outcome(Weights w, List<Map<String, Double>> losses, Map<String, Double> acc, double seconds) {
            this.weights = w.view();
            this.shapes = w.shapes;
            this.epochLosses = losses;
            this.testAccuracy = acc;
            this.seconds = seconds;
            this.params = w.params();
        }
    }

    /**
     * Trains for the recipe's epochs. {@code epochs.apply(e)} gives epoch e's training
     * canvases (fresh pairs per epoch); {@code test} is evaluated after the last epoch
     * (left/right accuracy, present subset accuracy at 0.5), or skipped when null.
     */
    public Outcome train(IntFunction<CanvasSet> epochs, CanvasSet test, boolean progress) {
        return train(epochs, test, progress, null);
    }

    /**
     * Knowledge distillation (Hinton et al. 2015): what the student learns from per task,
     * besides its hard labels. The loss of task t is
     * {@code alpha * hard_t + (1 - alpha) * T^2 * soft_t}: for a multiclass head soft_t is
     * KL(softmax(z_teacher / T) || softmax(z / T)); for the multilabel head, the sigmoid
     * cross-entropy of z / T against the targets sigmoid(z_teacher / T) (the same gradient
     * as the KL of each label's Bernoulli). T^2 keeps the soft gradients' scale independent
     * of T. Alpha 1 is plain training on hard labels.
     */
    public static final class Distillation {
        /**
         * Teacher logits of a batch: count samples (canvases [count, 36, 36, 1] in [0, 1] for
         * the edge students, the model's input for a derived one) to logits [count, width] per task.
         */
        public interface Teacher {
            Map<String, float[]> logits(float[] images, int count);
        }

        public final Teacher teacher;
        public final double temperature;
        public final double alpha;

        public Distillation(Teacher teacher, double temperature, double alpha) {
            if (!(temperature > 0) || Double.isInfinite(temperature)) {
                throw new BadInputException("temperature must be > 0, got " + temperature);
            }
            if (!(alpha >= 0 && alpha <= 1)) {
                throw new BadInputException("alpha must lie in [0, 1], got " + alpha);
            }
            this.teacher = teacher;
            this.temperature = temperature;
            this.alpha = alpha;
        }
    }

    /** {@link #train(IntFunction, CanvasSet, boolean)}, learning from a teacher too when {@code kd} is given. */
    public Outcome train(IntFunction<CanvasSet> epochs, CanvasSet test, boolean progress, Distillation kd) {
        long start = System.nanoTime();
        Weights w = net.init();
        List<Map<String, Double>> losses = new ArrayList<>();
        Map<String, Double> acc = new LinkedHashMap<>();
        ConfigProto config = ConfigProto.newBuilder().setIntraOpParallelismThreads(recipe.threads)
                .setInterOpParallelismThreads(1).build();
        try (Graph g = new Graph(); Session s = new Session(g, config)) {
            Ops tf = Ops.create(g);
            Map<String, Variable<TFloat32>> vars = new LinkedHashMap<>();
            Map<String, Operand<TFloat32>> reads = new LinkedHashMap<>();
            for (Map.Entry<String, float[]> e : w.values.entrySet()) {
                Operand<TFloat32> init = constant(tf, e.getValue(), w.shapes.get(e.getKey()));
                Variable<TFloat32> v = tf.withName(e.getKey()).variable(init);
                vars.put(e.getKey(), v);
                reads.put(e.getKey(), tf.identity(v));
            }
            Placeholder<TFloat32> x = tf.placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(-1, MultiTaskNet.SIDE, MultiTaskNet.SIDE, 1)));
            Map<String, Placeholder<TFloat32>> labels = new LinkedHashMap<>();
            for (String task : recipe.tasks) {
                labels.put(task, tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, MultiTaskNet.CLASSES))));
            }
            Placeholder<TFloat32> lr = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
            Map<String, Placeholder<TFloat32>> teacherLogits = new LinkedHashMap<>();
            if (kd != null) {
                for (String task : recipe.tasks) {
                    teacherLogits.put(task, tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, MultiTaskNet.CLASSES))));
                }
            }

            Map<String, Operand<TFloat32>> bnNewValues = new LinkedHashMap<>();
            Map<String, Operand<TFloat32>> logits = net.forward(tf, x, reads::get, MultiTaskNet.Mode.TRAIN,
                    bnNewValues::put);
            Map<String, Operand<TFloat32>> taskLoss = new LinkedHashMap<>();
            Operand<TFloat32> total = null;
            for (String task : recipe.tasks) {
                Operand<TFloat32> z = logits.get(task);
                Operand<TFloat32> y = labels.get(task);
                Operand<TFloat32> l;
                if (task.equals("present")) {
                    // Stable sigmoid cross-entropy: max(z, 0) - z * y + log(1 + exp(-|z|)).
                    Operand<TFloat32> ce = tf.math.add(tf.math.sub(tf.math.maximum(z, tf.zerosLike(z)), tf.math.mul(z, y)),
                            tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(z)))));
                    l = tf.math.mean(ce, tf.constant(new int[] {0, 1}));
                } else {
                    l = tf.math.mean(tf.nn.softmaxCrossEntropyWithLogits(z, y).loss(), tf.constant(0));
                }
                taskLoss.put(task, l);
                if (kd != null) {
                    l = tf.math.add(tf.math.mul(l, tf.constant((float) kd.alpha)),
                            tf.math.mul(softLoss(tf, task, z, teacherLogits.get(task), kd.temperature),
                                    tf.constant((float) ((1 - kd.alpha) * kd.temperature * kd.temperature))));
                }
                Operand<TFloat32> weighted = tf.math.mul(l, tf.constant((float) recipe.lossWeight(task)));
                total = total == null ? weighted : tf.math.add(total, weighted);
            }
            if (recipe.sharing.equals("soft")) {
                total = tf.math.add(total, tf.math.mul(net.tiePenalty(tf, reads::get, w), tf.constant((float) recipe.softTie)));
            }

            // Adam on every trainable parameter (batch-norm moving statistics are not trained).
            List<String> trainable = new ArrayList<>();
            List<Operand<?>> trainableReads = new ArrayList<>();
            for (String name : w.values.keySet()) {
                if (!name.endsWith("_mean") && !name.endsWith("_var")) {
                    trainable.add(name);
                    trainableReads.add(reads.get(name));
                }
            }
            List<Variable<TFloat32>> trainableVars = new ArrayList<>();
            List<long[]> trainableShapes = new ArrayList<>();
            for (String name : trainable) {
                trainableVars.add(vars.get(name));
                trainableShapes.add(w.shapes.get(name));
            }
            AdamGraph adam = AdamGraph.build(tf, total, trainable, trainableVars, trainableReads, trainableShapes, lr);
            List<Op> applies = adam.applies;
            List<Op> bnUpdates = new ArrayList<>();
            for (Map.Entry<String, Operand<TFloat32>> e : bnNewValues.entrySet()) {
                bnUpdates.add(adam.afterGradients.assign(vars.get(e.getKey()), tf.identity(e.getValue())));
            }
            List<Op> powerUpdates = adam.powers;

            Map<String, Operand<TFloat32>> evalLogits = net.forward(tf, x, reads::get, MultiTaskNet.Mode.EVAL,
                    MultiTaskNet.BnUpdater.NONE);
            s.initialize();

            int bs = recipe.batchSize;
            int imageSize = MultiTaskNet.SIDE * MultiTaskNet.SIDE;
            float[] xb = new float[bs * imageSize];
            int stepsPerEpoch = recipe.trainSamples / bs;
            int totalSteps = stepsPerEpoch * recipe.epochs;
            int step = 0;
            for (int e = 0; e < recipe.epochs; e++) {
                CanvasSet data = epochs.apply(e);
                Map<String, Double> sums = new LinkedHashMap<>();
                ProgressBar bar = progress ? Progress.bar(String.format("epoch %d/%d", e + 1, recipe.epochs), stepsPerEpoch) : null;
                if (bar != null) {
                    StringBuilder placeholder = new StringBuilder();
                    for (String task : recipe.tasks) {
                        placeholder.append(task).append(" -.--- ");
                    }
                    Progress.note(bar, placeholder.toString().trim());
                }
                try {
                    for (int b = 0; b < stepsPerEpoch; b++, step++) {
                        images(data, b * bs, bs, xb);
                        double cos = 0.5 * (1 + Math.cos(Math.PI * step / totalSteps));
                        float rate = (float) (recipe.finalLearningRate + (recipe.learningRate - recipe.finalLearningRate) * cos);
                        try (TFloat32 xt = TFloat32.tensorOf(Shape.of(bs, MultiTaskNet.SIDE, MultiTaskNet.SIDE, 1), DataBuffers.of(xb, true, false));
                             TFloat32 lrt = TFloat32.scalarOf(rate)) {
                            Session.Runner r = s.runner().feed(x, xt).feed(lr, lrt);
                            List<TFloat32> fed = new ArrayList<>();
                            for (String task : recipe.tasks) {
                                TFloat32 yt = labelTensor(data, task, b * bs, bs);
                                fed.add(yt);
                                r.feed(labels.get(task), yt);
                            }
                            if (kd != null) {
                                Map<String, float[]> tz = kd.teacher.logits(xb, bs);
                                for (String task : recipe.tasks) {
                                    TFloat32 t = TFloat32.tensorOf(Shape.of(bs, MultiTaskNet.CLASSES), DataBuffers.of(tz.get(task), true, false));
                                    fed.add(t);
                                    r.feed(teacherLogits.get(task), t);
                                }
                            }
                            for (Operand<TFloat32> l : taskLoss.values()) {
                                r.fetch(l);
                            }
                            for (Op op : applies) {
                                r.addTarget(op);
                            }
                            for (Op op : bnUpdates) {
                                r.addTarget(op);
                            }
                            for (Op op : powerUpdates) {
                                r.addTarget(op);
                            }
                            try (Result res = r.run()) {
                                int i = 0;
                                StringBuilder msg = new StringBuilder();
                                for (String task : recipe.tasks) {
                                    double lv = ((TFloat32) res.get(i++)).getFloat();
                                    if (!Double.isFinite(lv)) {
                                        throw new IllegalStateException("loss of task " + task + " is " + lv + " at step " + step
                                                + "; lower learning_rate");
                                    }
                                    sums.merge(task, lv, Double::sum);
                                    msg.append(task).append(' ').append(String.format(java.util.Locale.ROOT, "%.3f", sums.get(task) / (b + 1))).append(' ');
                                }
                                if (bar != null) {
                                    bar.step();
                                    Progress.note(bar, msg.toString().trim());
                                }
                            } finally {
                                for (TFloat32 t : fed) {
                                    t.close();
                                }
                            }
                        }
                    }
                } finally {
                    if (bar != null) {
                        bar.close();
                    }
                }
                Map<String, Double> avg = new LinkedHashMap<>();
                for (Map.Entry<String, Double> en : sums.entrySet()) {
                    avg.put(en.getKey(), en.getValue() / stepsPerEpoch);
                }
                losses.add(avg);
            }
            // Read back every parameter.
            for (String name : w.values.keySet()) {
                try (Result res = s.runner().fetch(reads.get(name)).run()) {
                    TFloat32 t = (TFloat32) res.get(0);
                    t.copyTo(DataBuffers.of(w.values.get(name), false, false));
                }
            }
            if (test != null) {
                acc.putAll(evaluate(s, x, evalLogits, test));
            }
        }
        return new Outcome(w, losses, acc, (System.nanoTime() - start) / 1e9);
    }

    /** The soft-target loss of a Multi-Fashion task: {@code present} is multilabel, the others multiclass. */
    static Operand<TFloat32> softLoss(Ops tf, String task, Operand<TFloat32> z, Operand<TFloat32> teacher, double temperature) {
        return softLoss(tf, task.equals("present") ? TaskKind.MULTILABEL : TaskKind.MULTICLASS, z, teacher, temperature);
    }

    /**
     * The soft-target loss of one head at temperature T (before the T^2 factor; see
     * {@link Distillation}): KL of the softened softmax (multiclass), cross-entropy against
     * the softened teacher sigmoids (multilabel), or, for a regression head, the mean squared
     * difference to the teacher's outputs (no temperature: divide it out of the T^2 factor).
     */
    public static Operand<TFloat32> softLoss(Ops tf, TaskKind kind, Operand<TFloat32> z, Operand<TFloat32> teacher, double temperature) {
        if (kind == TaskKind.REGRESSION) {
            Operand<TFloat32> d = tf.math.sub(z, teacher);
            return tf.math.div(tf.math.mean(tf.math.mul(d, d), tf.constant(new int[] {0, 1})),
                    tf.constant((float) (temperature * temperature)));
        }
        String task = kind == TaskKind.MULTILABEL ? "present" : "left";
        Operand<TFloat32> invT = tf.constant((float) (1 / temperature));
        Operand<TFloat32> zs = tf.math.mul(z, invT);
        Operand<TFloat32> zt = tf.math.mul(teacher, invT);
        if (task.equals("present")) {
            Operand<TFloat32> q = tf.math.sigmoid(zt);
            Operand<TFloat32> ce = tf.math.add(tf.math.sub(tf.math.maximum(zs, tf.zerosLike(zs)), tf.math.mul(zs, q)),
                    tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(zs)))));
            return tf.math.mean(ce, tf.constant(new int[] {0, 1}));
        }
        Operand<TFloat32> logPt = tf.nn.logSoftmax(zt);
        Operand<TFloat32> kl = tf.reduceSum(tf.math.mul(tf.math.exp(logPt), tf.math.sub(logPt, tf.nn.logSoftmax(zs))),
                tf.constant(1));
        return tf.math.mean(kl, tf.constant(0));
    }

    /** Canvases [from, from + count) of {@code data} as floats in [0, 1] into dst. */
    public static void images(CanvasSet data, int from, int count, float[] dst) {
        int size = MultiTaskNet.SIDE * MultiTaskNet.SIDE;
        for (int i = 0; i < count; i++) {
            data.fill(from + i, dst, i * size);
        }
    }

    /** One-hot (left, right) or multi-hot (present) labels of canvases [from, from + count), [count, 10]. */
    public static TFloat32 labelTensor(CanvasSet data, String task, int from, int count) {
        float[] y = new float[count * MultiTaskNet.CLASSES];
        for (int i = 0; i < count; i++) {
            int idx = from + i;
            if (task.equals("present")) {
                for (int l = 0; l < MultiTaskNet.CLASSES; l++) {
                    y[i * MultiTaskNet.CLASSES + l] = data.present(idx, l) ? 1f : 0f;
                }
            } else {
                y[i * MultiTaskNet.CLASSES + (task.equals("left") ? data.left(idx) : data.right(idx))] = 1f;
            }
        }
        return TFloat32.tensorOf(Shape.of(count, MultiTaskNet.CLASSES), DataBuffers.of(y, true, false));
    }

    /** Test accuracy of left/right (argmax) and exact-match accuracy of present (sigmoid > 0.5). */
    private Map<String, Double> evaluate(Session s, Placeholder<TFloat32> x, Map<String, Operand<TFloat32>> logits, CanvasSet test) {
        int bs = 500;
        int imageSize = MultiTaskNet.SIDE * MultiTaskNet.SIDE;
        float[] xb = new float[bs * imageSize];
        Map<String, Integer> correct = new LinkedHashMap<>();
        int n = 0;
        for (int from = 0; from < test.size(); from += bs) {
            int count = Math.min(bs, test.size() - from);
            images(test, from, count, xb);
            try (TFloat32 xt = TFloat32.tensorOf(Shape.of(count, MultiTaskNet.SIDE, MultiTaskNet.SIDE, 1),
                    DataBuffers.of(xb, true, false).narrow(count * imageSize))) {
                Session.Runner r = s.runner().feed(x, xt);
                for (Operand<TFloat32> l : logits.values()) {
                    r.fetch(l);
                }
                try (Result res = r.run()) {
                    int k = 0;
                    for (String task : logits.keySet()) {
                        TFloat32 z = (TFloat32) res.get(k++);
                        int ok = 0;
                        for (int i = 0; i < count; i++) {
                            if (task.equals("present")) {
                                boolean all = true;
                                for (int l = 0; l < MultiTaskNet.CLASSES; l++) {
                                    all &= (z.getFloat(i, l) > 0) == test.present(from + i, l);
                                }
                                ok += all ? 1 : 0;
                            } else {
                                int best = 0;
                                for (int c = 1; c < MultiTaskNet.CLASSES; c++) {
                                    if (z.getFloat(i, c) > z.getFloat(i, best)) {
                                        best = c;
                                    }
                                }
                                ok += best == (task.equals("left") ? test.left(from + i) : test.right(from + i)) ? 1 : 0;
                            }
                        }
                        correct.merge(task, ok, Integer::sum);
                    }
                }
            }
            n += count;
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : correct.entrySet()) {
            out.put(e.getKey(), e.getValue() / (double) n);
        }
        return out;
    }

    static Operand<TFloat32> constant(Ops tf, float[] v, long[] shape) {
        return tf.constant(Shape.of(shape), DataBuffers.of(v, true, false));
    }
}
