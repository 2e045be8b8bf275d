package dev.tern.runtime;

import dev.tern.runtime.internal.KernelRegistry;
import dev.tern.runtime.internal.KernelSpec;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.OpType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * When the plan picks the sparse Dense kernels (their values against the dense reference on the
 * same masked weights run in {@link KernelPropertyTest}, as every registry entry's: {@link SparseChecks}).
 */
class SparseKernelTest {
    static final long SEED = 0x5BA25EL;

    @Test
    void everyDenseBackendHasASparseVariant() {
        for (Backend b : new Backend[] {Backend.REFERENCE, Backend.SCALAR}) {
            for (dev.tern.runtime.model.DType t : new dev.tern.runtime.model.DType[] {dev.tern.runtime.model.DType.FLOAT32,
                    dev.tern.runtime.model.DType.INT8}) {
                List<KernelSpec> e = KernelRegistry.all().find(KernelSpec.Kind.SPARSE, OpType.DENSE, null, t, b);
                assertEquals(1, e.size(), b + " " + t);
                assertEquals(t.id().replace("float32", "f32") + "-sparse_dense-" + b.id(), e.get(0).name);
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
