package dev.tern.compress.tf;

import dev.tern.runtime.InvalidInputException;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.types.TFloat32;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a SavedModel's signature with TensorFlow Java: the float reference a {@code .tern}
 * conversion is compared with. Loads the model once; {@link #run(float[])} may be called from
 * several threads (TensorFlow sessions are thread-safe).
 *
 * <pre>{@code
 * try (SavedModelRunner tf = SavedModelRunner.open(Path.of("models/teacher"))) {
 *     Map<String, float[][]> out = tf.run(batch);   // batch: n * sampleSize() values, NHWC
 *     float[] leftLogitsOfSample0 = out.get("left")[0];
 * }
 * }</pre>
 */
public final class SavedModelRunner implements AutoCloseable {
    private final SavedModelBundle bundle;
    private final String signature;
    private final String inputKey;
    private final String inputTensor;
    private final int[] inputShape;
    private final int sampleSize;
    private final List<String> outputKeys;
    private final Map<String, String> outputTensors = new LinkedHashMap<>();
    private volatile boolean closed;

    private SavedModelRunner(SavedModelBundle bundle, Path dir, String signature) {
        this.bundle = bundle;
        this.signature = signature;
        SignatureDef sd = SavedModels.signature(bundle, signature, dir);
        this.inputKey = SavedModels.singleInput(sd, signature);
        TensorInfo in = sd.getInputsOrThrow(inputKey);
        SavedModels.checkFloat(in, "input");
        this.inputTensor = in.getName();
        this.inputShape = SavedModels.inputShape(in, inputKey);
        int n = 1;
        for (int i = 1; i < inputShape.length; i++) {
            n = Math.multiplyExact(n, inputShape[i]);
        }
        this.sampleSize = n;
        this.outputKeys = Collections.unmodifiableList(SavedModels.outputKeys(sd, signature));
        for (String k : outputKeys) {
            TensorInfo info = sd.getOutputsOrThrow(k);
            SavedModels.checkFloat(info, "output");
            outputTensors.put(k, info.getName());
        }
    }

    /** Opens the {@code serving_default} signature of the SavedModel in {@code dir} (tag {@code serve}). */
    public static SavedModelRunner open(Path dir) {
        return open(dir, ImportOptions.defaults());
    }

    /** Opens the signature and tags named by {@code options}. */
    public static SavedModelRunner open(Path dir, ImportOptions options) {
        SavedModelBundle b = SavedModels.open(dir, options.tags());
        try {
            return new SavedModelRunner(b, dir, options.signature());
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
    }

    public String signature() {
        return signature;
    }

    /** The signature's input key. */
    public String inputName() {
        return inputKey;
    }

    /** The input's full shape, batch first (-1 when any batch size is accepted). */
    public int[] inputShape() {
        return inputShape.clone();
    }

    /** Values per sample of the input. */
    public int sampleSize() {
        return sampleSize;
    }

    /** The signature's output keys, sorted. */
    public List<String> outputNames() {
        return outputKeys;
    }

    /** Runs every output; see {@link #run(float[], String...)}. */
    public Map<String, float[][]> run(float[] batch) {
        return run(batch, outputKeys.toArray(new String[0]));
    }

    /**
     * Runs the signature on a batch.
     *
     * @param batch   {@code n * sampleSize()} values, sample after sample, in the input's layout
     *                (NHWC for images), already normalized as the model expects
     * @param outputs the output keys to compute (none: all)
     * @return per output key (in the order asked), one array of values per sample
     *         (flattened when the output has more than one dimension per sample)
     * @throws InvalidInputException when the batch length is not a whole number of samples, or
     *                               does not match a fixed batch size
     */
    public Map<String, float[][]> run(float[] batch, String... outputs) {
        if (closed) {
            throw new IllegalStateException("runner is closed");
        }
        if (outputs.length == 0) {
            outputs = outputKeys.toArray(new String[0]);
        }
        if (batch == null || batch.length == 0 || batch.length % sampleSize != 0) {
            throw new InvalidInputException("input '" + inputKey + "' expects " + shapeText(1) + " (" + sampleSize
                    + " values per sample), got " + (batch == null ? "null" : batch.length + " values"));
        }
        int n = batch.length / sampleSize;
        if (inputShape[0] > 0 && n != inputShape[0]) {
            throw new InvalidInputException("input '" + inputKey + "' expects batch " + inputShape[0] + ", got " + n);
        }
        List<String> tensors = new ArrayList<>();
        for (String k : outputs) {
            String t = outputTensors.get(k);
            if (t == null) {
                throw new InvalidInputException("unknown output '" + k + "', the signature has " + outputKeys);
            }
            tensors.add(t);
        }
        long[] dims = new long[inputShape.length];
        dims[0] = n;
        for (int i = 1; i < dims.length; i++) {
            dims[i] = inputShape[i];
        }
        Map<String, float[][]> out = new LinkedHashMap<>();
        try (TFloat32 x = TFloat32.tensorOf(Shape.of(dims), DataBuffers.of(batch, true, false))) {
            Session.Runner r = bundle.session().runner().feed(inputTensor, x);
            for (String t : tensors) {
                r.fetch(t);
            }
            try (Result res = r.run()) {
                for (int i = 0; i < outputs.length; i++) {
                    out.put(outputs[i], perSample(res.get(i), n, outputs[i]));
                }
            }
        }
        return out;
    }

    private static float[][] perSample(Tensor t, int n, String key) {
        if (!(t instanceof TFloat32)) {
            throw new ImportException("output '" + key + "' is " + t.dataType() + ", expected DT_FLOAT");
        }
        TFloat32 f = (TFloat32) t;
        long size = f.size();
        if (f.shape().numDimensions() == 0 || f.shape().get(0) != n || size % n != 0) {
            throw new ImportException("output '" + key + "' has shape " + f.shape() + ", expected the batch (" + n
                    + ") as its first dimension");
        }
        float[] all = new float[Math.toIntExact(size)];
        f.copyTo(DataBuffers.of(all, false, false));
        int per = (int) (size / n);
        float[][] rows = new float[n][];
        for (int s = 0; s < n; s++) {
            rows[s] = Arrays.copyOfRange(all, s * per, s * per + per);
        }
        return rows;
    }

    private String shapeText(int batch) {
        int[] s = inputShape.clone();
        s[0] = batch;
        return Arrays.toString(s);
    }

    /** The loaded bundle (for importers in this package). */
    SavedModelBundle bundle() {
        return bundle;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            bundle.close();
        }
    }
}
