package dev.tern.compress.prune;

import dev.tern.compress.BadInputException;
import dev.tern.compress.data.CanvasSet;
import dev.tern.compress.data.Dataset;
import dev.tern.compress.data.MultiFashionData;
import dev.tern.compress.data.TaskLabels;
import dev.tern.compress.tf.TfModelGraph;
import dev.tern.compress.train.AdamGraph;
import dev.tern.compress.train.Trainer;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.TaskKind;
import dev.tern.runtime.model.TaskSpec;
import dev.tern.runtime.model.Tensor;
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
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Fine-tuning of an fp32 model under pruning masks, in TensorFlow Java (the way TF Model
 * Optimization's {@code prune_low_magnitude} works): every weight is a variable, each pruned
 * tensor enters the forward graph as weight x mask, so pruned weights get no gradient; at the
 * schedule's update steps the masks are recomputed from the current weights at the
 * scheduled sparsity and the pruned weights are set to zero, so they cannot come back by
 * Adam's momentum. Losses per task kind, weighted and summed: softmax cross-entropy for
 * multiclass heads, sigmoid cross-entropy for multilabel ones (on the logits: a head whose
 * output is a softmax or sigmoid node is trained on that node's input), mean squared error for
 * regression. Adam, one intra-op and one inter-op thread by default.
 */
public final class MaskedFineTuner {
    /** Recomputes the masks of the pruned tensors from their current values. */
    public interface MaskRule {
        Map<String, boolean[]> masks(Map<String, float[]> weights, double sparsity);
    }

    /** Settings of one fine-tuning run. */
    public static final class Options {
        public int epochs = 1;
        public int batchSize = 64;
        public int samples = 1024;
        public double learningRate = 1e-3;
        /**
         * Step from which the learning rate follows a cosine from {@link #learningRate} down to
         * 1% of it at the last step (the recovery phase once the sparsity is final); -1: constant.
         */
        public int decayFrom = -1;
        public int threads = 1;
        /** A progress bar per epoch on stderr (Progress: redrawn on a terminal, lines when piped). */
        public boolean progress;
        /** Loss weight per task name (missing: 1). */
        public Map<String, Double> taskWeights = Map.of();
        /**
         * Knowledge distillation (null: none): each task's loss becomes alpha x its hard-label
         * loss + (1 - alpha) x T^2 x the soft loss against the teacher's logits of the same
         * batch ({@link Trainer.Distillation}, {@link Trainer#softLoss}).
         */
        public Trainer.Distillation distillation;
        /** The progress bar's name ("fine-tune epoch 1/3"). */
        public String label = "fine-tune";
    }

    /** The fine-tuned model (pruned weights exactly zero), its masks, and the mean loss per epoch. */
    public record Outcome(ModelDef model, Map<String, boolean[]> masks, List<Double> epochLoss, double seconds) {
    }

    private MaskedFineTuner() {
    }

    /** {@link #run} on Multi-Fashion canvases. */
    public static Outcome runOnCanvases(ModelDef def, Set<String> pruned, MaskRule rule, PolynomialSchedule schedule,
                                        IntFunction<CanvasSet> epochs, Options o) {
        return run(def, pruned, rule, schedule, e -> new MultiFashionData(epochs.apply(e)), o);
    }

    /**
     * Checks before any work that {@code def} can be fine-tuned on {@code data}: float32, every
     * op buildable in TensorFlow, every task labeled (with its kind and width) in the data.
     */
    public static void check(ModelDef def, Dataset data) {
        if (def.isQuantized()) {
            throw new BadInputException("fine-tuning works on fp32 models (prune, fine-tune, then quantize); " + def.name() + " is int8");
        }
        checkBuildable(def);
        for (TaskSpec t : def.tasks()) {
            TaskLabels l = data.labels(t.name());
            if (l == null) {
                throw new BadInputException("fine-tuning needs labels for task '" + t.name() + "' (" + t.kind().id() + "); "
                        + data.name() + " labels " + (data.tasks().isEmpty() ? "no task" : String.join(", ", data.tasks())));
            }
            if (l.kind() != t.kind() || l.width() != t.size()) {
                throw new BadInputException("task '" + t.name() + "' is " + t.kind().id() + " with " + t.size() + " outputs; "
                        + data.name() + " labels it as " + l.kind().id() + " with " + l.width());
            }
        }
        if (data.sampleSize() != def.inputs().get(0).sampleSize()) {
            throw new BadInputException(data.name() + ": samples of " + data.sampleSize() + " values; input '"
                    + def.inputs().get(0).name() + "' takes " + def.inputs().get(0).sampleSize());
        }
    }

    /** Checks that TensorFlow can build every op of {@code def} (fine-tuning trains it there), naming each that blocks it. */
    public static void checkBuildable(ModelDef def) {
        List<TfModelGraph.Blocker> blocked = TfModelGraph.unsupported(def);
        if (!blocked.isEmpty()) {
            throw new BadInputException("fine-tuning cannot build " + def.name() + " in TensorFlow: "
                    + String.join("; ", blocked.stream().map(Object::toString).toList()));
        }
    }

    public static Outcome run(ModelDef def, Set<String> pruned, MaskRule rule, PolynomialSchedule schedule,
                              IntFunction<Dataset> epochs, Options o) {
        long start = System.nanoTime();
        check(def, epochs.apply(0));
        for (String t : o.taskWeights.keySet()) {
            if (def.tasks().stream().noneMatch(x -> x.name().equals(t))) {
                throw new BadInputException("task_weights names task '" + t + "'; " + def.name() + " has "
                        + String.join(", ", def.tasks().stream().map(TaskSpec::name).toList()));
            }
        }
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Tensor t : def.tensors().values()) {
            values.put(t.name(), t.floats());
            long[] s = new long[t.rank()];
            for (int i = 0; i < s.length; i++) {
                s[i] = t.dim(i);
            }
            shapes.put(t.name(), s);
        }
        for (String p : pruned) {
            if (!values.containsKey(p)) {
                throw new BadInputException("no weight tensor '" + p + "' in " + def.name());
            }
        }
        List<Double> losses = new ArrayList<>();
        Map<String, boolean[]> masks = new LinkedHashMap<>();
        ConfigProto config = ConfigProto.newBuilder().setIntraOpParallelismThreads(o.threads)
                .setInterOpParallelismThreads(1).build();
        try (Graph g = new Graph(); Session s = new Session(g, config)) {
            Ops tf = Ops.create(g);
            Map<String, Variable<TFloat32>> vars = new LinkedHashMap<>();
            Map<String, Operand<TFloat32>> reads = new LinkedHashMap<>();
            Map<String, Variable<TFloat32>> maskVars = new LinkedHashMap<>();
            Map<String, Placeholder<TFloat32>> maskFeeds = new LinkedHashMap<>();
            Map<String, Op> maskAssign = new LinkedHashMap<>();
            Map<String, Operand<TFloat32>> effective = new LinkedHashMap<>();
            Map<String, String> opNames = new LinkedHashMap<>(); // TensorFlow op names: w0, w1, ... (Tern names hold '/')
            for (String n : values.keySet()) {
                opNames.put(n, "w" + opNames.size());
            }
            for (Map.Entry<String, float[]> e : values.entrySet()) {
                Shape shape = Shape.of(shapes.get(e.getKey()));
                Variable<TFloat32> v = tf.withName(opNames.get(e.getKey())).variable(tf.constant(shape, DataBuffers.of(e.getValue(), true, false)));
                vars.put(e.getKey(), v);
                Operand<TFloat32> read = tf.identity(v);
                reads.put(e.getKey(), read);
                if (pruned.contains(e.getKey())) {
                    float[] ones = new float[e.getValue().length];
                    java.util.Arrays.fill(ones, 1f);
                    Variable<TFloat32> m = tf.withName(opNames.get(e.getKey()) + "_mask").variable(tf.constant(shape, DataBuffers.of(ones, true, false)));
                    Placeholder<TFloat32> feed = tf.placeholder(TFloat32.class, Placeholder.shape(shape));
                    maskVars.put(e.getKey(), m);
                    maskFeeds.put(e.getKey(), feed);
                    // new mask in, pruned weights to zero
                    Op setMask = tf.assign(m, feed);
                    Op zero = tf.withControlDependencies(List.of(setMask)).assign(v, tf.math.mul(read, feed));
                    maskAssign.put(e.getKey(), zero);
                    effective.put(e.getKey(), tf.math.mul(read, m));
                } else {
                    effective.put(e.getKey(), read);
                }
            }
            String inputName = def.inputs().get(0).name();
            int[] sample = def.inputs().get(0).sampleShape();
            long[] xShape = new long[sample.length + 1];
            xShape[0] = -1;
            for (int i = 0; i < sample.length; i++) {
                xShape[i + 1] = sample[i];
            }
            Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(xShape)));
            Map<String, Operand<TFloat32>> out = TfModelGraph.forward(tf, def, Map.of(inputName, x), effective::get);
            Map<String, Placeholder<TFloat32>> labels = new LinkedHashMap<>();
            Map<String, Placeholder<TFloat32>> teacherFeeds = new LinkedHashMap<>();
            Trainer.Distillation kd = o.distillation;
            Operand<TFloat32> total = null;
            for (TaskSpec t : def.tasks()) {
                Placeholder<TFloat32> y = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, t.size())));
                labels.put(t.name(), y);
                Operand<TFloat32> l = taskLoss(tf, def, t, out, y);
                if (kd != null) {
                    Placeholder<TFloat32> zt = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, t.size())));
                    teacherFeeds.put(t.name(), zt);
                    l = tf.math.add(tf.math.mul(l, tf.constant((float) kd.alpha)),
                            tf.math.mul(Trainer.softLoss(tf, t.kind(), logits(tf, def, t, out), zt, kd.temperature),
                                    tf.constant((float) ((1 - kd.alpha) * kd.temperature * kd.temperature))));
                }
                double w = o.taskWeights.getOrDefault(t.name(), 1.0);
                if (w != 1.0) {
                    l = tf.math.mul(l, tf.constant((float) w));
                }
                total = total == null ? l : tf.math.add(total, l);
            }
            Placeholder<TFloat32> lr = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
            List<String> names = new ArrayList<>(vars.keySet());
            List<Operand<?>> readList = new ArrayList<>();
            for (String n : names) {
                readList.add(reads.get(n));
            }
            List<Variable<TFloat32>> varList = new ArrayList<>();
            List<String> opNameList = new ArrayList<>();
            List<long[]> shapeList = new ArrayList<>();
            for (String n : names) {
                varList.add(vars.get(n));
                opNameList.add(opNames.get(n));
                shapeList.add(shapes.get(n));
            }
            AdamGraph adam = AdamGraph.build(tf, total, opNameList, varList, readList, shapeList, lr);
            List<Op> applies = adam.applies;
            List<Op> powers = adam.powers;
            s.initialize();

            int bs = o.batchSize;
            int stepsPerEpoch = Math.max(1, o.samples / bs);
            int sampleSize = def.inputs().get(0).sampleSize();
            float[] xb = new float[bs * sampleSize];
            long[] batchShape = xShape.clone();
            batchShape[0] = bs;
            int step = 0;
            int totalSteps = stepsPerEpoch * o.epochs;
            for (int e = 0; e < o.epochs; e++) {
                Dataset data = epochs.apply(e);
                if (data.size() < bs) {
                    throw new BadInputException("fine-tuning needs at least one batch (" + bs + " samples), " + data.name()
                            + " has " + data.size());
                }
                double sum = 0;
                int steps = Math.min(stepsPerEpoch, data.size() / bs);
                me.tongfei.progressbar.ProgressBar bar = o.progress
                        ? dev.tern.compress.Progress.bar(String.format("%s epoch %d/%d", o.label, e + 1, o.epochs), steps) : null;
                if (bar != null) {
                    dev.tern.compress.Progress.note(bar, "loss -.----");
                }
                try {
                    for (int b = 0; b < steps; b++, step++) {
                        if (schedule.updatesAt(step)) {
                            updateMasks(s, pruned, effective, maskFeeds, maskAssign, shapes, rule, schedule.sparsityAt(step), masks);
                        }
                        for (int i = 0; i < bs; i++) {
                            data.fill(b * bs + i, xb, i * sampleSize);
                        }
                        List<TFloat32> fed = new ArrayList<>();
                        try (TFloat32 xt = TFloat32.tensorOf(Shape.of(batchShape), DataBuffers.of(xb, true, false));
                             TFloat32 lrt = TFloat32.scalarOf((float) learningRate(o, step, totalSteps))) {
                            Session.Runner r = s.runner().feed(x, xt).feed(lr, lrt).fetch(total);
                            for (TaskSpec t : def.tasks()) {
                                TFloat32 yt = labelTensor(data.labels(t.name()), b * bs, bs);
                                fed.add(yt);
                                r.feed(labels.get(t.name()), yt);
                            }
                            if (kd != null) {
                                Map<String, float[]> z = kd.teacher.logits(xb, bs);
                                for (TaskSpec t : def.tasks()) {
                                    TFloat32 zt = TFloat32.tensorOf(Shape.of(bs, t.size()), DataBuffers.of(z.get(t.name()), true, false));
                                    fed.add(zt);
                                    r.feed(teacherFeeds.get(t.name()), zt);
                                }
                            }
                            applies.forEach(r::addTarget);
                            powers.forEach(r::addTarget);
                            try (Result res = r.run()) {
                                double lv = ((TFloat32) res.get(0)).getFloat();
                                if (!Double.isFinite(lv)) {
                                    throw new IllegalStateException("fine-tuning loss is " + lv + " at step " + step
                                            + "; lower the learning rate");
                                }
                                sum += lv;
                            }
                        } finally {
                            fed.forEach(TFloat32::close);
                        }
                        if (bar != null) {
                            bar.step();
                            dev.tern.compress.Progress.note(bar, String.format(java.util.Locale.ROOT, "loss %.4f", sum / (b + 1)));
                        }
                    }
                } finally {
                    if (bar != null) {
                        bar.close();
                    }
                }
                losses.add(sum / steps);
            }
            // the schedule's last update (one-shot schedules and short runs end here)
            updateMasks(s, pruned, effective, maskFeeds, maskAssign, shapes, rule, schedule.sparsityAt(Integer.MAX_VALUE), masks);
            for (Map.Entry<String, float[]> e : values.entrySet()) {
                try (Result res = s.runner().fetch(reads.get(e.getKey())).run()) {
                    ((TFloat32) res.get(0)).copyTo(DataBuffers.of(e.getValue(), false, false));
                }
                boolean[] keep = masks.get(e.getKey());
                if (keep != null) {
                    float[] w = e.getValue();
                    for (int i = 0; i < w.length; i++) {
                        if (!keep[i]) {
                            w[i] = 0f; // +0, not the -0 that w x 0 leaves for a negative w
                        }
                    }
                }
            }
        }
        List<Tensor> tensors = new ArrayList<>();
        for (Tensor t : def.tensors().values()) {
            tensors.add(Tensor.ofFloats(t.name(), t.shape(), values.get(t.name())));
        }
        ModelDef tuned = new ModelDef(def.name(), def.inputs(), tensors, def.nodes(), def.tasks(), def.outputs(), def.provenance());
        return new Outcome(tuned, masks, losses, (System.nanoTime() - start) / 1e9);
    }

    /**
     * The loss of one task, averaged over the batch: softmax cross-entropy (multiclass) or
     * sigmoid cross-entropy (multilabel) on the head's logits, mean squared error (regression).
     * A head whose output is probabilities is trained on its softmax or sigmoid node's input;
     * probabilities from any other op get the cross-entropy of the clipped probabilities.
     */
    /**
     * The logits of a classification head (its output, or its softmax / sigmoid node's input; a
     * head of probabilities from any other op gives log p, or log(p / (1 - p)) for a multilabel
     * head, of the clipped probabilities), or a regression head's output.
     */
    static Operand<TFloat32> logits(Ops tf, ModelDef def, TaskSpec t, Map<String, Operand<TFloat32>> out) {
        Operand<TFloat32> z = out.get(t.output());
        if (t.kind() == TaskKind.REGRESSION || t.logits()) {
            return z;
        }
        for (dev.tern.runtime.model.Node n : def.nodes()) {
            if (n.output().equals(t.output())
                    && (n.op() == dev.tern.runtime.model.OpType.SOFTMAX && t.kind() == TaskKind.MULTICLASS
                    || n.op() == dev.tern.runtime.model.OpType.SIGMOID && t.kind() == TaskKind.MULTILABEL)) {
                return out.get(n.input(0));
            }
        }
        Operand<TFloat32> p = tf.clipByValue(z, tf.constant(1e-7f), tf.constant(1f - 1e-7f));
        return t.kind() == TaskKind.MULTICLASS ? tf.math.log(p) : tf.math.log(tf.math.div(p, tf.math.sub(tf.onesLike(p), p)));
    }

    static Operand<TFloat32> taskLoss(Ops tf, ModelDef def, TaskSpec t, Map<String, Operand<TFloat32>> out, Operand<TFloat32> y) {
        Operand<TFloat32> z = out.get(t.output());
        if (t.kind() == TaskKind.REGRESSION) {
            return tf.math.mean(tf.math.squaredDifference(z, y), tf.constant(new int[] {0, 1}));
        }
        boolean logits = t.logits();
        if (!logits) {
            for (dev.tern.runtime.model.Node n : def.nodes()) {
                if (n.output().equals(t.output())
                        && (n.op() == dev.tern.runtime.model.OpType.SOFTMAX && t.kind() == TaskKind.MULTICLASS
                        || n.op() == dev.tern.runtime.model.OpType.SIGMOID && t.kind() == TaskKind.MULTILABEL)) {
                    z = out.get(n.input(0));
                    logits = true;
                }
            }
        }
        if (!logits) {
            Operand<TFloat32> p = tf.clipByValue(z, tf.constant(1e-7f), tf.constant(1f - 1e-7f));
            Operand<TFloat32> ce = t.kind() == TaskKind.MULTICLASS
                    ? tf.math.neg(tf.math.mul(y, tf.math.log(p)))
                    : tf.math.neg(tf.math.add(tf.math.mul(y, tf.math.log(p)),
                    tf.math.mul(tf.math.sub(tf.onesLike(y), y), tf.math.log(tf.math.sub(tf.onesLike(p), p)))));
            Operand<TFloat32> perSample = tf.sum(ce, tf.constant(1));
            return t.kind() == TaskKind.MULTICLASS ? tf.math.mean(perSample, tf.constant(0))
                    : tf.math.div(tf.math.mean(perSample, tf.constant(0)), tf.constant((float) t.size()));
        }
        if (t.kind() == TaskKind.MULTILABEL) {
            Operand<TFloat32> ce = tf.math.add(tf.math.sub(tf.math.maximum(z, tf.zerosLike(z)), tf.math.mul(z, y)),
                    tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(z)))));
            return tf.math.mean(ce, tf.constant(new int[] {0, 1}));
        }
        return tf.math.mean(tf.nn.softmaxCrossEntropyWithLogits(z, y).loss(), tf.constant(0));
    }

    /** Rows [from, from + count) of a task's labels as [count, width]: one-hot, multi-hot or the targets. */
    static TFloat32 labelTensor(TaskLabels l, int from, int count) {
        int w = l.width();
        float[] y = new float[count * w];
        for (int i = 0; i < count; i++) {
            switch (l.kind()) {
                case MULTICLASS:
                    y[i * w + l.classes()[from + i]] = 1f;
                    break;
                case MULTILABEL: {
                    boolean[] row = l.multiHot()[from + i];
                    for (int c = 0; c < w; c++) {
                        y[i * w + c] = row[c] ? 1f : 0f;
                    }
                    break;
                }
                default:
                    System.arraycopy(l.values()[from + i], 0, y, i * w, w);
                    break;
            }
        }
        return TFloat32.tensorOf(Shape.of(count, w), DataBuffers.of(y, true, false));
    }

    /** The learning rate at {@code step}: constant, then (from {@code decayFrom}) a cosine down to 1%. */
    static double learningRate(Options o, int step, int totalSteps) {
        if (o.decayFrom < 0 || step < o.decayFrom || totalSteps <= o.decayFrom + 1) {
            return o.learningRate;
        }
        double t = Math.min(1.0, (step - o.decayFrom) / (double) (totalSteps - 1 - o.decayFrom));
        double floor = 0.01 * o.learningRate;
        return floor + (o.learningRate - floor) * 0.5 * (1 + Math.cos(Math.PI * t));
    }

    /**
     * New masks from the masked weights (as TF-MOT: a weight pruned once stays pruned while the
     * sparsity rises, even if Adam's momentum moved its variable), fed to the mask variables,
     * and the pruned variables set to zero.
     */
    private static void updateMasks(Session s, Set<String> pruned, Map<String, Operand<TFloat32>> reads,
                                     Map<String, Placeholder<TFloat32>> feeds, Map<String, Op> assign, Map<String, long[]> shapes,
                                     MaskRule rule, double sparsity, Map<String, boolean[]> masks) {
        if (pruned.isEmpty()) {
            return;
        }
        Map<String, float[]> current = new LinkedHashMap<>();
        for (String p : pruned) {
            try (Result res = s.runner().fetch(reads.get(p)).run()) {
                TFloat32 t = (TFloat32) res.get(0);
                float[] v = new float[Math.toIntExact(t.size())];
                t.copyTo(DataBuffers.of(v, false, false));
                current.put(p, v);
            }
        }
        Map<String, boolean[]> next = rule.masks(current, sparsity);
        Session.Runner r = s.runner();
        List<TFloat32> fed = new ArrayList<>();
        try {
            for (String p : pruned) {
                boolean[] keep = next.get(p);
                float[] m = new float[keep.length];
                for (int i = 0; i < m.length; i++) {
                    m[i] = keep[i] ? 1f : 0f;
                }
                TFloat32 mt = TFloat32.tensorOf(Shape.of(shapes.get(p)), DataBuffers.of(m, true, false));
                fed.add(mt);
                r.feed(feeds.get(p), mt).addTarget(assign.get(p));
                masks.put(p, keep);
            }
            r.run().close();
        } finally {
            fed.forEach(TFloat32::close);
        }
    }
}
