package dev.tern.compress.prune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The mask rule of each pruning kind, as {@link MaskedFineTuner} recomputes it at every step. */
public final class PruneRules {
    private PruneRules() {
    }

    /**
     * The masks of kind {@code k} (unstructured, global, channel, 2:4) for weights of the given
     * shapes; {@code biasOf} maps a bias to its weights, whose channel mask it then shares.
     */
    public static MaskedFineTuner.MaskRule rule(String k, Map<String, int[]> shapes, Map<String, String> biasOf) {
        return (all, s) -> {
            Map<String, boolean[]> m = new LinkedHashMap<>();
            Map<String, float[]> weights = new LinkedHashMap<>(all);
            weights.keySet().removeAll(biasOf.keySet());
            if (!biasOf.isEmpty()) {
                Map<String, boolean[]> wm = rule(k, shapes, Map.of()).masks(weights, s);
                m.putAll(wm);
                for (Map.Entry<String, String> b : biasOf.entrySet()) {
                    if (all.containsKey(b.getKey())) {
                        boolean[] w = wm.get(b.getValue());
                        int channels = shapes.get(b.getValue())[0];
                        int per = w.length / channels;
                        boolean[] keep = new boolean[channels];
                        for (int c = 0; c < channels; c++) {
                            keep[c] = w[c * per];
                        }
                        m.put(b.getKey(), keep);
                    }
                }
                return m;
            }
            if (k.equals("global")) {
                List<PruneTarget> ts = new ArrayList<>();
                List<String> names = new ArrayList<>(weights.keySet());
                for (String n : names) {
                    ts.add(target(n, weights.get(n), shapes.get(n)));
                }
                List<boolean[]> masks = MagnitudePruner.global(ts, s);
                for (int i = 0; i < names.size(); i++) {
                    m.put(names.get(i), masks.get(i));
                }
                return m;
            }
            for (Map.Entry<String, float[]> e : weights.entrySet()) {
                PruneTarget t = target(e.getKey(), e.getValue(), shapes.get(e.getKey()));
                switch (k) {
                    case "channel":
                        m.put(e.getKey(), MagnitudePruner.channels(t, s));
                        break;
                    case "2:4":
                        m.put(e.getKey(), s == 0 ? all(e.getValue().length) : MagnitudePruner.nOfM(t, 2, 4));
                        break;
                    default:
                        m.put(e.getKey(), MagnitudePruner.unstructured(t, s));
                }
            }
            return m;
        };
    }

    /** Keeps every weight at zero that is zero now: the rule of fine-tuning after pruning. */
    public static MaskedFineTuner.MaskRule keepZeros() {
        return (w, s) -> {
            Map<String, boolean[]> m = new LinkedHashMap<>();
            w.forEach((name, v) -> {
                boolean[] keep = new boolean[v.length];
                for (int i = 0; i < v.length; i++) {
                    keep[i] = v[i] != 0f;
                }
                m.put(name, keep);
            });
            return m;
        };
    }

    private static boolean[] all(int n) {
        boolean[] b = new boolean[n];
        Arrays.fill(b, true);
        return b;
    }

    private static PruneTarget target(String name, float[] w, int[] shape) {
        return new PruneTarget(name, w, shape, 0, shape.length - 1);
    }

    /** Asserts the 2:4 property of the written weights: at most 2 non-zeros in every group of 4 along the input. */
    public static void check24(String name, float[] w) {
        for (int g = 0; g + 4 <= w.length; g += 4) {
            int nz = 0;
            for (int i = 0; i < 4; i++) {
                nz += w[g + i] != 0f ? 1 : 0;
            }
            if (nz > 2) {
                throw new IllegalStateException(name + ": group at " + g + " has " + nz + " non-zeros after 2:4 pruning");
            }
        }
    }
}
