package dev.tern.runtime;

import dev.tern.runtime.internal.KernelSpec;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.OpType;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The property test of every kind of registry entry, shared by {@link KernelPropertyTest} and
 * the vector module's tests: a plain kernel against the reference kernel of its op on the
 * random cases of {@link OpCases} / {@link Int8Cases} at every size, the plan asked to use it
 * ({@link PlanOptions#preferring}); a sparse kernel against the dense reference
 * ({@link SparseChecks}). A variant may decline some cases (say, outputs too narrow for its
 * blocks): those run its fallback, and a last test asserts that the variant itself ran on some.
 */
public final class KernelChecks {
    /** Sizes of the sparse checks: tails around the tiles of 4 and 8, primes. */
    static final int[] SPARSE_SIZES = {1, 3, 4, 5, 8, 17, 33, 65, 129};

    private KernelChecks() {
    }

    /** Why {@code spec} has no property test here, or null when it has one ({@link #tests}). */
    public static String missing(KernelSpec spec) {
        switch (spec.kind) {
            case PLAIN:
                boolean cases = spec.dtype == DType.INT8 ? Int8Cases.cases(spec.op, 1, 1) != null
                        : OpCases.cases(spec.op, 1, 1) != null;
                return cases ? null : "no random cases for " + spec.dtype.id() + " " + spec.op.id() + ": add them to "
                        + (spec.dtype == DType.INT8 ? "Int8Cases" : "OpCases");
            case SPARSE:
                return spec.op == OpType.DENSE ? null : "SparseChecks covers sparse dense only";
            default:
                return "no property test for fused kernels in tern-runtime (the vector module tests its own)";
        }
    }

    /** The property tests of a plain or sparse spec, with seeds from {@code baseSeed}. */
    public static List<DynamicNode> tests(KernelSpec spec, long baseSeed) {
        List<DynamicNode> tests = new ArrayList<>();
        String why = missing(spec);
        if (why != null) {
            tests.add(DynamicTest.dynamicTest("no property test", () -> {
                throw new AssertionError(spec.name + ": " + why);
            }));
            return tests;
        }
        if (spec.kind == KernelSpec.Kind.SPARSE) {
            for (double sp : SparseChecks.SPARSITIES) {
                for (int size : SPARSE_SIZES) {
                    long seed = baseSeed * 41 + size * 31L + (long) (sp * 100);
                    tests.add(DynamicTest.dynamicTest("sparsity " + sp + " size " + size + " seed " + seed,
                            () -> SparseChecks.check(spec, size, seed, sp)));
                }
            }
            return tests;
        }
        AtomicInteger ran = new AtomicInteger();
        AtomicInteger declined = new AtomicInteger();
        List<Integer> sizes = new ArrayList<>();
        for (int s : OpCases.SIZES) {
            sizes.add(s);
        }
        if (spec.op == OpType.DENSE && spec.dtype == DType.FLOAT32) {
            for (int s : OpCases.DENSE_EXTRA) {
                sizes.add(s);
            }
        }
        for (int size : sizes) {
            if (spec.dtype == DType.INT8) {
                long seed = baseSeed * 37 + spec.op.code() * 1000L + size;
                tests.add(DynamicTest.dynamicTest("int8 size " + size + " seed " + seed,
                        () -> count(KernelPropertyTest.checkInt8(spec, size, seed), ran, declined)));
            } else {
                long seed = baseSeed * 31 + spec.op.code() * 1000L + size;
                tests.add(DynamicTest.dynamicTest("size " + size + " seed " + seed,
                        () -> count(KernelPropertyTest.check(spec, size, seed), ran, declined)));
            }
        }
        if (!spec.variant.isEmpty()) {
            tests.add(DynamicTest.dynamicTest("the variant ran", () -> assertTrue(ran.get() > 0, spec.name
                    + " declined every case (" + declined.get() + "): its property test tested nothing")));
        }
        return tests;
    }

    private static void count(int[] ranDeclined, AtomicInteger ran, AtomicInteger declined) {
        ran.addAndGet(ranDeclined[0]);
        declined.addAndGet(ranDeclined[1]);
    }

    /** Float kernel against the reference on the random cases of its op at one size. */
    public static void check(KernelSpec entry, int size, long seed) {
        KernelPropertyTest.check(entry, size, seed);
    }

    /** Int8 kernel against the int8 reference, bit for bit, on the random cases of its op at one size. */
    public static void checkInt8(KernelSpec entry, int size, long seed) {
        KernelPropertyTest.checkInt8(entry, size, seed);
    }
}
