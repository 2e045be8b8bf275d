package dev.tern.compress.job;

import dev.tern.compress.BadInputException;
import dev.tern.compress.data.Dataset;
import dev.tern.compress.data.MultiFashion;
import dev.tern.compress.data.TrainingData;
import dev.tern.compress.prune.MaskedFineTuner;
import dev.tern.compress.prune.PolynomialSchedule;
import dev.tern.compress.prune.PruneRules;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fine-tunes a float32 model on Multi-Fashion training canvases with every zero weight of
 * every dense and conv layer held at zero (after pruning, or before quantizing).
 */
public final class FinetuneJob {
    /** Seed of the training-canvas order. */
    public static final long SEED = 0xF17E_70AEL;

    private FinetuneJob() {
    }

    /** The fine-tuned model and the mean loss of each epoch. */
    public record Outcome(ModelDef model, Provenance.Step step, List<Double> epochLoss, double seconds) {
    }

    /** Checks before any work that {@code def} can be fine-tuned. */
    public static void check(ModelDef def) {
        if (def.isQuantized()) {
            throw new BadInputException("finetune works on float32 models (fine-tune, then quantize); " + def.name() + " is int8");
        }
        QuantizeJob.checkCanvasInput(def.inputs().get(0));
        MaskedFineTuner.checkBuildable(def);
    }

    public static Outcome run(ModelInput in, FinetuneConfig c, MultiFashion data) {
        return run(in, c, data, false);
    }

    /** As {@link #run(ModelInput, FinetuneConfig, MultiFashion)}, with a progress bar per epoch on stderr. */
    public static Outcome run(ModelInput in, FinetuneConfig c, MultiFashion data, boolean progress) {
        check(in.def());
        return run(in, c, TrainingData.multiFashion(data, SEED), progress);
    }

    /** Fine-tunes on {@code data}: Multi-Fashion canvases or a user data set's train split (docs/DATA.md). */
    public static Outcome run(ModelInput in, FinetuneConfig c, TrainingData data, boolean progress) {
        ModelDef def = in.def();
        MaskedFineTuner.check(def, data.epoch(0));
        Set<String> weights = new LinkedHashSet<>();
        for (Node n : def.nodes()) {
            if ((n.op() == OpType.DENSE || n.op() == OpType.CONV2D || n.op() == OpType.DEPTHWISE_CONV2D)
                    && def.tensors().containsKey(n.input(1))) {
                weights.add(n.input(1));
            }
        }
        MaskedFineTuner.Options o = new MaskedFineTuner.Options();
        o.epochs = c.epochs;
        o.samples = c.samples;
        o.batchSize = c.batch;
        o.learningRate = c.lr;
        o.decayFrom = 0;
        o.threads = c.threads;
        o.progress = progress;
        o.taskWeights = c.taskWeights;
        MaskedFineTuner.Outcome r = MaskedFineTuner.run(def, weights, PruneRules.keepZeros(), PolynomialSchedule.oneShot(0),
                e -> {
                    Dataset ep = data.epoch(e);
                    return ep.head(Math.min(c.samples, ep.size()));
                }, o);
        Map<String, String> inputs = new LinkedHashMap<>();
        inputs.put(in.name(), in.checksum());
        inputs.putAll(data.checksums());
        Provenance.Step step = Provenance.Step.of("finetune", c.settings().values(), inputs, data.describe(c.epochs, c.samples),
                data.seed(), Map.of());
        return new Outcome(Provenance.append(r.model(), step), step, r.epochLoss(), r.seconds());
    }
}
