package dev.tern.compress.quant;

import dev.tern.compress.BadInputException;

import java.util.Locale;

/**
 * How {@link ActivationStats#range(CalibrationMethod)} turns the statistics of one activation
 * over the calibration set into the real range of its int8 asymmetric quantizer. The four
 * methods compared by Wu et al. 2020, "Integer Quantization for Deep Learning Inference:
 * Principles and Empirical Evaluation" (arXiv:2004.09602), section 3.4.
 */
public enum CalibrationMethod {
    /** The observed minimum and maximum: nothing is clipped (TFLite's default post-training calibration). */
    MINMAX,
    /** The p-th and (100-p)-th percentiles of the observed values (p = 99.99 by default). */
    PERCENTILE,
    /** The clipping range minimizing the KL divergence between the fp32 and the quantized histograms (Migacz 2017, TensorRT). */
    ENTROPY,
    /** The clipping range minimizing the mean squared quantization error over the histogram (rounding plus clipping). */
    MSE;

    /** The name used in recipes and on the command line: {@code minmax}, {@code percentile}, {@code entropy}, {@code mse}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The method named {@code name} ({@link #id()}, any case).
     *
     * @throws BadInputException for null or an unknown name; the message lists the valid ones
     */
    public static CalibrationMethod parse(String name) {
        if (name != null) {
            String wanted = name.strip().toLowerCase(Locale.ROOT);
            for (CalibrationMethod m : values()) {
                if (m.id().equals(wanted)) {
                    return m;
                }
            }
        }
        throw new BadInputException("unknown calibration method " + (name == null ? "null" : "'" + name + "'")
                + "; expected one of " + validNames());
    }

    /** {@code "minmax, percentile, entropy, mse"}. */
    public static String validNames() {
        StringBuilder sb = new StringBuilder();
        for (CalibrationMethod m : values()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(m.id());
        }
        return sb.toString();
    }
}
