package dev.tern.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Properties;

/**
 * How a model is compiled into a plan (which kernel runs each node), read once when the model
 * is loaded: whether Dense layers with sparse weights run sparse kernels, whether a node and its
 * only consumer run as one fused kernel, and overrides of the kernel variants. The defaults
 * pick the fastest kernel measured for each node on this machine (docs/KERNELS.md);
 * {@link #fromSystemProperties()} reads the {@code -Dtern.*} switches into one, and
 * {@link TernModel#of(dev.tern.runtime.model.ModelDef, Backend, PlanOptions)} takes one
 * directly. Immutable.
 */
public final class PlanOptions {
    /** When a Dense with a sparse kernel runs it. */
    public enum Sparse {
        /** Never: every Dense runs its dense kernel. */
        NEVER,
        /** Always, even where the sparse kernel comes from a slower backend than the dense one. */
        ALWAYS,
        /** Where the weights have at most 10% non-zeros and the sparse kernel is on the dense kernel's backend. */
        AUTO
    }

    private static final PlanOptions DEFAULTS = new PlanOptions(Sparse.AUTO, true, Collections.emptyList(),
            Collections.emptyList());

    private final Sparse sparse;
    private final boolean fusion;
    private final List<String> preferred;
    private final List<String> withoutVariants;

    private PlanOptions(Sparse sparse, boolean fusion, List<String> preferred, List<String> withoutVariants) {
        this.sparse = sparse;
        this.fusion = fusion;
        this.preferred = Collections.unmodifiableList(new ArrayList<>(preferred));
        this.withoutVariants = Collections.unmodifiableList(new ArrayList<>(withoutVariants));
    }

    /** Sparse kernels where they pay, fusion on, no overrides. */
    public static PlanOptions defaults() {
        return DEFAULTS;
    }

    /** {@link #fromProperties} of the JVM's system properties. */
    public static PlanOptions fromSystemProperties() {
        return fromProperties(System.getProperties());
    }

    /**
     * The options the {@code tern.*} properties ask for, the defaults for the others:
     * {@code tern.sparse=never|always|auto}, {@code tern.fuse=never|auto},
     * {@code tern.kernel=NAME[,NAME...]} (kernels to try first, {@link #preferring}),
     * {@code tern.six=false} (no six-pixel conv blocks: {@code withoutVariant("pad6")}) and
     * {@code tern.requant=exact} (no float requantization: {@code withoutVariant("fp32")}).
     *
     * @throws TernException for a value of {@code tern.sparse} or {@code tern.fuse} it does not know
     */
    public static PlanOptions fromProperties(Properties p) {
        PlanOptions o = DEFAULTS;
        String s = p.getProperty("tern.sparse", "auto");
        switch (s) {
            case "never":
                o = o.withSparse(Sparse.NEVER);
                break;
            case "always":
                o = o.withSparse(Sparse.ALWAYS);
                break;
            case "auto":
                break;
            default:
                throw new TernException("-Dtern.sparse=" + s + ": expected never, always or auto");
        }
        String f = p.getProperty("tern.fuse", "auto");
        switch (f) {
            case "never":
                o = o.withFusion(false);
                break;
            case "auto":
                break;
            default:
                throw new TernException("-Dtern.fuse=" + f + ": expected never or auto");
        }
        String k = p.getProperty("tern.kernel", "").trim();
        if (!k.isEmpty()) {
            o = o.preferring(k.split("\\s*,\\s*"));
        }
        if ("false".equals(p.getProperty("tern.six"))) {
            o = o.withoutVariant("pad6");
        }
        if ("exact".equals(p.getProperty("tern.requant"))) {
            o = o.withoutVariant("fp32");
        }
        return o;
    }

    public PlanOptions withSparse(Sparse mode) {
        if (mode == null) {
            throw new IllegalArgumentException("sparse mode must not be null");
        }
        return new PlanOptions(mode, fusion, preferred, withoutVariants);
    }

    /** Whether fused kernels may run a node and its only consumer in one pass (default true). */
    public PlanOptions withFusion(boolean on) {
        return new PlanOptions(sparse, on, preferred, withoutVariants);
    }

    /**
     * Kernels, by name (as {@link TernModel#kernels()} prints them), that the plan tries first
     * for every node they can run, before its own choice and even where it would not pick them
     * on this machine; a kernel that declines a node leaves the node to the usual choice. For
     * tests and benchmarks of one variant, and to compare variants on a model.
     */
    public PlanOptions preferring(String... kernelNames) {
        List<String> p = new ArrayList<>(preferred);
        p.addAll(Arrays.asList(kernelNames));
        return new PlanOptions(sparse, fusion, p, withoutVariants);
    }

    /** Never picks, unless named by {@link #preferring}, a kernel variant with this token (e.g. {@code pad6}, {@code fp32}). */
    public PlanOptions withoutVariant(String token) {
        List<String> w = new ArrayList<>(withoutVariants);
        w.add(token);
        return new PlanOptions(sparse, fusion, preferred, w);
    }

    public Sparse sparse() {
        return sparse;
    }

    public boolean fusion() {
        return fusion;
    }

    public List<String> preferred() {
        return preferred;
    }

    public List<String> withoutVariants() {
        return withoutVariants;
    }

    @Override
    public String toString() {
        return "PlanOptions{sparse=" + sparse + ", fusion=" + fusion + ", preferred=" + preferred + ", withoutVariants="
                + withoutVariants + "}";
    }
}
