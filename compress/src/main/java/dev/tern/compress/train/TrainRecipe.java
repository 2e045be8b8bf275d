package dev.tern.compress.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tern.compress.BadInputException;
import dev.tern.compress.io.JsonRecipes;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training recipe (JSON, under models/recipes/): architecture, tasks, loss weights and
 * the optimization schedule. Unknown or mistyped fields fail with the field's name before
 * any work starts.
 *
 * <pre>{@code
 * {"name": "multifashion-hard", "sharing": "hard", "tasks": ["left", "right", "present"],
 *  "loss_weights": {"left": 1, "right": 1, "present": 1},
 *  "trunk": ["conv3x3:32", "conv3x3:32", "maxpool:2", "conv3x3:64", "conv3x3:64", "maxpool:2"],
 *  "dense": [256], "batch_norm": true,
 *  "epochs": 10, "batch_size": 128, "learning_rate": 0.001, "final_learning_rate": 0.00001,
 *  "seed": 1, "threads": 2}
 * }</pre>
 */
public final class TrainRecipe {
    public static final List<String> ALL_TASKS = List.of("left", "right", "present");

    @JsonProperty(required = true)
    public String name;
    /** {@code hard}: one shared trunk, a head per task; {@code soft}: one tower per task, tied by an L2 penalty. */
    @JsonProperty(required = true)
    public String sharing;
    public List<String> tasks = new ArrayList<>(ALL_TASKS);
    @JsonProperty("loss_weights")
    public Map<String, Double> lossWeights = new LinkedHashMap<>();
    /** Layers of the trunk (of each tower for soft sharing), as {@link Layer#parse} reads them. */
    public List<String> trunk = new ArrayList<>();
    /** Hidden dense widths after the flattened trunk. */
    public List<Integer> dense = new ArrayList<>();
    @JsonProperty("batch_norm")
    public boolean batchNorm = true;
    /** Soft sharing: strength of the L2 penalty on differences of corresponding tower weights. */
    @JsonProperty("soft_tie")
    public double softTie = 0.0;
    public int epochs = 10;
    @JsonProperty("batch_size")
    public int batchSize = 128;
    @JsonProperty("learning_rate")
    public double learningRate = 1e-3;
    /** Cosine decay from learning_rate to this over the whole run. */
    @JsonProperty("final_learning_rate")
    public double finalLearningRate = 1e-5;
    public long seed = 1;
    /** TensorFlow intra-op threads; fix it: results are bit-identical only for one thread count. */
    public int threads = 2;
    /** Training canvases per epoch (at most 60,000; fewer for quick runs and tests). */
    @JsonProperty("train_samples")
    public int trainSamples = 60_000;

    /** Reads and validates a recipe file. */
    public static TrainRecipe read(Path path) throws IOException {
        TrainRecipe r = JsonRecipes.read(path, TrainRecipe.class, "type", "type '%s'");
        r.validate();
        return r;
    }

