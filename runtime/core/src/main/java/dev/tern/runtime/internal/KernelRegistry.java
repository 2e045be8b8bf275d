package dev.tern.runtime.internal;

import dev.tern.runtime.Backend;
import dev.tern.runtime.internal.kernels.CoreKernels;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.OpType;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The one list of kernels: (op, dtype, backend) to factory. The resolver, the tests and
 * the benchmarks all read it, so a kernel is tested and benchmarked by being registered.
 * Reference and scalar kernels register here; the vector jar adds its own when
 * {@link Platform} loads it.
 */
public final class KernelRegistry {
    private static final List<Entry> ENTRIES = new ArrayList<>();
    private static final List<Entry> SPARSE = new ArrayList<>();
    private static final List<Fused> FUSED = new ArrayList<>();

    /**
     * A Dense whose weights have at most this fraction of non-zeros runs a sparse kernel,
     * when one exists on the same backend as the dense kernel it replaces (a scalar sparse
     * kernel never replaces a vector dense one). Measured with {@code SparseBench} on the
     * teacher's 5184x256 Dense at batch 1 (docs/KERNELS.md): sparse pays from about 88%
     * sparsity for fp32 and 90% for scalar int8; the vector int8 dense kernel beats every
     * sparse int8 kernel up to 95%. {@code -Dtern.sparse=never|always|auto} overrides the
     * choice (read when a model is loaded).
     */
    public static final double SPARSE_DENSITY = 0.10;

    static {
        CoreKernels.register();
    }

    private KernelRegistry() {
    }

    public static synchronized void register(OpType op, DType dtype, Backend backend, String name, KernelFactory factory) {
        for (Entry e : ENTRIES) {
            if (e.op == op && e.dtype == dtype && e.backend == backend) {
                throw new IllegalStateException("kernel for " + op + "/" + dtype + "/" + backend + " registered twice");
            }
        }
        ENTRIES.add(new Entry(op, dtype, backend, name, factory, false));
    }

    /**
     * Registers the sparse-weight variant of a kernel (Dense): chosen instead of the dense
     * one for weights with at most {@link #SPARSE_DENSITY} non-zeros.
     */
    public static synchronized void registerSparse(OpType op, DType dtype, Backend backend, String name, KernelFactory factory) {
        for (Entry e : SPARSE) {
            if (e.op == op && e.dtype == dtype && e.backend == backend) {
                throw new IllegalStateException("sparse kernel for " + op + "/" + dtype + "/" + backend + " registered twice");
            }
        }
        SPARSE.add(new Entry(op, dtype, backend, name, factory, true));
    }

    /** The registered sparse variant for exactly this triple, or null. */
    public static synchronized Entry findSparse(OpType op, DType dtype, Backend backend) {
        for (Entry e : SPARSE) {
            if (e.op == op && e.dtype == dtype && e.backend == backend) {
                return e;
            }
        }
        return null;
    }

