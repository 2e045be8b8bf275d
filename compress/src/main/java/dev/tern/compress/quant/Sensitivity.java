package dev.tern.compress.quant;

import dev.tern.compress.data.Dataset;
import dev.tern.compress.eval.Evaluator;
import dev.tern.compress.eval.TernPredictor;
import dev.tern.runtime.Session;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.TaskKind;
import dev.tern.runtime.model.TaskSpec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which layer hurts which task, and mixed precision against a per-task budget.
 *
 * <p>Sensitivity: each layer of {@link Quantizer#layers} is quantized alone (everything else
 * float32) and scored on held-out validation canvases: the drop of each task's primary
 * metric (accuracy for multiclass, micro-F1 for multilabel) against the float model, and the
 * SQNR of the layer's output, 10 log10(sum x^2 / sum (x - x_q)^2) in dB.
 *
 * <p>Mixed precision: start from everything in int8; while some task drops by more than the
 * budget, move the layer that hurts most (largest single-layer drop over the tasks, then
 * lowest SQNR) to float32; then try to give each float layer back to int8, last added
 * first, keeping it int8 if the budget still holds. The result is a set no layer of which
 * can be returned to int8 alone, found with at most 2n evaluations (the exact minimum is a
 * search over 2^n subsets). Budgets are absolute (0.005 = half a point of accuracy).
 */
public final class Sensitivity {
    /** Samples used for the SQNR of a layer's output. */
    static final int SQNR_SAMPLES = 256;

    private Sensitivity() {
    }

    /** One layer quantized alone. */
    public static final class Layer {
        public final String name;
        public final String op;
        public final Map<String, Double> drop;
        public final double sqnrDb;

        Layer(String name, String op, Map<String, Double> drop, double sqnrDb) {
            this.name = name;
            this.op = op;
            this.drop = drop;
            this.sqnrDb = sqnrDb;
        }

        public double maxDrop() {
            double m = Double.NEGATIVE_INFINITY;
            for (double d : drop.values()) {
                m = Math.max(m, d);
            }
            return m;
        }
    }

    /** The outcome of the mixed-precision search. */
    public static final class Mixed {
        public final Set<String> floatLayers;
        public final Map<String, Double> drop;
        public final boolean withinBudget;
        public final int evaluations;

        Mixed(Set<String> floatLayers, Map<String, Double> drop, boolean withinBudget, int evaluations) {
            this.floatLayers = floatLayers;
            this.drop = drop;
            this.withinBudget = withinBudget;
            this.evaluations = evaluations;
        }
    }

    /** The metric a budget and a drop refer to: accuracy (multiclass) or micro-F1 (multilabel). */
    public static String primaryMetric(TaskSpec t) {
        return t.kind() == TaskKind.MULTICLASS ? "accuracy" : t.kind() == TaskKind.MULTILABEL ? "micro_f1" : "rmse";
    }

    /**
     * Primary metric per task of a model on labeled samples, higher is better (regression:
     * minus the RMSE, so a drop is an RMSE increase); tasks {@code data} does not label are
     * left out.
     */
    public static Map<String, Double> score(ModelDef def, Dataset data) {
        return score(TernModel.of(def), data);
    }

