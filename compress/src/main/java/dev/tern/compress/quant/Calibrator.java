package dev.tern.compress.quant;

import dev.tern.runtime.Backend;
import dev.tern.runtime.Session;
import dev.tern.runtime.SessionOptions;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.compress.Progress;
import me.tongfei.progressbar.ProgressBar;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the float model over the calibration samples and collects, for every value (the
 * input and every node output), the statistics the calibration methods need: min/max in a
 * first pass, a fixed-range histogram over [min, max] in a second (skipped for min-max).
 * The float model runs on the scalar kernels, whose results are the same on every JVM, so
 * the same data gives the same ranges, and the same quantized file, on every machine.
 */
public final class Calibrator {
    /** Batch of the calibration session. */
    static final int BATCH = 32;

    /** Normalized input samples (the model's single input, in its layout). */
    public interface Samples {
        int size();

        void fill(int i, float[] dst, int off);
    }

    private Calibrator() {
    }

    /**
     * Statistics of every value of {@code def} over {@code samples}.
     *
     * @param histograms also collect histograms (needed by every method except min-max)
     * @param progress   show a progress bar on stderr
     */
    public static Map<String, ActivationStats> collect(ModelDef def, Samples samples, boolean histograms, boolean progress) {
        if (def.inputs().size() != 1) {
            throw new dev.tern.compress.BadInputException("calibration supports models with one input; '" + def.name()
                    + "' has " + def.inputs().size());
        }
        if (samples.size() == 0) {
            throw new dev.tern.compress.BadInputException("the calibration set is empty: give at least one sample");
        }
        List<String> values = new ArrayList<>();
        InputSpec in = def.inputs().get(0);
        values.add(in.name());
        for (Node n : def.nodes()) {
            values.add(n.output());
        }
        ModelDef observed = new ModelDef(def.name(), def.inputs(), new ArrayList<>(def.tensors().values()), def.nodes(),
                def.tasks(), values, def.provenance());
        Map<String, ActivationStats> stats = new LinkedHashMap<>();
        for (String v : values) {
            stats.put(v, new ActivationStats(v));
        }
        TernModel model = TernModel.of(observed, Backend.SCALAR);
        int passes = histograms ? 2 : 1;
        int size = in.sampleSize();
        float[] x = new float[BATCH * size];
        try (Session s = model.newSession(SessionOptions.defaults().withMaxBatch(BATCH));
             ProgressBar bar = progress ? Progress.bar("calibrate", (long) passes * samples.size()) : null) {
            for (int pass = 0; pass < passes; pass++) {
                for (int start = 0; start < samples.size(); start += BATCH) {
                    int b = Math.min(BATCH, samples.size() - start);
                    for (int i = 0; i < b; i++) {
                        samples.fill(start + i, x, i * size);
                    }
                    s.run(b == BATCH ? x : java.util.Arrays.copyOf(x, b * size), model.allTasks());
                    for (String v : values) {
                        // One statistics call per value and batch (ND4J calls have a fixed cost).
                        float[] all = null;
                        for (int i = 0; i < b; i++) {
                            float[] data = s.output(v, i);
                            if (all == null) {
                                all = new float[data.length * b];
                            }
                            System.arraycopy(data, 0, all, i * data.length, data.length);
                        }
                        if (pass == 0) {
                            stats.get(v).observeRange(all, 0, all.length);
                        } else {
                            stats.get(v).observeHistogram(all, 0, all.length);
                        }
                    }
                    if (bar != null) {
                        bar.stepBy(b);
                    }
                }
            }
        }
        return stats;
    }

    /**
     * The range of every value under one calibration method. Graph inputs always get their
     * min-max range: they are the data itself (pixels scaled to [0, 1] here), whose whole range
     * is meaningful and, for 8-bit pixels, exactly representable in int8; clipping them only
     * loses information (entropy calibration, whose histograms of discrete pixel values are
     * mostly empty bins, would keep a sliver of the range).
     */
    public static Map<String, Range> ranges(ModelDef def, Map<String, ActivationStats> stats, CalibrationMethod method) {
        Map<String, Range> out = new LinkedHashMap<>();
        for (Map.Entry<String, ActivationStats> e : stats.entrySet()) {
            boolean input = def.input(e.getKey()) != null;
            out.put(e.getKey(), e.getValue().range(input ? CalibrationMethod.MINMAX : method));
        }
        return out;
    }
}
