package dev.tern.runtime;

import dev.tern.runtime.model.TaskSpec;

/** A regression head: the output values as they are. */
public final class RegressionResult extends TaskResult {
    RegressionResult(TaskSpec spec, int maxBatch) {
        super(spec, maxBatch);
    }

    @Override
    void fill(float[] arena, int offset, int stride, int batch) {
        this.batch = batch;
        for (int s = 0; s < batch; s++) {
            System.arraycopy(arena, offset + s * stride, values, s * n, n);
        }
    }
}