    /** {@link #score(ModelDef, Dataset)} of a model compiled already. */
    public static Map<String, Double> score(TernModel m, Dataset data) {
        ModelDef def = m.def();
        List<TaskSpec> tasks = new ArrayList<>();
        for (TaskSpec t : def.tasks()) {
            if (Evaluator.scorable(t, data)) {
                tasks.add(t);
            }
        }
        if (tasks.isEmpty()) {
            throw new dev.tern.compress.BadInputException("model '" + def.name() + "' has no task with labels in "
                    + data.name() + ": --report and --budget cannot score it");
        }
        Evaluator.Report r;
        try (TernPredictor p = new TernPredictor(m, tasks)) {
            r = Evaluator.evaluate(p, data);
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (TaskSpec t : tasks) {
            double v = r.tasks.get(t.name()).get(primaryMetric(t));
            out.put(t.name(), t.kind() == TaskKind.REGRESSION ? -v : v);
        }
        return out;
    }

    static Map<String, Double> drop(Map<String, Double> base, Map<String, Double> got) {
        Map<String, Double> d = new LinkedHashMap<>();
        base.forEach((k, v) -> d.put(k, v - got.get(k)));
        return d;
    }

    /** Every layer quantized alone: metric drop per task and SQNR of its output. */
    public static List<Layer> analyze(ModelDef fp32, Map<String, Range> ranges, WeightScheme weights, Dataset val,
                                      Map<String, Double> base) {
        List<String> layers = Quantizer.layers(fp32);
        List<Layer> out = new ArrayList<>();
        for (String layer : layers) {
            Set<String> others = new HashSet<>(layers);
            others.remove(layer);
            ModelDef q = Quantizer.quantize(fp32, ranges, others, weights);
            Map<String, Double> d = drop(base, score(q, val));
            String op = null;
            String value = null;
            for (Node n : fp32.nodes()) {
                if (n.name().equals(layer)) {
                    op = n.op().id();
                    value = n.output();
                }
            }
            out.add(new Layer(layer, op, d, sqnr(fp32, ranges, others, weights, value, val)));
        }
        return out;
    }

    /** SQNR in dB of {@code value} between the float model and the one quantized without {@code floatLayers}. */
    static double sqnr(ModelDef fp32, Map<String, Range> ranges, Set<String> floatLayers, WeightScheme weights, String value,
                       Dataset val) {
        List<String> outs = new ArrayList<>(fp32.outputs());
        if (!outs.contains(value)) {
            outs.add(value);
        }
        ModelDef f = new ModelDef(fp32.name(), fp32.inputs(), new ArrayList<>(fp32.tensors().values()), fp32.nodes(),
                fp32.tasks(), outs, fp32.provenance());
        ModelDef q = Quantizer.quantize(f, ranges, floatLayers, weights);
        double signal = 0;
        double noise = 0;
        float[] x = new float[fp32.inputs().get(0).sampleSize()];
        try (Session sf = TernModel.of(f).newSession(); Session sq = TernModel.of(q).newSession()) {
            for (int i = 0; i < Math.min(SQNR_SAMPLES, val.size()); i++) {
                val.fill(i, x, 0);
                sf.run(x);
                sq.run(x);
                float[] a = sf.output(value, 0);
                float[] b = sq.output(value, 0);
                for (int k = 0; k < a.length; k++) {
                    signal += (double) a[k] * a[k];
                    noise += ((double) a[k] - b[k]) * ((double) a[k] - b[k]);
                }
            }
        }
        return noise == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(signal / noise);
    }

    /**
     * The smallest set of float32 layers (see the class comment) such that no task drops by
     * more than {@code budget} on the validation canvases.
     */
    public static Mixed mixedPrecision(ModelDef fp32, Map<String, Range> ranges, WeightScheme weights, Dataset val,
                                       Map<String, Double> base, List<Layer> sensitivity, double budget) {
        List<Layer> order = new ArrayList<>(sensitivity);
        order.sort(Comparator.comparingDouble(Layer::maxDrop).reversed().thenComparingDouble(l -> l.sqnrDb));
        Set<String> floats = new LinkedHashSet<>();
        int evals = 0;
        Map<String, Double> d = drop(base, score(Quantizer.quantize(fp32, ranges, floats, weights), val));
        evals++;
        int next = 0;
        while (!within(d, budget) && next < order.size()) {
            floats.add(order.get(next++).name);
            d = drop(base, score(Quantizer.quantize(fp32, ranges, floats, weights), val));
            evals++;
        }
        if (!within(d, budget)) {
            return new Mixed(floats, d, false, evals);
        }
        List<String> added = new ArrayList<>(floats);
        Collections.reverse(added);
        for (String layer : added) {
            Set<String> trial = new LinkedHashSet<>(floats);
            trial.remove(layer);
            Map<String, Double> td = drop(base, score(Quantizer.quantize(fp32, ranges, trial, weights), val));
            evals++;
            if (within(td, budget)) {
                floats = trial;
                d = td;
            }
        }
        return new Mixed(floats, d, true, evals);
    }

    static boolean within(Map<String, Double> drop, double budget) {
        for (double v : drop.values()) {
            if (v > budget + 1e-12) {
                return false;
            }
        }
        return true;
    }
}
