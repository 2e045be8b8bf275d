package dev.tern.runtime;

import dev.tern.runtime.internal.KernelRegistry;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.OpType;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The sparse Dense kernels against the dense reference on the same masked weights, and when the plan picks them. */
class SparseKernelTest {
    static final long SEED = 0x5BA25EL;

    @TestFactory
    List<DynamicTest> sparseKernelsEqualTheDenseReference() {
        List<DynamicTest> tests = new ArrayList<>();
        for (KernelRegistry.Entry e : KernelRegistry.sparseEntries()) {
            for (double sp : SparseChecks.SPARSITIES) {
                for (int size : new int[] {1, 3, 4, 5, 8, 17, 33, 65, 129}) {
                    long seed = SEED + size * 31L + (long) (sp * 100);
                    tests.add(DynamicTest.dynamicTest(e.name + " sparsity " + sp + " size " + size + " seed " + seed,
                            () -> SparseChecks.check(e, size, seed, sp)));
                }
            }
        }
        return tests;
    }

    @Test
    void everyDenseBackendHasASparseVariant() {
        for (Backend b : new Backend[] {Backend.REFERENCE, Backend.SCALAR}) {
            for (dev.tern.runtime.model.DType t : new dev.tern.runtime.model.DType[] {dev.tern.runtime.model.DType.FLOAT32,
                    dev.tern.runtime.model.DType.INT8}) {
                KernelRegistry.Entry e = KernelRegistry.findSparse(OpType.DENSE, t, b);
                assertNotNull(e, b + " " + t);
                assertEquals(t.id().replace("float32", "f32") + "-sparse_dense-" + b.id(), e.name);
            }
        }
    }

    @Test
    void thePlanPicksSparseOnlyBelowTheDensityBar() {
        OpCases.Case c = OpCases.cases(OpType.DENSE, 64, SEED).get(0);
        ModelDef dense = c.model.apply(false);
        SparseChecks.assertChosen(dense, Backend.SCALAR, "f32-dense-scalar");
        SparseChecks.assertChosen(SparseChecks.masked(dense, 0.95, 1), Backend.SCALAR, "f32-sparse_dense-scalar");
        SparseChecks.assertChosen(SparseChecks.masked(dense, 0.3, 1), Backend.SCALAR, "f32-dense-scalar");
        SparseChecks.assertChosen(SparseChecks.masked(dense, 0.95, 1), Backend.REFERENCE, "f32-sparse_dense-reference");
    }
}
