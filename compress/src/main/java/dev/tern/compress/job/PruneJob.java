package dev.tern.compress.job;

import dev.tern.compress.BadInputException;
import dev.tern.compress.data.Dataset;
import dev.tern.compress.data.MultiFashion;
import dev.tern.compress.data.TrainingData;
import dev.tern.compress.prune.ChannelSurgery;
import dev.tern.compress.prune.MagnitudePruner;
import dev.tern.compress.prune.MaskedFineTuner;
import dev.tern.compress.prune.PolynomialSchedule;
import dev.tern.compress.prune.PruneRules;
import dev.tern.compress.prune.PruneTarget;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.Tensor;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Magnitude pruning with fine-tuning in TensorFlow Java (docs/PRUNING.md): unstructured,
 * global, 2:4 or whole channels (then removed by {@link ChannelSurgery}, so the model
 * shrinks), one-shot or along a gradual schedule, masks held at every step.
 */
public final class PruneJob {
    /** Seed of the training-canvas order fine-tuning draws from. */
    public static final long FINETUNE_SEED = 0x5EED_9E0EL;

    private PruneJob() {
    }

    /** The pruned model; {@code prunedSparsity}: the share of zeros in the pruned layers' weights as written. */
    public record Outcome(ModelDef model, Provenance.Step step, Set<String> prunedTensors, double prunedSparsity,
                          List<Double> epochLoss, double seconds) {
    }

    /** Checks that {@code def} can be pruned with {@code c} before any work (layers, float32, input shape). */
    public static Map<String, Node> check(ModelDef def, PruneConfig c) {
        if (def.isQuantized()) {
            throw new BadInputException("prune works on fp32 models (prune, fine-tune, then quantize); " + def.name() + " is int8");
        }
        if (c.epochs > 0) {
            QuantizeJob.checkCanvasInput(def.inputs().get(0));
            MaskedFineTuner.checkBuildable(def);
        }
        return targets(def, c);
    }

    /** Prunes {@code in}; {@code data} gives the fine-tuning canvases (may be null with epochs 0). */
    public static Outcome run(ModelInput in, PruneConfig c, MultiFashion data, PrintWriter progress) {
        check(in.def(), c);
        return run(in, c, data == null ? null : TrainingData.multiFashion(data, FINETUNE_SEED), progress);
    }

