package dev.tern.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One canvas's predictions: the left and right item's class with its probability, and the present labels. */
public final class Prediction {
    public final String model;
    public final int left;
    public final float leftProbability;
    public final int right;
    public final float rightProbability;
    /** Per label, the probability that it is on the canvas. */
    public final float[] present;
    /** Per label, whether its probability reaches the model's threshold. */
    public final boolean[] presentFlags;
    public final List<String> labels;

    Prediction(String model, int left, float leftProbability, int right, float rightProbability, float[] present,
            boolean[] presentFlags, List<String> labels) {
        this.model = model;
        this.left = left;
        this.leftProbability = leftProbability;
        this.right = right;
        this.rightProbability = rightProbability;
        this.present = present;
        this.presentFlags = presentFlags;
        this.labels = labels;
    }

    /** The labels predicted present, in label order. */
    public List<String> presentLabels() {
        List<String> out = new ArrayList<>();
        for (int c = 0; c < presentFlags.length; c++) {
            if (presentFlags[c]) {
                out.add(labels.get(c));
            }
        }
        return out;
    }

    /** Several lines for the app's result view. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "left     %-11s %5.1f%%%n", labels.get(left), 100 * leftProbability));
        b.append(String.format(Locale.ROOT, "right    %-11s %5.1f%%%n", labels.get(right), 100 * rightProbability));
        b.append("present ");
        boolean any = false;
        for (int c = 0; c < presentFlags.length; c++) {
            if (presentFlags[c]) {
                b.append(String.format(Locale.ROOT, " %s %.0f%%", labels.get(c), 100 * present[c]));
                any = true;
            }
        }
        if (!any) {
            b.append(" (none)");
        }
        return b.toString();
    }
}
