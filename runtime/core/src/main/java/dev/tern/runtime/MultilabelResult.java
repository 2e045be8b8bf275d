package dev.tern.runtime;

import dev.tern.runtime.model.TaskSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * A multilabel head: one sigmoid probability per label; label l is present when its
 * probability is greater than the label's threshold (as Keras' binary accuracy).
 */
public final class MultilabelResult extends TaskResult {
    MultilabelResult(TaskSpec spec, int maxBatch) {
        super(spec, maxBatch);
    }

    @Override
    void fill(float[] arena, int offset, int stride, int batch) {
        this.batch = batch;
        for (int s = 0; s < batch; s++) {
            int src = offset + s * stride;
            int dst = s * n;
            if (spec.logits()) {
                for (int l = 0; l < n; l++) {
                    values[dst + l] = (float) (1.0 / (1.0 + Math.exp(-arena[src + l])));
                }
            } else {
                System.arraycopy(arena, src, values, dst, n);
            }
        }
    }

    public float probability(int sample, int label) {
        return value(sample, label);
    }

    public float threshold(int label) {
        return spec.threshold(label);
    }

    /** Whether label l is predicted present: probability > threshold(l). */
    public boolean isPresent(int sample, int label) {
        return value(sample, label) > spec.threshold(label);
    }

    /** Names of the labels predicted present, in label order. */
    public List<String> presentLabels(int sample) {
        List<String> out = new ArrayList<>();
        for (int l = 0; l < n; l++) {
            if (isPresent(sample, l)) {
                out.add(spec.labels().get(l));
            }
        }
        return out;
    }
}
