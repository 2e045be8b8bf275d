package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.compress.BadInputException;
import dev.tern.compress.TernVersion;
import dev.tern.compress.data.CanvasSet;
import dev.tern.compress.data.MultiFashion;
import dev.tern.compress.eval.Evaluator;
import dev.tern.compress.eval.TernPredictor;
import dev.tern.compress.prune.ChannelSurgery;
import dev.tern.compress.prune.MagnitudePruner;
import dev.tern.compress.prune.MaskedFineTuner;
import dev.tern.compress.prune.PolynomialSchedule;
import dev.tern.compress.prune.PruneTarget;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.format.TernWriter;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code tern prune IN --sparsity S --kind K [--schedule oneshot|gradual] [--epochs N] --data DIR --out OUT}. */
@Command(name = "prune", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Magnitude pruning with fine-tuning in TensorFlow Java (docs/PRUNING.md).",
            "IN is a float32 .tern file or a SavedModel folder. --kind unstructured prunes the smallest weights of each "
                + "dense and conv layer, global ranks them over all layers together, channel removes whole output "
                + "channels (by L1 norm) and rewires the next layers, so the model really shrinks, 2:4 keeps the 2 "
                + "largest of every 4 consecutive weights along the input (layers whose input is not a multiple of 4 "
                + "are skipped unless named with --layers, which is then an error).",
            "Fine-tuning trains on Multi-Fashion canvases from --data with the mask applied at every step; gradual "
                + "raises the sparsity along Zhu & Gupta's cubic schedule over the first two thirds of the steps. "
                + "--epochs 0 prunes without fine-tuning. The per-task metrics before and after are measured on "
                + "--eval-samples test canvases."})
public final class PruneCommand implements Callable<Integer> {
    static final long FINETUNE_SEED = 0x5EED_9E0EL;

