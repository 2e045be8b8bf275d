package dev.tern.compress.data;

import dev.tern.compress.io.InputLayout;
import dev.tern.compress.io.NpyDType;
import dev.tern.compress.io.NpzFile;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.TaskKind;
import dev.tern.runtime.model.TaskSpec;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@code .npz} data set: {@code x} of shape (N, ...) in the model input's layout, float32 or
 * uint8 (uint8 pixels get the input's recorded normalization), and one array per task named
 * after it: class ids (N) for multiclass, 0/1 (N, L) for multilabel, floats (N) or (N, k) for
 * regression. Every check runs at open, each message naming the file, member, row and column:
 * x's dtype and shape against the input, NaN or infinity in x (one pass over it), labels'
 * rows, dtype, width and range. Samples are read from the file when asked ({@link #fill}), so
 * x is never held whole; the labels are.
 */
public final class NpzDataset extends LabeledDataset {
    private final NpzFile npz;
    private final NpzFile.Member x;
    private final InputSpec input;
    private final InputLayout layout;
    private final int sampleSize;
    private final int from;
    private final int size;
    private final boolean owner;
    private volatile String checksum;

    private NpzDataset(NpzFile npz, boolean owner, String split, NpzFile.Member x, InputSpec input, int from, int size,
                       Map<String, TaskLabels> labels) {
        super(split, labels);
        this.npz = npz;
        this.owner = owner;
        this.x = x;
        this.input = input;
        this.layout = InputLayout.of(input);
        this.sampleSize = input.sampleSize();
        this.from = from;
        this.size = size;
    }

    /**
     * Checks {@code npz} against {@code input} and {@code tasks}: x fits the input, and each
     * task in {@code tasks} has labels that fit it (all of them when {@code requireLabels}; a
     * task without an array is then an error, else it is left out).
     *
     * @throws DataException naming the file, member, row and column of the first problem
     * The data set owns {@code npz} and closes it. {@code split} null: "all N samples".
     */
    public static NpzDataset of(NpzFile npz, String split, InputSpec input, List<TaskSpec> tasks, boolean requireLabels)
            throws IOException {
        String file = npz.file().toString();
        NpzFile.Member x = npz.member("x");
        if (x == null) {
            throw new DataException(file + ": no member x.npy (the samples); it holds " + names(npz)
                    + "; expected x (N, ...) and one array per task");
        }
        NpyDType t = x.dtype();
        if (t != NpyDType.FLOAT32 && t != NpyDType.UINT8) {
            throw new DataException(x.where() + ": " + x.describe() + "; expected float32 (values as the model takes them) "
                    + "or uint8 (pixels, normalized by the model's recorded preprocessing)");
        }
        long[] shape = x.shape();
        int[] sample = input.sampleShape();
        if (shape.length == 0 || !sameOrder(Arrays.copyOfRange(shape, 1, shape.length), sample)) {
            throw new DataException(x.where() + ": " + x.describe() + " does not fit input '" + input.name() + "' "
                    + Arrays.toString(sample) + "; expected (N, " + Arrays.toString(sample).replaceAll("[\\[\\]]", "") + ")");
        }
        if (shape[0] > Integer.MAX_VALUE - 8) {
            throw new DataException(x.where() + ": " + shape[0] + " samples; at most " + (Integer.MAX_VALUE - 8) + " are read");
        }
        int n = (int) shape[0];
        if (n == 0) {
            throw new DataException(x.where() + ": " + x.describe() + " holds no samples");
        }
        if (t == NpyDType.FLOAT32) {
            checkFinite(x, input.sampleSize());
        }
        Map<String, TaskLabels> labels = new LinkedHashMap<>();
        for (TaskSpec task : tasks) {
            NpzFile.Member m = npz.member(task.name());
            if (m == null) {
                if (requireLabels) {
                    throw new DataException(file + ": no labels for task '" + task.name() + "' (" + task.kind().id() + ", "
                            + task.size() + " " + (task.kind() == TaskKind.MULTICLASS ? "classes" : "outputs")
                            + "): expected a member " + task.name() + ".npy " + expectedShape(task, n) + "; it holds " + names(npz));
                }
                continue;
            }
            labels.put(task.name(), read(m, task, n));
        }
        return new NpzDataset(npz, true, split == null ? "all " + n + " samples" : split, x, input, 0, n, labels);
    }

    private static String names(NpzFile npz) {
        List<String> n = npz.names();
        return n.isEmpty() ? "no members" : String.join(", ", n.stream().map(s -> s + ".npy").toList());
    }

    private static String expectedShape(TaskSpec t, int n) {
        switch (t.kind()) {
            case MULTICLASS:
                return "(" + n + ",) of class ids in [0, " + (t.size() - 1) + "]";
            case MULTILABEL:
                return "(" + n + ", " + t.size() + ") of 0/1";
            default:
                return t.size() == 1 ? "(" + n + ",) or (" + n + ", 1) of floats" : "(" + n + ", " + t.size() + ") of floats";
        }
    }

    /** Whether two shapes order their elements the same way ({@link DataSets#sameOrder}). */
    static boolean sameOrder(long[] a, int[] b) {
        for (long d : a) {
            if (d > Integer.MAX_VALUE) {
                return false;
            }
        }
        return DataSets.sameOrder(Arrays.stream(a).mapToInt(d -> (int) d).toArray(), b);
    }

    private static void checkFinite(NpzFile.Member x, int sampleSize) throws IOException {
        long count = x.count();
        int chunk = Math.max(sampleSize, (1 << 20) / sampleSize * sampleSize);
        float[] buf = new float[chunk];
        for (long at = 0; at < count; at += chunk) {
            int k = (int) Math.min(chunk, count - at);
            x.read(at, k, buf, 0);
            for (int i = 0; i < k; i++) {
                if (!Float.isFinite(buf[i])) {
                    long e = at + i;
                    throw new DataException(x.where() + ": row " + e / sampleSize + " holds " + buf[i] + " at element "
                            + e % sampleSize + "; expected finite values");
                }
            }
        }
    }

    private static TaskLabels read(NpzFile.Member m, TaskSpec task, int n) throws IOException {
        long[] shape = m.shape();
        String want = "expected " + expectedShape(task, n) + " for task '" + task.name() + "' (" + task.kind().id() + ")";
        if (shape.length == 0 || shape[0] != n) {
            throw new DataException(m.where() + ": " + m.describe() + " has " + (shape.length == 0 ? "no rows" : shape[0] + " rows")
                    + ", x has " + n + "; " + want);
        }
        long width = shape.length == 1 ? 1 : shape[1];
        double[] v = m.all();
        switch (task.kind()) {
            case MULTICLASS: {
                if (shape.length != 1 || !m.dtype().isInteger()) {
                    throw new DataException(m.where() + ": " + m.describe() + "; " + want + " (integers)");
                }
                int[] ids = new int[n];
                for (int i = 0; i < n; i++) {
                    if (v[i] < 0 || v[i] >= task.size()) {
                        throw new DataException(m.where() + ": row " + i + " holds " + (long) v[i] + ", expected a class id in [0, "
                                + (task.size() - 1) + "] (task '" + task.name() + "' has " + task.size() + " classes)");
                    }
                    ids[i] = (int) v[i];
                }
                return TaskLabels.multiclass(task.size(), ids);
            }
            case MULTILABEL: {
                if (shape.length != 2 || width != task.size()) {
                    throw new DataException(m.where() + ": " + m.describe() + "; " + want);
                }
                boolean[][] rows = new boolean[n][task.size()];
                for (int i = 0; i < n; i++) {
                    for (int c = 0; c < task.size(); c++) {
                        double d = v[i * task.size() + c];
                        if (d != 0 && d != 1) {
                            throw new DataException(m.where() + ": row " + i + ", column " + c + " holds " + d
                                    + ", expected 0 or 1 (task '" + task.name() + "' label " + task.labels().get(c) + ")");
                        }
                        rows[i][c] = d == 1;
                    }
                }
                return TaskLabels.multilabel(task.size(), rows);
            }
            default: {
                if (shape.length > 2 || width != task.size()) {
                    throw new DataException(m.where() + ": " + m.describe() + "; " + want);
                }
                float[][] rows = new float[n][task.size()];
                for (int i = 0; i < n; i++) {
                    for (int c = 0; c < task.size(); c++) {
                        double d = v[i * task.size() + c];
                        if (!Double.isFinite(d)) {
                            throw new DataException(m.where() + ": row " + i + ", column " + c + " holds " + d + ", expected a finite target");
                        }
                        rows[i][c] = (float) d;
                    }
                }
                return TaskLabels.regression(task.size(), rows);
            }
        }
    }

    /** The archive; closing it ends every data set read from it. */
    public NpzFile file() {
        return npz;
    }

    @Override
    public String name() {
        return npz.file().toString();
    }


    @Override
    public String checksum() {
        String c = checksum;
        if (c == null) {
            c = "sha256:" + DataSets.sha256(List.of(npz.file()));
            checksum = c;
        }
        return c;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int sampleSize() {
        return sampleSize;
    }

    @Override
    public void fill(int i, float[] dst, int off) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("sample " + i + " of " + size + " in " + name());
        }
        try {
            x.read((long) (from + i) * sampleSize, sampleSize, dst, off);
        } catch (IOException e) {
            throw new DataException(x.where() + ": cannot read row " + (from + i) + ": " + e.getMessage(), e);
        }
        if (x.dtype() == NpyDType.UINT8) {
            for (int k = 0; k < sampleSize; k++) {
                dst[off + k] = input.normalize(dst[off + k], layout.channelOf(k));
            }
        }
    }

    /** Closes the archive, unless this is a {@link #slice} of another data set (which owns it). */
    @Override
    public void close() {
        if (owner) {
            try {
                npz.close();
            } catch (IOException e) {
                throw new DataException(name() + ": cannot close: " + e.getMessage(), e);
            }
        }
    }



    @Override
    public Dataset slice(int start, int n) {
        return new NpzDataset(npz, false, sliceSplit(start, n), x, input, from + start, n, labelSlice(start, n));
    }

}