    /** The sparse variant for {@code backend}, falling back VECTOR -> SCALAR -> REFERENCE; null if none. */
    public static Entry resolveSparse(OpType op, DType dtype, Backend backend) {
        for (Backend b = backend; b != null; b = b.fallback()) {
            Entry e = findSparse(op, dtype, b);
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    /**
     * Whether weights with this fraction of non-zeros run sparse: {@code -Dtern.sparse}
     * (never, always, or auto: at most {@link #SPARSE_DENSITY}).
     */
    public static boolean prefersSparse(double density) {
        String p = System.getProperty("tern.sparse", "auto");
        switch (p) {
            case "never":
                return false;
            case "always":
                return true;
            case "auto":
                return density <= SPARSE_DENSITY;
            default:
                throw new dev.tern.runtime.TernException("-Dtern.sparse=" + p + ": expected never, always or auto");
        }
    }

    /** The sparse variants (sparse entries are not in {@link #entries()}). */
    public static synchronized List<Entry> sparseEntries() {
        return Collections.unmodifiableList(new ArrayList<>(SPARSE));
    }

    /**
     * Makes one kernel that runs two nodes, {@code first} and its only consumer {@code second}
     * (the plan has checked the graph); returns null when it does not support this pair's
     * configuration (the plan then runs the two nodes' own kernels), may throw
     * IllegalArgumentException as a {@link KernelFactory}.
     */
    public interface FusedFactory {
        Kernel create(OpContext first, OpContext second);
    }

    /**
     * Registers a kernel that computes node {@code first} (of kernel type {@code dtype}) and its
     * only consumer {@code second} in one pass, writing only the second's output. The plan offers
     * it every such pair when {@link #fusionEnabled()}; see {@link Plan}.
     */
    public static synchronized void registerFused(OpType first, OpType second, DType dtype, Backend backend, String name,
                                                  FusedFactory factory) {
        for (Fused f : FUSED) {
            if (f.entry.op == first && f.second == second && f.entry.dtype == dtype && f.entry.backend == backend) {
                throw new IllegalStateException("fused kernel for " + first + "+" + second + "/" + dtype + "/" + backend
                        + " registered twice");
            }
        }
        FUSED.add(new Fused(new Entry(first, dtype, backend, name, null, false), second, factory));
    }

    /**
     * The fused kernel for (first, second) on exactly {@code backend}, or null: a fused kernel
     * replaces the two nodes' kernels of its own backend only, so there is no fallback chain.
     */
    public static synchronized Fused findFused(OpType first, OpType second, DType dtype, Backend backend) {
        for (Fused f : FUSED) {
            if (f.entry.op == first && f.second == second && f.entry.dtype == dtype && f.entry.backend == backend) {
                return f;
            }
        }
        return null;
    }

    /** The fused kernels registered. */
    public static synchronized List<Fused> fusedEntries() {
        return Collections.unmodifiableList(new ArrayList<>(FUSED));
    }

    /**
     * Whether plans fuse node pairs that have a fused kernel: {@code -Dtern.fuse} (auto, the
     * default, or never: every node runs its own kernel; read when a model is loaded).
     */
    public static boolean fusionEnabled() {
        String p = System.getProperty("tern.fuse", "auto");
        switch (p) {
            case "never":
                return false;
            case "auto":
                return true;
            default:
                throw new dev.tern.runtime.TernException("-Dtern.fuse=" + p + ": expected never or auto");
        }
    }

    /** A fused kernel: its entry names it (op is the first node's, factory null), {@link #second} is the consumer's op. */
    public static final class Fused {
        public final Entry entry;
        public final OpType second;
        public final FusedFactory factory;

        Fused(Entry entry, OpType second, FusedFactory factory) {
            this.entry = entry;
            this.second = second;
            this.factory = factory;
        }

        @Override
        public String toString() {
            return entry.name;
        }
    }

    /** The registered kernel for exactly this triple, or null. */
    public static synchronized Entry find(OpType op, DType dtype, Backend backend) {
        for (Entry e : ENTRIES) {
            if (e.op == op && e.dtype == dtype && e.backend == backend) {
                return e;
            }
        }
        return null;
    }

    /** The kernel for {@code backend}, falling back VECTOR -> SCALAR -> REFERENCE; null if none. */
    public static Entry resolve(OpType op, DType dtype, Backend backend) {
        for (Backend b = backend; b != null; b = b.fallback()) {
            Entry e = find(op, dtype, b);
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    public static synchronized List<Entry> entries() {
        return Collections.unmodifiableList(new ArrayList<>(ENTRIES));
    }

    /** One registered kernel. Names follow docs/KERNELS.md: {@code <dtype>-<op>-<backend>} (f32 or int8). */
    public static final class Entry {
        public final OpType op;
        public final DType dtype;
        public final Backend backend;
        public final String name;
        public final KernelFactory factory;
        /** A sparse-weight variant ({@link #registerSparse}). */
        public final boolean sparse;

        Entry(OpType op, DType dtype, Backend backend, String name, KernelFactory factory, boolean sparse) {
            this.sparse = sparse;
            this.op = op;
            this.dtype = dtype;
            this.backend = backend;
            this.name = name;
            this.factory = factory;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
