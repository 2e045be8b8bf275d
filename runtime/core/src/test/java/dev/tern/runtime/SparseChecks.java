package dev.tern.runtime;

import dev.tern.runtime.internal.KernelSpec;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks a sparse Dense kernel against the dense reference on the same masked weights:
 * the core's random Dense cases (sizes, tails, batches, offsets, activations) with the
 * weights masked so that row 0 is empty, row 1 fully dense and the rest keep about
 * {@code 1 - sparsity} of their weights. fp32 within the dense kernels' tolerance
 * (relative to the magnitude of the sum), int8 bit for bit. Shared with the vector module's tests.
 */
public final class SparseChecks {
    private SparseChecks() {
    }

    /** {@code def} with its one Dense's weights masked as described above. */
    static ModelDef masked(ModelDef def, double sparsity, long seed) {
        Random rnd = new Random(seed);
        Node dense = null;
        for (Node n : def.nodes()) {
            if (n.op() == OpType.DENSE) {
                dense = n;
            }
        }
        assertNotNull(dense, "no dense node");
        List<Tensor> ts = new ArrayList<>();
        for (Tensor t : def.tensors().values()) {
            if (!t.name().equals(dense.input(1))) {
                ts.add(t);
                continue;
            }
            int rows = t.dim(0);
            int cols = t.dim(1);
            boolean[] keep = new boolean[rows * cols];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    keep[r * cols + c] = rows > 1 && r == 1 || r != 0 && rnd.nextDouble() >= sparsity;
                }
            }
            ts.add(TestModels.masked(t, keep));
        }
        return new ModelDef(def.name(), def.inputs(), ts, def.nodes(), def.tasks(), def.outputs(), def.provenance());
    }

    /** Runs with the plan's sparse choice set to {@code mode}. */
    static float[][] run(OpCases.Case c, ModelDef def, Backend b, Map<String, float[]> in, String kernel, PlanOptions.Sparse mode) {
        return c.run(def, b, in, kernel, PlanOptions.defaults().withSparse(mode));
    }

    public static void check(KernelSpec entry, int size, long seed, double sparsity) {
        assertTrue(entry.kind == KernelSpec.Kind.SPARSE && entry.op == OpType.DENSE, entry.name);
        boolean int8 = entry.dtype == DType.INT8;
        List<OpCases.Case> cases = int8 ? Int8Cases.cases(OpType.DENSE, size, seed) : OpCases.cases(OpType.DENSE, size, seed);
        for (OpCases.Case c : cases) {
            ModelDef def = masked(c.model.apply(false), sparsity, seed);
            String ref = int8 ? "int8-dense-reference" : "f32-dense-reference";
            float[][] want = run(c, def, Backend.REFERENCE, c.inputs, ref, PlanOptions.Sparse.NEVER);
            float[][] got = run(c, def, entry.backend, c.inputs, entry.name, PlanOptions.Sparse.ALWAYS);
            if (int8) {
                for (int s = 0; s < c.batch; s++) {
                    TestModels.assertBitwiseEquals(want[s], got[s], entry.name + " vs dense reference, " + c + ", sample " + s);
                }
                continue;
            }
            Map<String, float[]> absIn = new LinkedHashMap<>();
            c.inputs.forEach((k, v) -> absIn.put(k, TestModels.abs(v)));
            float[][] mag = run(c, masked(c.model.apply(true), sparsity, seed), Backend.REFERENCE, absIn, null, PlanOptions.Sparse.NEVER);
            for (int s = 0; s < c.batch; s++) {
                TestModels.assertClose(want[s], got[s], mag[s], c.dotLength, entry.name + " vs dense reference, " + c + ", sample " + s);
            }
        }
    }

    /** Every sparsity the issue asks about, plus all-empty (1.0) and nothing pruned (0). */
    public static final double[] SPARSITIES = {0, 0.5, 0.8, 0.95, 1.0};

    /** Asserts a model's Dense runs {@code expected} under the default (auto) choice. */
    public static void assertChosen(ModelDef def, Backend b, String expected) {
        TernModel m = TernModel.of(def, b);
        String dense = null;
        for (Node n : def.nodes()) {
            if (n.op() == OpType.DENSE) {
                dense = n.name();
            }
        }
        assertEquals(expected, m.kernels().get(dense));
    }
}