    @Parameters(paramLabel = "IN", description = "A float32 .tern file or a SavedModel folder (never modified).")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "OUT.tern", description = "The .tern file to write (atomically).")
    Path out;

    @Option(names = "--sparsity", paramLabel = "S", description = "Fraction of weights (channels for --kind channel) to remove, in [0, 1); 2:4 is 0.5 by construction.")
    Double sparsity;

    @Option(names = "--kind", paramLabel = "K", defaultValue = "unstructured",
            description = "unstructured, global, channel or 2:4 (default: ${DEFAULT-VALUE}).")
    String kind;

    @Option(names = "--schedule", paramLabel = "S", defaultValue = "gradual", description = "oneshot or gradual (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "2", description = "Fine-tuning epochs (default: ${DEFAULT-VALUE}; 0: no fine-tuning).")
    int epochs;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "60000", description = "Training canvases per epoch (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", paramLabel = "X", defaultValue = "0.001", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--lr-decay", paramLabel = "D", defaultValue = "cosine",
            description = "cosine: once the sparsity is final, the learning rate falls along a cosine to 1%% of --lr by the "
                    + "last step (recovery); none: constant (default: ${DEFAULT-VALUE}).")
    String lrDecay;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "2", description = "TensorFlow intra-op threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST IDX folder for fine-tuning and evaluation (required with --epochs > 0).")
    Path data;

    @Option(names = "--eval-samples", paramLabel = "N", defaultValue = "10000", description = "Test canvases for the before/after metrics (default: ${DEFAULT-VALUE}; 0: skip).")
    int evalSamples;

    @Option(names = "--layers", split = ",", paramLabel = "NAMES", description = "Only these dense/conv layers (node names).")
    List<String> layers;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--quiet", description = "No progress output.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        String k = kind.toLowerCase(Locale.ROOT);
        if (!List.of("unstructured", "global", "channel", "2:4").contains(k)) {
            throw new UsageException("--kind must be unstructured, global, channel or 2:4, got '" + kind + "'");
        }
        boolean gradual;
        switch (schedule.toLowerCase(Locale.ROOT)) {
            case "gradual":
                gradual = true;
                break;
            case "oneshot":
                gradual = false;
                break;
            default:
                throw new UsageException("--schedule must be oneshot or gradual, got '" + schedule + "'");
        }
        double s;
        if (k.equals("2:4")) {
            if (sparsity != null && sparsity != 0.5) {
                throw new UsageException("2:4 keeps 2 of every 4 weights: its sparsity is 0.5, got --sparsity " + sparsity);
            }
            s = 0.5;
        } else {
            if (sparsity == null) {
                throw new UsageException("--sparsity is required for --kind " + k);
            }
            s = sparsity;
        }
        MagnitudePruner.checkSparsity(s);
        if (epochs < 0 || samples < 1 || batch < 1 || evalSamples < 0 || !(lr > 0)) {
            throw new UsageException("--epochs, --eval-samples must be >= 0, --samples, --batch >= 1 and --lr > 0");
        }
        if (epochs > 0 && data == null) {
            throw new UsageException("fine-tuning needs --data (a Fashion-MNIST folder); --epochs 0 prunes without fine-tuning");
        }
        boolean cosine;
        switch (lrDecay.toLowerCase(Locale.ROOT)) {
            case "cosine":
                cosine = true;
                break;
            case "none":
                cosine = false;
                break;
            default:
                throw new UsageException("--lr-decay must be cosine or none, got '" + lrDecay + "'");
        }
        if (Files.exists(out) && Files.exists(in) && Files.isSameFile(in, out)) {
            throw new UsageException("--out is the input model " + in + "; the input is never overwritten, write elsewhere");
        }
        ModelDef def = QuantizeCommand.load(in);
        if (def.isQuantized()) {
            throw new BadInputException("prune works on fp32 models (prune, fine-tune, then quantize); " + in + " is int8");
        }
        Map<String, Node> targets = targets(def, k);
        MultiFashion mf = data == null && evalSamples == 0 ? null : new MultiFashion(DataOption.load(data));
        if (epochs > 0) {
            QuantizeCommand.checkCanvasInput(def.inputs().get(0));
        }
        PrintWriter o = spec.commandLine().getOut();
        CanvasSet test = evalSamples > 0 && mf != null ? mf.test().subset(Math.min(evalSamples, mf.test().size())) : null;
        Evaluator.Report before = test == null ? null : Evaluator.evaluate(new TernPredictor(TernModel.of(def)), test);

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
        MaskedFineTuner.MaskRule rule = rule(k, shapes, biasOf);
        Set<String> tuned = new LinkedHashSet<>(tensors);
        tuned.addAll(biasOf.keySet());
        int stepsPerEpoch = Math.max(1, samples / batch);
        int total = stepsPerEpoch * epochs;
        PolynomialSchedule sched = gradual && total >= 3
                ? new PolynomialSchedule(0, s, 0, Math.max(1, total * 2 / 3), Math.max(1, total / 30))
                : PolynomialSchedule.oneShot(s);
        ModelDef pruned;
        Map<String, boolean[]> masks;
        double seconds;
        List<Double> losses = List.of();
        long t0 = System.nanoTime();
        if (epochs > 0) {
            MaskedFineTuner.Options opt = new MaskedFineTuner.Options();
            opt.epochs = epochs;
            opt.batchSize = batch;
            opt.samples = samples;
            opt.learningRate = lr;
            opt.decayFrom = cosine ? (gradual ? sched.end() : 0) : -1;
            opt.threads = threads;
            if (!quiet && !json) {
                o.printf("fine-tuning %d epochs x %d steps (%s, %s schedule)%n", epochs, stepsPerEpoch, k, gradual ? "gradual" : "one-shot");
                o.flush();
            }
            MaskedFineTuner.Outcome r = MaskedFineTuner.run(def, tuned, rule, sched,
                    e -> {
                        CanvasSet ep = mf.trainEpoch(FINETUNE_SEED, e);
                        return ep.subset(Math.min(samples, ep.size()));
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
        seconds = (System.nanoTime() - t0) / 1e9;
        if (k.equals("channel")) {
            Map<String, boolean[]> kept = new LinkedHashMap<>();
            for (Node n : targets.values()) {
                boolean[] mask = masks.get(n.input(1));
                int c = shapes.get(n.input(1))[0];
                boolean[] keep = new boolean[c];
                int per = mask.length / c;
                for (int ch = 0; ch < c; ch++) {
                    keep[ch] = mask[ch * per];
                }
                kept.put(n.name(), keep);
            }
            pruned = ChannelSurgery.remove(pruned, kept);
        }
        Map<String, String> prov = new LinkedHashMap<>();
        prov.put("pruning.source", in.getFileName().toString());
        prov.put("pruning.kind", k);
        prov.put("pruning.sparsity", String.valueOf(s));
        prov.put("pruning.schedule", gradual && epochs > 0 ? "gradual (polynomial, power 3)" : "one-shot");
        prov.put("pruning.epochs", String.valueOf(epochs));
        prov.put("pruning.lr", lr + (cosine && epochs > 0 ? " (cosine decay after pruning)" : ""));
        prov.put("tern.version", TernVersion.version());
        pruned = pruned.withProvenance(prov);
        if (k.equals("2:4")) {
            for (String t : tensors) {
                check24(t, pruned.tensor(t).floats());
            }
        }
        Evaluator.Report after = test == null ? null : Evaluator.evaluate(new TernPredictor(TernModel.of(pruned)), test);
        TernWriter.write(pruned, out);
        report(o, def, pruned, tensors, before, after, losses, seconds);
        return 0;
    }

    /** The dense and conv2d layers to prune, by node name. */
    private Map<String, Node> targets(ModelDef def, String k) {
        Map<String, Node> all = new LinkedHashMap<>();
        for (Node n : def.nodes()) {
            if ((n.op() == OpType.DENSE || n.op() == OpType.CONV2D) && def.tensors().containsKey(n.input(1))) {
                all.put(n.name(), n);
            }
        }
        Map<String, Node> chosen = new LinkedHashMap<>();
        if (layers != null) {
            for (String name : layers) {
                Node n = all.get(name);
                if (n == null) {
                    throw new BadInputException("--layers: '" + name + "' is not a dense or conv2d layer of " + def.name()
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
            throw new BadInputException("no layer of " + def.name() + " can be pruned with --kind " + k);
        }
        return chosen;
    }

    static MaskedFineTuner.MaskRule rule(String k, Map<String, int[]> shapes, Map<String, String> biasOf) {
        return (all, s) -> {
            Map<String, boolean[]> m = new LinkedHashMap<>();
            Map<String, float[]> weights = new LinkedHashMap<>(all);
            weights.keySet().removeAll(biasOf.keySet());
            if (!biasOf.isEmpty()) {
                Map<String, boolean[]> wm = rule(k, shapes, Map.of()).masks(weights, s);
                m.putAll(wm);
                for (Map.Entry<String, String> b : biasOf.entrySet()) {
                    if (all.containsKey(b.getKey())) {
                        boolean[] w = wm.get(b.getValue());
                        int channels = shapes.get(b.getValue())[0];
                        int per = w.length / channels;
                        boolean[] keep = new boolean[channels];
                        for (int c = 0; c < channels; c++) {
                            keep[c] = w[c * per];
                        }
                        m.put(b.getKey(), keep);
                    }
                }
                return m;
            }
            if (k.equals("global")) {
                List<PruneTarget> ts = new ArrayList<>();
                List<String> names = new ArrayList<>(weights.keySet());
                for (String n : names) {
                    ts.add(target(n, weights.get(n), shapes.get(n)));
                }
                List<boolean[]> masks = MagnitudePruner.global(ts, s);
                for (int i = 0; i < names.size(); i++) {
                    m.put(names.get(i), masks.get(i));
                }
                return m;
            }
            for (Map.Entry<String, float[]> e : weights.entrySet()) {
                PruneTarget t = target(e.getKey(), e.getValue(), shapes.get(e.getKey()));
                switch (k) {
                    case "channel":
                        m.put(e.getKey(), MagnitudePruner.channels(t, s));
                        break;
                    case "2:4":
                        m.put(e.getKey(), s == 0 ? all(e.getValue().length) : MagnitudePruner.nOfM(t, 2, 4));
                        break;
                    default:
                        m.put(e.getKey(), MagnitudePruner.unstructured(t, s));
                }
            }
            return m;
        };
    }

    private static boolean[] all(int n) {
        boolean[] b = new boolean[n];
        Arrays.fill(b, true);
        return b;
    }

    private static PruneTarget target(String name, float[] w, int[] shape) {
        return new PruneTarget(name, w, shape, 0, shape.length - 1);
    }

    /** Asserts the 2:4 property of the written weights: at most 2 non-zeros in every group of 4 along the input. */
    static void check24(String name, float[] w) {
        for (int g = 0; g + 4 <= w.length; g += 4) {
            int nz = 0;
            for (int i = 0; i < 4; i++) {
                nz += w[g + i] != 0f ? 1 : 0;
            }
            if (nz > 2) {
                throw new IllegalStateException(name + ": group at " + g + " has " + nz + " non-zeros after 2:4 pruning");
            }
        }
    }

    private void report(PrintWriter o, ModelDef before, ModelDef after, Set<String> tensors, Evaluator.Report rb,
                        Evaluator.Report ra, List<Double> losses, double seconds) {
        long zeros = 0;
        long count = 0;
        for (String t : tensors) {
            if (!after.tensors().containsKey(t)) {
                continue;
            }
            for (float v : after.tensor(t).floats()) {
                zeros += v == 0f ? 1 : 0;
                count++;
            }
        }
        long bytesBefore = TernWriter.toBytes(before).length;
        long bytesAfter = TernWriter.toBytes(after).length;
        ObjectNode j = Json.object();
        j.put("model", out.toString());
        j.put("source", in.toString());
        j.put("kind", kind);
        j.put("params_before", before.parameterCount());
        j.put("params_after", after.parameterCount());
        j.put("pruned_layer_sparsity", count == 0 ? 0 : (double) zeros / count);
        j.put("size_bytes_before", bytesBefore);
        j.put("size_bytes_after", bytesAfter);
        j.put("finetune_seconds", seconds);
        losses.forEach(j.putArray("epoch_loss")::add);
        if (rb != null && ra != null) {
            ObjectNode tasks = j.putObject("tasks");
            for (String task : rb.tasks.keySet()) {
                ObjectNode t = tasks.putObject(task);
                rb.tasks.get(task).forEach((metric, v) -> {
                    t.put(metric + "_before", v);
                    t.put(metric + "_after", ra.tasks.get(task).get(metric));
                });
            }
        }
        if (json) {
            o.println(j.toString());
            return;
        }
        o.printf("wrote %s: params %,d -> %,d, file %,d -> %,d bytes, %.1f%% zeros in the pruned layers%n", out,
                before.parameterCount(), after.parameterCount(), bytesBefore, bytesAfter, count == 0 ? 0 : 100.0 * zeros / count);
        if (rb != null && ra != null) {
            for (String task : rb.tasks.keySet()) {
                String metric = rb.tasks.get(task).containsKey("accuracy") ? "accuracy" : "subset_accuracy";
                o.printf("  %-8s %s %.4f -> %.4f (%+.4f)%n", task, metric, rb.tasks.get(task).get(metric),
                        ra.tasks.get(task).get(metric), ra.tasks.get(task).get(metric) - rb.tasks.get(task).get(metric));
            }
        }
    }
}
