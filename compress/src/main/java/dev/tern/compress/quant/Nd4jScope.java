package dev.tern.compress.quant;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * Frees the off-heap buffers of the ND4J arrays registered with it when closed, instead of
 * leaving them to the garbage collector: calibration makes many short-lived arrays of up to a
 * few MB each. Views are skipped (their buffer belongs to the array they view).
 */
public final class Nd4jScope implements AutoCloseable {
    private final List<INDArray> arrays = new ArrayList<>();

    /** Registers {@code a} and returns it. */
    public INDArray add(INDArray a) {
        arrays.add(a);
        return a;
    }

    /** Registers the first output of a custom op and returns it. */
    public INDArray first(INDArray[] outputs) {
        for (INDArray a : outputs) {
            arrays.add(a);
        }
        return outputs[0];
    }

    @Override
    public void close() {
        for (int i = arrays.size() - 1; i >= 0; i--) {
            INDArray a = arrays.get(i);
            if (a.closeable() && !a.wasClosed()) {
                a.close();
            }
        }
        arrays.clear();
    }
}
