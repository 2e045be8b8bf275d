package dev.tern.compress.tf;

import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

import java.util.HashMap;
import java.util.Map;

/**
 * Values of graph tensors that do not depend on the model input (Const nodes, variables and
 * anything computed from them), fetched by running the SavedModel's session: this is what
 * "freezes" the variables. Results are cached per tensor.
 */
final class TfConstants {
    /** A fetched constant: its TensorFlow shape and its values as floats (and as longs for integer types). */
    static final class Value {
        final long[] shape;
        final float[] floats;
        final long[] longs;

        Value(long[] shape, float[] floats, long[] longs) {
            this.shape = shape;
            this.floats = floats;
            this.longs = longs;
        }

        int rank() {
            return shape.length;
        }

        int dim(int i) {
            return (int) shape[i];
        }

        int count() {
            return floats != null ? floats.length : longs.length;
        }

        /** Integer values (int32/int64 tensors only), narrowed to int. */
        int[] ints(String what) throws ConversionProblem {
            if (longs == null) {
                throw new ConversionProblem(what + " must be an integer tensor, found float values");
            }
            int[] v = new int[longs.length];
            for (int i = 0; i < v.length; i++) {
                if (longs[i] < Integer.MIN_VALUE || longs[i] > Integer.MAX_VALUE) {
                    throw new ConversionProblem(what + " holds " + longs[i] + ", outside the int range");
                }
                v[i] = (int) longs[i];
            }
            return v;
        }

        float[] floats(String what) throws ConversionProblem {
            if (floats == null) {
                throw new ConversionProblem(what + " must be a float tensor, found integer values");
            }
            return floats.clone();
        }
    }

    private final Session session;
    private final Map<String, Value> cache = new HashMap<>();

    TfConstants(Session session) {
        this.session = session;
    }

    /** The value of a tensor ({@code node:index}) that does not depend on the input. */
    Value get(String tensor) throws ConversionProblem {
        Value v = cache.get(tensor);
        if (v == null) {
            v = fetch(tensor);
            cache.put(tensor, v);
        }
        return v;
    }

    private Value fetch(String tensor) throws ConversionProblem {
        Result r;
        try {
            r = session.runner().fetch(SavedModels.nodeName(tensor), SavedModels.outputIndex(tensor)).run();
        } catch (RuntimeException e) {
            throw new ConversionProblem("cannot evaluate constant '" + tensor + "': " + SavedModels.firstLine(e.getMessage()));
        }
        try (r) {
            Tensor t = r.get(0);
            long[] shape = t.shape().asArray();
            int n = Math.toIntExact(t.shape().size());
            if (t instanceof TFloat32 f) {
                float[] v = new float[n];
                f.copyTo(DataBuffers.of(v, false, false));
                return new Value(shape, v, null);
            }
            if (t instanceof TFloat64 d) {
                double[] dv = new double[n];
                d.copyTo(DataBuffers.of(dv, false, false));
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (float) dv[i];
                }
                return new Value(shape, v, null);
            }
            if (t instanceof TInt32 i32) {
                int[] iv = new int[n];
                i32.copyTo(DataBuffers.of(iv, false, false));
                long[] lv = new long[n];
                for (int i = 0; i < n; i++) {
                    lv[i] = iv[i];
                }
                return new Value(shape, null, lv);
            }
            if (t instanceof TInt64 i64) {
                long[] lv = new long[n];
                i64.copyTo(DataBuffers.of(lv, false, false));
                return new Value(shape, null, lv);
            }
            throw new ConversionProblem("constant '" + tensor + "' is " + t.dataType()
                    + ", expected DT_FLOAT, DT_DOUBLE, DT_INT32 or DT_INT64");
        }
    }
}
