package dev.tern.compress.cli;

import dev.tern.runtime.InvalidInputException;
import dev.tern.runtime.Results;
import dev.tern.runtime.Session;
import dev.tern.runtime.SessionOptions;
import dev.tern.runtime.TaskSet;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Tensor;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How {@code tern run} runs a batch of N samples: through one session, in chunks of at most
 * {@link #MAX_CHUNK} samples whose activations fit {@link #CHUNK_FLOATS} (a model input with a
 * fixed batch size F runs F samples at a time, the last chunk padded with copies of the last
 * sample, whose results are dropped). Samples are independent, so each sample's results are
 * the ones it gets when run alone.
 */
final class RunBatch {
    /** Most activation floats a chunk's session holds (64 MiB). */
    static final long CHUNK_FLOATS = 1L << 24;
    /** Most samples per session run. */
    static final int MAX_CHUNK = 256;
    /** Most floats of one output file (NpyWriter writes one byte array of 4 bytes per float, plus the header). */
    static final long MAX_OUTPUT_FLOATS = (Integer.MAX_VALUE - 8 - 4096) / 4;
    private static final Pattern SAMPLE = Pattern.compile("\\bsample (\\d+)");

    private RunBatch() {
    }

    /** Sees each sample, in order, while its chunk's results are the session's current ones. */
    interface Visitor {
        /**
         * @param inChunk the sample's index in {@code results} and {@link Session#output}
         * @param sample  its index in the whole batch
         */
        void sample(Session session, Results results, int inChunk, int sample) throws IOException;
    }

    /** Samples per session run for a batch of {@code n}. */
    static int chunk(TernModel m, int n) {
        int fixed = m.def().inputs().get(0).shape()[0];
        if (fixed > 0) {
            return fixed;
        }
        long perSample = Math.max(1, m.arenaFloatsPerSample());
        return (int) Math.max(1, Math.min(Math.min(n, MAX_CHUNK), CHUNK_FLOATS / perSample));
    }

    /**
     * Rejects NaN and infinite inputs before anything runs, as a session would, but naming
     * the sample when there are several (a chunk's session would give an index within the chunk).
     */
    static void checkFinite(InputSpec spec, float[] x) {
        int size = spec.sampleSize();
        int n = x.length / size;
        for (int i = 0; i < x.length; i++) {
            float v = x[i];
            if (Float.isNaN(v) || Float.isInfinite(v)) {
                throw new InvalidInputException("input '" + spec.name() + "' holds " + v + " at index " + i % size
                        + (n > 1 ? " of sample " + i / size : "")
                        + "; inputs must be finite (NaN/Inf are rejected, see SessionOptions.withFiniteCheck)");
            }
        }
    }

    /**
     * Runs {@code tasks} on the {@code x.length / sampleSize} samples of {@code x} (checked by
     * {@link #checkFinite} and of whole samples) and shows each to {@code visitor}.
     */
    static void run(TernModel m, TaskSet tasks, float[] x, Visitor visitor) throws IOException {
        InputSpec spec = m.def().inputs().get(0);
        int size = spec.sampleSize();
        int n = x.length / size;
        int chunk = chunk(m, n);
        boolean fixed = spec.shape()[0] > 0;
        int threads = Math.min(Math.min(chunk, Runtime.getRuntime().availableProcessors()), SessionOptions.MAX_THREADS);
        SessionOptions options = SessionOptions.defaults().withMaxBatch(chunk).withThreads(threads);
        try (Session session = m.newSession(options)) {
            for (int from = 0; from < n; from += chunk) {
                int count = Math.min(chunk, n - from);
                int rows = fixed ? chunk : count;
                float[] part = x;
                if (from > 0 || rows * size != x.length) {
                    part = new float[rows * size];
                    System.arraycopy(x, from * size, part, 0, count * size);
                    for (int s = count; s < rows; s++) {
                        System.arraycopy(x, (from + count - 1) * size, part, s * size, size);
                    }
                }
                Results results;
                try {
                    results = session.run(part, tasks);
                } catch (InvalidInputException e) {
                    throw from == 0 ? e : shifted(e, from);
                }
                for (int s = 0; s < count; s++) {
                    visitor.sample(session, results, s, from + s);
                }
            }
        }
    }

    /** Every graph output of every sample, all tasks run: value name to {@code n * per-sample size} floats. */
    static Map<String, float[]> outputs(TernModel m, float[] x) throws IOException {
        ModelDef def = m.def();
        int n = x.length / def.inputs().get(0).sampleSize();
        Map<String, float[]> out = new LinkedHashMap<>();
        for (String value : def.outputs()) {
            long count = n * Tensor.elementCount(def.shapeOf(value));
            if (count > MAX_OUTPUT_FLOATS) {
                throw new InvalidInputException("graph output '" + value + "' of " + n + " samples holds " + count
                        + " floats, more than one .npy file written here holds (" + MAX_OUTPUT_FLOATS
                        + "); run the batch in parts");
            }
            out.put(value, new float[(int) count]);
        }
        run(m, m.allTasks(), x, (session, results, inChunk, sample) -> {
            for (Map.Entry<String, float[]> e : out.entrySet()) {
                float[] one = session.output(e.getKey(), inChunk);
                System.arraycopy(one, 0, e.getValue(), sample * one.length, one.length);
            }
        });
        return out;
    }

    /** A session's error about a chunk starting at sample {@code from}, with sample numbers of the whole batch. */
    static InvalidInputException shifted(InvalidInputException e, int from) {
        Matcher mt = SAMPLE.matcher(String.valueOf(e.getMessage()));
        String message = mt.replaceAll(r -> "sample " + (Long.parseLong(r.group(1)) + from));
        InvalidInputException s = new InvalidInputException(message);
        s.initCause(e);
        return s;
    }
}
