package dev.tern.runtime;

import dev.tern.runtime.internal.kernels.reference.Softmax;
import dev.tern.runtime.model.TaskSpec;

/** A multiclass head: softmax probabilities over the classes, argmax, top-k. */
public final class MulticlassResult extends TaskResult {
    MulticlassResult(TaskSpec spec, int maxBatch) {
        super(spec, maxBatch);
    }

    @Override
    void fill(float[] arena, int offset, int stride, int batch) {
        this.batch = batch;
        for (int s = 0; s < batch; s++) {
            if (spec.logits()) {
                Softmax.softmax(arena, offset + s * stride, values, s * n, n);
            } else {
                System.arraycopy(arena, offset + s * stride, values, s * n, n);
            }
        }
    }

    /** Probability of class c for one sample. */
    public float probability(int sample, int c) {
        return value(sample, c);
    }

    /** Most probable class (the lowest index among ties). */
    public int argmax(int sample) {
        check(sample);
        int best = 0;
        int base = sample * n;
        for (int c = 1; c < n; c++) {
            if (values[base + c] > values[base + best]) {
                best = c;
            }
        }
        return best;
    }

    /** Name of the most probable class. */
    public String label(int sample) {
        return spec.labels().get(argmax(sample));
    }

    /** The k most probable classes, most probable first (ties: lower index first). */
    public int[] topK(int sample, int k) {
        int[] out = new int[Math.min(Math.max(k, 0), n)];
        topK(sample, out.length, out);
        return out;
    }

    /** Writes the k most probable classes into dst[0, k) without allocating. */
    public void topK(int sample, int k, int[] dst) {
        check(sample);
        if (k < 0 || k > n || k > dst.length) {
            throw new IllegalArgumentException("k must lie in [0, " + Math.min(n, dst.length) + "], got " + k);
        }
        int base = sample * n;
        // Selection of the k largest by insertion: k is small and this allocates nothing.
        int filled = 0;
        for (int c = 0; c < n; c++) {
            float p = values[base + c];
            int pos = filled;
            while (pos > 0 && values[base + dst[pos - 1]] < p) {
                pos--;
            }
            if (pos >= k) {
                continue;
            }
            int end = Math.min(filled, k - 1);
            for (int j = end; j > pos; j--) {
                dst[j] = dst[j - 1];
            }
            dst[pos] = c;
            if (filled < k) {
                filled++;
            }
        }
    }
}