    /**
     * Prunes {@code in}; {@code data} gives the fine-tuning samples (may be null with epochs 0):
     * Multi-Fashion canvases or a user data set's train split (docs/DATA.md).
     */
    public static Outcome run(ModelInput in, PruneConfig c, TrainingData data, PrintWriter progress) {
        ModelDef def = in.def();
        if (def.isQuantized()) {
            throw new BadInputException("prune works on fp32 models (prune, fine-tune, then quantize); " + def.name() + " is int8");
        }
        Map<String, Node> targets = targets(def, c);
        if (c.epochs > 0 && data == null) {
            throw new BadInputException("fine-tuning needs training data (a Fashion-MNIST folder); epochs 0 prunes without fine-tuning");
        }
        if (c.epochs > 0) {
            MaskedFineTuner.check(def, data.epoch(0));
        }
        String k = c.kind;
        double s = c.sparsity;
        Map<String, int[]> shapes = new LinkedHashMap<>();
        Set<String> tensors = new LinkedHashSet<>();
        for (Node n : targets.values()) {
            tensors.add(n.input(1));
            shapes.put(n.input(1), def.tensor(n.input(1)).shape());
        }
        // Channel pruning masks a channel's bias with its weights: otherwise the fine-tuned
        // network leans on relu(bias) of channels the surgery then removes.
        Map<String, String> biasOf = new LinkedHashMap<>();
        if (k.equals("channel")) {
            for (Node n : targets.values()) {
                if (n.inputs().size() > 2 && def.tensors().containsKey(n.input(2))) {
                    biasOf.put(n.input(2), n.input(1));
                }
            }
        }
        MaskedFineTuner.MaskRule rule = PruneRules.rule(k, shapes, biasOf);
        Set<String> tuned = new LinkedHashSet<>(tensors);
        tuned.addAll(biasOf.keySet());
        int stepsPerEpoch = Math.max(1, c.samples / c.batch);
        int total = stepsPerEpoch * c.epochs;
        PolynomialSchedule sched = c.gradual && total >= 3
                ? new PolynomialSchedule(0, s, 0, Math.max(1, total * 2 / 3), Math.max(1, total / 30))
                : PolynomialSchedule.oneShot(s);
        ModelDef pruned;
        Map<String, boolean[]> masks;
        List<Double> losses = List.of();
        long t0 = System.nanoTime();
        if (c.epochs > 0) {
            MaskedFineTuner.Options opt = new MaskedFineTuner.Options();
            opt.epochs = c.epochs;
            opt.batchSize = c.batch;
            opt.samples = c.samples;
            opt.learningRate = c.lr;
            opt.decayFrom = c.cosine ? (c.gradual ? sched.end() : 0) : -1;
            opt.threads = c.threads;
            opt.progress = progress != null;
            opt.taskWeights = c.taskWeights;
            if (progress != null) {
                progress.printf("fine-tuning %d epochs x %d steps (%s, %s schedule)%n", c.epochs, stepsPerEpoch, k,
                        c.gradual ? "gradual" : "one-shot");
                progress.flush();
            }
            MaskedFineTuner.Outcome r = MaskedFineTuner.run(def, tuned, rule, sched, e -> {
                Dataset ep = data.epoch(e);
                return ep.head(Math.min(c.samples, ep.size()));
            }, opt);
            pruned = r.model();
            masks = r.masks();
            losses = r.epochLoss();
        } else {
            Map<String, float[]> w = new LinkedHashMap<>();
            for (String t : tensors) {
                w.put(t, def.tensor(t).floats());
            }
            masks = rule.masks(w, s);
            List<Tensor> ts = new ArrayList<>();
            for (Tensor t : def.tensors().values()) {
                ts.add(masks.containsKey(t.name()) ? Tensor.ofFloats(t.name(), t.shape(), MagnitudePruner.apply(t.floats(), masks.get(t.name()))) : t);
            }
            pruned = new ModelDef(def.name(), def.inputs(), ts, def.nodes(), def.tasks(), def.outputs(), def.provenance());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> results = new LinkedHashMap<>();
        if (k.equals("channel")) {
            Map<String, boolean[]> kept = new LinkedHashMap<>();
            for (Node n : targets.values()) {
                boolean[] mask = masks.get(n.input(1));
                int ch = shapes.get(n.input(1))[0];
                boolean[] keep = new boolean[ch];
                int per = mask.length / ch;
                for (int i = 0; i < ch; i++) {
                    keep[i] = mask[i * per];
                }
                kept.put(n.name(), keep);
            }
            pruned = ChannelSurgery.remove(pruned, kept);
            results.put("channels", ChannelSurgery.summary(kept));
        }
        if (k.equals("2:4")) {
            for (String t : tensors) {
                PruneRules.check24(t, pruned.tensor(t).floats());
            }
        }
        long zeros = 0;
        long count = 0;
        for (String t : tensors) {
            if (pruned.tensors().containsKey(t)) {
                for (float v : pruned.tensor(t).floats()) {
                    zeros += v == 0f ? 1 : 0;
                    count++;
                }
            }
        }
        Map<String, String> inputs = new LinkedHashMap<>();
        inputs.put(in.name(), in.checksum());
        if (c.epochs > 0) {
            inputs.putAll(data.checksums());
        }
        Provenance.Step step = Provenance.Step.of("prune", c.settings().values(), inputs,
                c.epochs > 0 ? data.describe(c.epochs, c.samples) : null, c.epochs > 0 ? data.seed() : null, results);
        return new Outcome(Provenance.append(pruned, step), step, tensors, count == 0 ? 0 : (double) zeros / count, losses, seconds);
    }

    /** The dense and conv2d layers to prune, by node name. */
    static Map<String, Node> targets(ModelDef def, PruneConfig c) {
        String k = c.kind;
        Map<String, Node> all = new LinkedHashMap<>();
        for (Node n : def.nodes()) {
            if ((n.op() == OpType.DENSE || n.op() == OpType.CONV2D) && def.tensors().containsKey(n.input(1))) {
                all.put(n.name(), n);
            }
        }
        Map<String, Node> chosen = new LinkedHashMap<>();
        if (c.layers != null) {
            for (String name : c.layers) {
                Node n = all.get(name);
                if (n == null) {
                    throw c.settings().bad("layers", "'" + name + "' is not a dense or conv2d layer of " + def.name()
                            + " (layers: " + String.join(", ", all.keySet()) + ")");
                }
                if (k.equals("2:4")) {
                    int[] shape = def.tensor(n.input(1)).shape();
                    MagnitudePruner.nOfM(new PruneTarget(n.name(), new float[def.tensor(n.input(1)).elementCount()], shape, 0,
                            shape.length - 1), 2, 4);
                }
                if (k.equals("channel")) {
                    boolean[] all1 = new boolean[def.tensor(n.input(1)).shape()[0]];
                    Arrays.fill(all1, true);
                    ChannelSurgery.remove(def, Map.of(n.name(), all1)); // throws when it cannot be rewired
                }
                chosen.put(name, n);
            }
        } else {
            for (Node n : all.values()) {
                int[] shape = def.tensor(n.input(1)).shape();
                if (k.equals("2:4") && shape[shape.length - 1] % 4 != 0) {
                    continue;
                }
                if (k.equals("channel")) {
                    boolean[] all1 = new boolean[shape[0]];
                    Arrays.fill(all1, true);
                    try {
                        ChannelSurgery.remove(def, Map.of(n.name(), all1));
                    } catch (BadInputException e) {
                        continue; // a head, or a layer feeding something that cannot be rewired
                    }
                }
                chosen.put(n.name(), n);
            }
        }
        if (chosen.isEmpty()) {
            throw new BadInputException("no layer of " + def.name() + " can be pruned with kind " + k);
        }
        return chosen;
    }
}
