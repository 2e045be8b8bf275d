package dev.tern.compress.job;

import dev.tern.compress.quant.CalibrationMethod;
import dev.tern.compress.quant.WeightScheme;

import java.util.ArrayList;
import java.util.List;

/**
 * Settings of {@link QuantizeJob} (post-training int8, docs/QUANTIZATION.md): the fields
 * below are the {@code tern quantize} options and the recipe's {@code quantize} stage fields.
 */
public final class QuantizeConfig {
    public static final List<Field> FIELDS = List.of(
            Field.choice("method", "minmax", methods(),
                    "Activation range calibration: minmax, percentile, entropy (KL) or mse."),
            Field.integer("calib_samples", 1000, 1, 60_000, "Calibration samples."),
            Field.integer("val_samples", 2000, 1, 60_000,
                    "Held-out validation canvases for report and budget (after the calibration ones)."),
            Field.flag("per_tensor", "One weight scale per tensor instead of one per output channel."),
            Field.integer("weight_bits", 8, 7, 8, "Weight range: 8 = [-127, 127], 7 = [-63, 63] (still stored as int8; "
                    + "7-bit weights export exactly to ONNX Runtime on x86 CPUs without VNNI, docs/ONNX.md)."),
            Field.flag("dynamic", "Weight-only int8: activations stay float32, no calibration."),
            Field.number("budget", null, 0, false, 1, true, "Largest allowed drop of any task's metric (absolute); "
                    + "layers are kept in float32, most harmful first, until it holds."),
            Field.flag("report", "Per-layer sensitivity: metric drop per task and SQNR, each layer quantized alone."));

    public final CalibrationMethod method;
    public final int calibSamples;
    public final int valSamples;
    public final boolean perTensor;
    public final int weightBits;
    public final boolean dynamic;
    /** Null: every layer in int8. */
    public final Double budget;
    public final boolean report;
    private final Settings settings;

    private QuantizeConfig(Settings s) {
        this.settings = s;
        this.method = CalibrationMethod.parse(s.text("method"));
        this.calibSamples = s.integer("calib_samples");
        this.valSamples = s.integer("val_samples");
        this.perTensor = s.flag("per_tensor");
        this.weightBits = s.integer("weight_bits");
        this.dynamic = s.flag("dynamic");
        this.budget = s.number("budget");
        this.report = s.flag("report");
    }

    /** The config of checked settings; the checks across fields happen here. */
    public static QuantizeConfig of(Settings s) {
        if (s.flag("dynamic") && (s.number("budget") != null || s.flag("report"))) {
            throw s.bad("dynamic", "keeps activations in float32; report and budget apply to full int8 only");
        }
        boolean validation = s.flag("report") || s.number("budget") != null;
        if (validation && (long) s.integer("calib_samples") + s.integer("val_samples") > 60_000) {
            throw s.bad("val_samples", "calib_samples + val_samples must be at most 60000 (one epoch of training canvases), found "
                    + ((long) s.integer("calib_samples") + s.integer("val_samples")));
        }
        return new QuantizeConfig(s);
    }

    /** The defaults. */
    public static QuantizeConfig defaults() {
        return of(Settings.defaults(FIELDS));
    }

    public WeightScheme scheme() {
        return WeightScheme.of(perTensor, weightBits);
    }

    /** True when validation canvases are scored (report or budget). */
    public boolean scoresValidation() {
        return report || budget != null;
    }

    public Settings settings() {
        return settings;
    }

    /** One line for progress and the report. */
    public String describe() {
        if (dynamic) {
            return "quantize weights to int8 (dynamic" + (weightBits == 8 ? "" : ", " + weightBits + "-bit weights") + ")";
        }
        return "quantize to int8 (" + method.id() + ", " + calibSamples + " calibration canvases"
                + (weightBits == 8 ? "" : ", " + weightBits + "-bit weights") + (perTensor ? ", per-tensor weights" : "")
                + (budget == null ? "" : ", budget " + budget) + ")";
    }

    private static List<String> methods() {
        List<String> l = new ArrayList<>();
        for (CalibrationMethod m : CalibrationMethod.values()) {
            l.add(m.id());
        }
        return l;
    }
}
