package dev.tern.runtime.internal;

import dev.tern.runtime.Backend;
import dev.tern.runtime.PlanOptions;
import dev.tern.runtime.internal.kernels.CoreKernels;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.OpType;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The one list of kernels: every {@link KernelSpec} of this JVM, immutable. The plan, the
 * property tests and the benchmarks all read it, so a kernel is tested and benchmarked by
 * being listed. tern-runtime's kernels are listed in {@link CoreKernels}; the vector jar
 * contributes its list when {@link Platform} loads it. Order matters only among the variants
 * of one (kind, op, dtype, backend): the plan tries them in list order.
 */
public final class KernelRegistry {
    /**
     * A Dense whose weights have at most this fraction of non-zeros runs a sparse kernel,
     * when one exists on the same backend as the dense kernel it replaces (a scalar sparse
     * kernel never replaces a vector dense one). Measured with {@code SparseBench} on the
     * teacher's 5184x256 Dense at batch 1 (docs/KERNELS.md): sparse pays from about 88%
     * sparsity for fp32 and 90% for scalar int8; the vector int8 dense kernel beats every
     * sparse int8 kernel up to 95%. {@link PlanOptions.Sparse} overrides the choice.
     */
    public static final double SPARSE_DENSITY = 0.10;

    private final List<KernelSpec> specs;

    /** A registry of these specs; names must be unique. */
    public KernelRegistry(List<KernelSpec> specs) {
        Set<String> names = new HashSet<>();
        for (KernelSpec s : specs) {
            if (!names.add(s.name)) {
                throw new IllegalStateException("kernel " + s.name + " listed twice");
            }
        }
        this.specs = Collections.unmodifiableList(new ArrayList<>(specs));
    }

    /** Every kernel of this JVM: tern-runtime's and, where the vector backend is available, tern-runtime-vector's. */
    public static KernelRegistry all() {
        return All.REGISTRY;
    }

    /** Built on first use: the vector jar's list is known only after {@link Platform} has tried to load it. */
    private static final class All {
        static final KernelRegistry REGISTRY = build();

        private static KernelRegistry build() {
            List<KernelSpec> all = new ArrayList<>(new CoreKernels().kernels());
            all.addAll(Platform.vectorKernels());
            return new KernelRegistry(all);
        }
    }

    public List<KernelSpec> specs() {
        return specs;
    }

    /** The spec of this name, or null. */
    public KernelSpec byName(String name) {
        for (KernelSpec s : specs) {
            if (s.name.equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** The specs of exactly this kind, ops (second null unless fused), dtype and backend, in list order. */
    public List<KernelSpec> find(KernelSpec.Kind kind, OpType op, OpType second, DType dtype, Backend backend) {
        List<KernelSpec> out = new ArrayList<>();
        for (KernelSpec s : specs) {
            if (s.kind == kind && s.op == op && s.second == second && s.dtype == dtype && s.backend == backend) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * The specs the plan may try for a node on exactly {@code backend}, in order: those
     * {@code options} names first, then the automatic ones that no {@link PlanOptions#withoutVariant}
     * token excludes.
     */
    public List<KernelSpec> candidates(KernelSpec.Kind kind, OpType op, OpType second, DType dtype, Backend backend,
                                       PlanOptions options) {
        List<KernelSpec> all = find(kind, op, second, dtype, backend);
        List<KernelSpec> out = new ArrayList<>();
        for (KernelSpec s : all) {
            if (options.preferred().contains(s.name)) {
                out.add(s);
            }
        }
        for (KernelSpec s : all) {
            if (s.auto && !out.contains(s) && !excluded(s, options)) {
                out.add(s);
            }
        }
        return out;
    }

    private static boolean excluded(KernelSpec s, PlanOptions options) {
        for (String token : options.withoutVariants()) {
            if (s.hasToken(token)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The kernel of one node and the spec it came from. In order: a kernel {@code options} names
     * that takes the node (on {@code backend} or its fallbacks); the sparse kernel, when the node's
     * weights are sparse enough ({@link #SPARSE_DENSITY}, {@link PlanOptions.Sparse}) and it is on
     * the backend of the dense kernel it replaces (any backend with {@code ALWAYS}); else the first
     * variant that takes the node on the first backend of the chain VECTOR -> SCALAR -> REFERENCE
     * that has one. Null when there is none.
     *
     * @param density fraction of non-zero weights of the node's constant input 1, asked only when a
     *                sparse kernel is in question; null when that input is not a constant (no sparse kernel)
     * @throws IllegalArgumentException from a factory, for a configuration no kernel supports
     */
    public Choice choose(OpContext ctx, OpType op, DType dtype, Backend backend, PlanOptions options,
                         java.util.function.DoubleSupplier density) {
        List<KernelSpec> tried = new ArrayList<>();
        for (String name : options.preferred()) {
            KernelSpec s = byName(name);
            if (s != null && s.kind != KernelSpec.Kind.FUSED && s.op == op && s.dtype == dtype && inChain(s.backend, backend)) {
                tried.add(s);
                Kernel k = s.create(ctx);
                if (k != null) {
                    return new Choice(s, k);
                }
            }
        }
        Backend dense = null;
        for (Backend b = backend; b != null && dense == null; b = b.fallback()) {
            dense = candidates(KernelSpec.Kind.PLAIN, op, null, dtype, b, options).isEmpty() ? null : b;
        }
        if (dense == null) {
            return null;
        }
        KernelSpec sparse = null;
        for (Backend b = backend; b != null && sparse == null; b = b.fallback()) {
            List<KernelSpec> c = candidates(KernelSpec.Kind.SPARSE, op, null, dtype, b, options);
            sparse = c.isEmpty() ? null : c.get(0);
        }
        if (density != null && sparse != null && !tried.contains(sparse) && options.sparse() != PlanOptions.Sparse.NEVER
                && (sparse.backend == dense || options.sparse() == PlanOptions.Sparse.ALWAYS)
                && (options.sparse() == PlanOptions.Sparse.ALWAYS || density.getAsDouble() <= SPARSE_DENSITY)) {
            Kernel k = sparse.create(ctx);
            if (k != null) {
                return new Choice(sparse, k);
            }
        }
        for (Backend b = dense; b != null; b = b.fallback()) {
            for (KernelSpec s : candidates(KernelSpec.Kind.PLAIN, op, null, dtype, b, options)) {
                if (!tried.contains(s)) {
                    Kernel k = s.create(ctx);
                    if (k != null) {
                        return new Choice(s, k);
                    }
                }
            }
        }
        return null;
    }

    private static boolean inChain(Backend b, Backend start) {
        for (Backend x = start; x != null; x = x.fallback()) {
            if (x == b) {
                return true;
            }
        }
        return false;
    }

    /** A kernel and the spec that made it. */
    public static final class Choice {
        public final KernelSpec spec;
        public final Kernel kernel;

        Choice(KernelSpec spec, Kernel kernel) {
            this.spec = spec;
            this.kernel = kernel;
        }
    }
}
