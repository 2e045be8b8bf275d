package dev.tern.runtime;

import dev.tern.runtime.internal.KernelRegistry;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.OpType;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every registered kernel against the reference kernel of its op, on random single-op
 * models (see {@link OpCases}): a kernel is tested by being registered. Reference entries
 * run the same cases, which for them checks batch handling, offsets and determinism (their
 * values are checked by hand in {@link OpGoldenTest}).
 *
 * <p>Seeds derive from {@code -Dtern.test.seed} (default fixed) and are printed in every
 * failure message; rerun with that seed to reproduce.
 */
class KernelPropertyTest {
    static final long BASE_SEED = Long.getLong("tern.test.seed", 0x7E57_2024L);

    @Test
    void registryHasReferenceKernelForEveryOpAndNoDuplicates() {
        EnumSet<OpType> withReference = EnumSet.noneOf(OpType.class);
        EnumSet<OpType> withInt8Reference = EnumSet.noneOf(OpType.class);
        List<String> names = new ArrayList<>();
        for (KernelRegistry.Entry e : KernelRegistry.entries()) {
            if (e.backend == Backend.REFERENCE && e.dtype == DType.FLOAT32) {
                withReference.add(e.op);
            }
            if (e.backend == Backend.REFERENCE && e.dtype == DType.INT8) {
                withInt8Reference.add(e.op);
            }
            assertTrue(e.dtype == DType.FLOAT32 || e.dtype == DType.INT8, e.name);
            assertTrue(!names.contains(e.name), "kernel name " + e.name + " registered twice");
            names.add(e.name);
            assertEquals(e.dtype.id().replace("float32", "f32") + "-" + e.op.id() + "-" + e.backend.id(), e.name,
                    "kernel names follow <dtype>-<op>-<backend>");
            assertEquals(e, KernelRegistry.find(e.op, e.dtype, e.backend));
        }
        assertEquals(EnumSet.complementOf(EnumSet.of(OpType.QUANTIZE, OpType.DEQUANTIZE)), withReference,
                "every float op needs a reference (oracle) kernel");
        assertEquals(EnumSet.complementOf(EnumSet.of(OpType.SIGMOID, OpType.SOFTMAX)), withInt8Reference,
                "every op but sigmoid and softmax (which read float32) needs an int8 reference kernel");
        assertEquals(Backend.REFERENCE, KernelRegistry.resolve(OpType.SOFTMAX, DType.FLOAT32, Backend.SCALAR).backend,
                "an op without a scalar kernel falls back to the reference");
    }

    @TestFactory
    List<DynamicNode> everyKernelMatchesReference() {
        List<DynamicNode> perKernel = new ArrayList<>();
        for (KernelRegistry.Entry entry : KernelRegistry.entries()) {
            List<DynamicNode> tests = new ArrayList<>();
            if (entry.dtype == DType.INT8) {
                for (int size : OpCases.SIZES) {
                    long seed = BASE_SEED * 37 + entry.op.code() * 1000L + size;
                    tests.add(DynamicTest.dynamicTest("int8 size " + size + " seed " + seed, () -> checkInt8(entry, size, seed)));
                }
            } else if (entry.dtype != DType.FLOAT32) {
                tests.add(DynamicTest.dynamicTest("no cases", () -> {
                    throw new AssertionError("kernel " + entry.name + " has dtype " + entry.dtype
                            + ", which KernelPropertyTest has no cases for yet: add them");
                }));
            } else {
                List<Integer> sizes = new ArrayList<>();
                for (int s : OpCases.SIZES) {
                    sizes.add(s);
                }
                if (entry.op == OpType.DENSE) {
                    for (int s : OpCases.DENSE_EXTRA) {
                        sizes.add(s);
                    }
                }
                for (int size : sizes) {
                    long seed = BASE_SEED * 31 + entry.op.code() * 1000L + size;
                    tests.add(DynamicTest.dynamicTest("size " + size + " seed " + seed, () -> check(entry, size, seed)));
                }
            }
            perKernel.add(DynamicContainer.dynamicContainer(entry.name, tests));
        }
        return perKernel;
    }

    /** Int8 kernels must give exactly the reference's bytes (compared through an exact dequantize). */
    static void checkInt8(KernelRegistry.Entry entry, int size, long seed) {
        List<OpCases.Case> cases = Int8Cases.cases(entry.op, size, seed);
        assertNotNull(cases, "no int8 cases for op " + entry.op + " (kernel " + entry.name + "): add them to Int8Cases");
        assertTrue(!cases.isEmpty());
        for (OpCases.Case c : cases) {
            ModelDef def = c.model.apply(false);
            boolean convert = entry.op == OpType.QUANTIZE || entry.op == OpType.DEQUANTIZE;
            if (convert) {
                assertTrue(TernModel.of(def, entry.backend).kernels().containsValue(entry.name), entry.name + " runs in " + c);
            }
            float[][] ref = c.run(def, Backend.REFERENCE, c.inputs, convert ? null : "int8-" + entry.op.id() + "-reference");
            float[][] got = c.run(def, entry.backend, c.inputs, convert ? null : entry.name);
            for (int s = 0; s < c.batch; s++) {
                TestModels.assertBitwiseEquals(ref[s], got[s], entry.name + " vs reference, " + c + ", sample " + s);
            }
        }
    }

    static void check(KernelRegistry.Entry entry, int size, long seed) {
        List<OpCases.Case> cases = OpCases.cases(entry.op, size, seed);
        assertNotNull(cases, "no random cases for op " + entry.op + " (kernel " + entry.name + "): add them to OpCases");
        assertTrue(!cases.isEmpty());
        for (OpCases.Case c : cases) {
            ModelDef def = c.model.apply(false);
            float[][] ref = c.run(def, Backend.REFERENCE, c.inputs, "f32-" + entry.op.id() + "-reference");
            float[][] got = c.run(def, entry.backend, c.inputs, entry.name);
            float[][] mag = null;
            if (c.dotLength > 0 && c.fixedMagnitude == 0f) {
                Map<String, float[]> absIn = new LinkedHashMap<>();
                c.inputs.forEach((k, v) -> absIn.put(k, TestModels.abs(v)));
                mag = c.run(c.model.apply(true), Backend.REFERENCE, absIn, null);
            }
            for (int s = 0; s < c.batch; s++) {
                float[] m = new float[ref[s].length];
                for (int i = 0; i < m.length; i++) {
                    m[i] = mag != null ? mag[s][i] : c.fixedMagnitude;
                }
                TestModels.assertClose(ref[s], got[s], m, c.dotLength, entry.name + " vs reference, " + c + ", sample " + s);
            }
        }
    }
}
