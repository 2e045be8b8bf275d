package dev.tern.runtime.internal;

import dev.tern.runtime.Backend;
import dev.tern.runtime.internal.kernels.Int8ReferenceKernels;
import dev.tern.runtime.internal.kernels.Int8ScalarKernels;
import dev.tern.runtime.internal.kernels.ReferenceKernels;
import dev.tern.runtime.internal.kernels.ScalarKernels;
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

    static {
        ReferenceKernels.register();
        ScalarKernels.register();
        Int8ReferenceKernels.register();
        Int8ScalarKernels.register();
    }

    private KernelRegistry() {
    }

    public static synchronized void register(OpType op, DType dtype, Backend backend, String name, KernelFactory factory) {
        for (Entry e : ENTRIES) {
            if (e.op == op && e.dtype == dtype && e.backend == backend) {
                throw new IllegalStateException("kernel for " + op + "/" + dtype + "/" + backend + " registered twice");
            }
        }
        ENTRIES.add(new Entry(op, dtype, backend, name, factory));
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

        Entry(OpType op, DType dtype, Backend backend, String name, KernelFactory factory) {
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