    /** Checks every field; the message names the field and the accepted values. */
    public void validate() {
        if (!"hard".equals(sharing) && !"soft".equals(sharing)) {
            throw bad("sharing", "must be \"hard\" or \"soft\", got " + quote(sharing));
        }
        if (tasks == null || tasks.isEmpty()) {
            throw bad("tasks", "must name at least one of " + ALL_TASKS);
        }
        for (String t : tasks) {
            if (!ALL_TASKS.contains(t)) {
                throw bad("tasks", "unknown task " + quote(t) + ", expected some of " + ALL_TASKS);
            }
        }
        if ("soft".equals(sharing) && tasks.size() < 2) {
            throw bad("tasks", "soft sharing ties towers of at least two tasks, got " + tasks);
        }
        for (Map.Entry<String, Double> e : lossWeights.entrySet()) {
            if (!tasks.contains(e.getKey())) {
                throw bad("loss_weights", "names task " + quote(e.getKey()) + ", which is not in tasks " + tasks);
            }
            if (e.getValue() == null || !(e.getValue() >= 0) || e.getValue().isInfinite()) {
                throw bad("loss_weights." + e.getKey(), "must be a finite number >= 0, got " + e.getValue());
            }
        }
        if (trunk == null || trunk.isEmpty()) {
            throw bad("trunk", "must list at least one layer, e.g. [\"conv3x3:32\", \"maxpool:2\"]");
        }
        for (String layer : trunk) {
            Layer.parse(layer);
        }
        for (Integer d : dense) {
            if (d == null || d < 1) {
                throw bad("dense", "widths must be >= 1, got " + dense);
            }
        }
        if (!(softTie >= 0) || Double.isInfinite(softTie)) {
            throw bad("soft_tie", "must be >= 0, got " + softTie);
        }
        if ("soft".equals(sharing) && softTie == 0) {
            throw bad("soft_tie", "soft sharing needs a tie strength > 0");
        }
        if (epochs < 1) {
            throw bad("epochs", "must be >= 1, got " + epochs);
        }
        if (batchSize < 1 || batchSize > 4096) {
            throw bad("batch_size", "must lie in [1, 4096], got " + batchSize);
        }
        if (!(learningRate > 0) || !(finalLearningRate > 0) || finalLearningRate > learningRate || Double.isInfinite(learningRate)) {
            throw bad("learning_rate", "needs 0 < final_learning_rate <= learning_rate, got " + learningRate + " and "
                    + finalLearningRate);
        }
        if (threads < 1 || threads > 256) {
            throw bad("threads", "must lie in [1, 256], got " + threads);
        }
        if (trainSamples < batchSize || trainSamples > 60_000) {
            throw bad("train_samples", "must lie in [batch_size, 60000], got " + trainSamples);
        }
    }

    /** Loss weight of a task (1 when not given). */
    public double lossWeight(String task) {
        Double w = lossWeights.get(task);
        return w == null ? 1.0 : w;
    }

    private BadInputException bad(String field, String msg) {
        return new BadInputException("recipe '" + name + "': field '" + field + "' " + msg);
    }

    private static String quote(String s) {
        return s == null ? "nothing" : "\"" + s + "\"";
    }

    /**
     * One trunk layer: {@code conv3x3:N} (3x3 conv, SAME), {@code conv3x3/2:N} (stride 2),
     * {@code dwsep:N} and {@code dwsep/2:N} (MobileNet's depthwise-separable block: a 3x3
     * depthwise conv, stride 1 or 2, then a 1x1 conv to N channels, each with batch norm and
     * ReLU) or {@code maxpool:K}.
     */
    public static final class Layer {
        public enum Kind { CONV, DWSEP, POOL }

        public final Kind kind;
        public final boolean pool;
        /** Output channels (conv, dwsep) or pool window. */
        public final int size;
        /** Stride of the conv or of the depthwise part (1 or 2); the pool's window for pools. */
        public final int stride;

        private Layer(Kind kind, int size, int stride) {
            this.kind = kind;
            this.pool = kind == Kind.POOL;
            this.size = size;
            this.stride = stride;
        }

        /** Output side of a SAME layer (ceil(side / stride)) or a VALID pool (floor). */
        public int outSide(int side) {
            return pool ? side / size : (side + stride - 1) / stride;
        }

        public static Layer parse(String s) {
            String[] p = s == null ? new String[0] : s.split(":");
            try {
                if (p.length == 2 && Integer.parseInt(p[1]) > 0) {
                    int n = Integer.parseInt(p[1]);
                    switch (p[0]) {
                        case "conv3x3": return new Layer(Kind.CONV, n, 1);
                        case "conv3x3/2": return new Layer(Kind.CONV, n, 2);
                        case "dwsep": return new Layer(Kind.DWSEP, n, 1);
                        case "dwsep/2": return new Layer(Kind.DWSEP, n, 2);
                        case "maxpool":
                            if (n > 1) {
                                return new Layer(Kind.POOL, n, n);
                            }
                            break;
                        default:
                            break;
                    }
                }
            } catch (NumberFormatException e) {
                // fall through
            }
            throw new BadInputException("recipe: field 'trunk' has layer " + quote(s)
                    + ", expected \"conv3x3:N\", \"conv3x3/2:N\", \"dwsep:N\", \"dwsep/2:N\" (N >= 1) or \"maxpool:K\" (K >= 2)");
        }
    }
}
