package dev.tern.compress.prune;

import dev.tern.compress.BadInputException;
import dev.tern.compress.quant.Nd4jScope;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Magnitude pruning masks (Han et al. 2015; the forms of TF Model Optimization and NNCF):
 * a mask keeps a weight ({@code true}) or prunes it to zero.
 * <ul>
 *   <li>{@link #unstructured}: per tensor, the {@code round(s * n)} smallest |w| go.</li>
 *   <li>{@link #global}: one ranking of |w| over all tensors together, so layers with
 *       smaller weights lose more (the same count overall).</li>
 *   <li>{@link #channels}: whole output channels with the smallest L1 norm go (Li et al.
 *       2017, "Pruning Filters for Efficient ConvNets"); at least one channel stays. The
 *       model surgery that removes them and rewires the next layer is separate.</li>
 *   <li>{@link #nOfM}: in every group of M consecutive weights along the input axis, the N
 *       largest |w| stay (2:4 is NVIDIA's sparse tensor core pattern, Mishra et al. 2021).</li>
 * </ul>
 * Ties in |w| are broken by position (the earlier one is pruned first), so masks are
 * deterministic. Sparsity must lie in [0, 1).
 */
public final class MagnitudePruner {
    private MagnitudePruner() {
    }

    /** Rejects a sparsity outside [0, 1) (NaN included) with a message naming it. */
    public static void checkSparsity(double s) {
        if (!(s >= 0 && s < 1)) {
            throw new BadInputException("sparsity must be in [0, 1) (0.8 prunes 80% of the weights), got " + s);
        }
    }

    /** Keeps all but the {@code round(s * n)} smallest-magnitude weights of one tensor. */
    public static boolean[] unstructured(PruneTarget t, double sparsity) {
        checkSparsity(sparsity);
        return global(List.of(t), sparsity).get(0);
    }

    /** One magnitude ranking over all tensors: {@code round(s * total)} weights go, wherever they are. */
    public static List<boolean[]> global(List<PruneTarget> targets, double sparsity) {
        checkSparsity(sparsity);
        int total = 0;
        for (PruneTarget t : targets) {
            total = Math.addExact(total, t.size());
        }
        float[] mags = new float[total];
        int at = 0;
        for (PruneTarget t : targets) {
            for (float w : t.weights()) {
                mags[at++] = Math.abs(w);
            }
        }
        int prune = (int) Math.round(sparsity * total);
        boolean[] keepAll = keepLargest(mags, total - prune);
        List<boolean[]> masks = new ArrayList<>();
        at = 0;
        for (PruneTarget t : targets) {
            masks.add(Arrays.copyOfRange(keepAll, at, at + t.size()));
            at += t.size();
        }
        return masks;
    }

    /**
     * Keeps all but the {@code round(s * channels)} output channels of smallest L1 norm (at
     * least one channel stays). The channel axis must be the first (Dense [out, in], Conv2D
     * [cout, kh, kw, cin]).
     */
    public static boolean[] channels(PruneTarget t, double sparsity) {
        checkSparsity(sparsity);
        if (t.outAxis() != 0) {
            throw new IllegalArgumentException(t.name() + ": channel pruning needs the output channels on axis 0");
        }
        float[] norms = channelNorms(t);
        int c = norms.length;
        int keep = Math.max(1, c - (int) Math.round(sparsity * c));
        boolean[] channelKeep = keepLargest(norms, keep);
        boolean[] mask = new boolean[t.size()];
        int per = t.size() / c;
        for (int ch = 0; ch < c; ch++) {
            Arrays.fill(mask, ch * per, (ch + 1) * per, channelKeep[ch]);
        }
        return mask;
    }

    /** Which output channels {@link #channels} keeps. */
    public static boolean[] keptChannels(PruneTarget t, double sparsity) {
        boolean[] mask = channels(t, sparsity);
        boolean[] kept = new boolean[t.channels()];
        int per = t.size() / kept.length;
        for (int ch = 0; ch < kept.length; ch++) {
            kept[ch] = mask[ch * per];
        }
        return kept;
    }

    /** L1 norm of each output channel (axis 0), by ND4J. */
    public static float[] channelNorms(PruneTarget t) {
        int c = t.shape()[t.outAxis()];
        try (Nd4jScope g = new Nd4jScope()) {
            INDArray w = g.add(Nd4j.create(t.weights(), new long[] {c, t.size() / c}, 'c'));
            return g.add(w.norm1(1)).toFloatVector();
        }
    }

    /**
     * N:M: in every group of M consecutive weights along the input axis (the last), the N of
     * largest magnitude stay.
     *
     * @throws BadInputException when the input axis is not the last or its size is not a multiple of M
     */
    public static boolean[] nOfM(PruneTarget t, int n, int m) {
        if (n < 1 || n >= m) {
            throw new BadInputException("N:M sparsity needs 1 <= N < M, got " + n + ":" + m);
        }
        int in = t.shape()[t.inAxis()];
        if (t.inAxis() != t.shape().length - 1) {
            throw new BadInputException(t.name() + ": " + n + ":" + m + " groups run along the input axis, which must be "
                    + "the last; shape " + Arrays.toString(t.shape()) + " has it at axis " + t.inAxis());
        }
        if (in % m != 0) {
            throw new BadInputException(t.name() + ": " + n + ":" + m + " needs the input dimension to be a multiple of "
                    + m + ", got " + in + " (shape " + Arrays.toString(t.shape()) + ")");
        }
        float[] w = t.weights();
        boolean[] mask = new boolean[w.length];
        float[] group = new float[m];
        for (int g = 0; g < w.length; g += m) {
            for (int k = 0; k < m; k++) {
                group[k] = Math.abs(w[g + k]);
            }
            boolean[] keep = keepLargest(group, n);
            System.arraycopy(keep, 0, mask, g, m);
        }
        return mask;
    }

    /** Zeroes the pruned weights: a new array, the input is not changed. */
    public static float[] apply(float[] weights, boolean[] mask) {
        if (weights.length != mask.length) {
            throw new IllegalArgumentException("mask of " + mask.length + " for " + weights.length + " weights");
        }
        float[] out = weights.clone();
        for (int i = 0; i < out.length; i++) {
            if (!mask[i]) {
                out[i] = 0f;
            }
        }
        return out;
    }

    /** Fraction of pruned entries. */
    public static double sparsity(boolean[] mask) {
        int pruned = 0;
        for (boolean k : mask) {
            if (!k) {
                pruned++;
            }
        }
        return mask.length == 0 ? 0 : (double) pruned / mask.length;
    }

    /**
     * Marks the {@code keep} largest values; among equal values the later position ranks
     * higher (so the earlier one is pruned first).
     */
    static boolean[] keepLargest(float[] values, int keep) {
        int n = values.length;
        boolean[] mask = new boolean[n];
        if (keep >= n) {
            Arrays.fill(mask, true);
            return mask;
        }
        if (keep <= 0) {
            return mask;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        // descending magnitude, then descending index: the first `keep` stay
        Arrays.sort(order, (a, b) -> {
            int c = Float.compare(values[b], values[a]);
            return c != 0 ? c : Integer.compare(b, a);
        });
        for (int i = 0; i < keep; i++) {
            mask[order[i]] = true;
        }
        return mask;
    }
}
