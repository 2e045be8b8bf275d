package dev.tern.runtime;

import dev.tern.runtime.internal.KernelRegistry;
import dev.tern.runtime.internal.KernelSpec;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.OpType;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every registry entry against the reference kernel of its op, on random single-op models
 * (see {@link OpCases}): a kernel is tested by being listed in the registry
 * ({@link KernelChecks#tests}). Reference entries run the same cases, which for them checks
 * batch handling, offsets and determinism (their values are checked by hand in
 * {@link OpGoldenTest}). The list of entries is printed.
 *
 * <p>Seeds derive from {@code -Dtern.test.seed} (default fixed) and are printed in every
 * failure message; rerun with that seed to reproduce.
 */
class KernelPropertyTest {
    static final long BASE_SEED = Long.getLong("tern.test.seed", 0x7E57_2024L);

    /** Prints the registry, one entry a line: kind, name. */
    static void print(String title, List<KernelSpec> specs) {
        StringBuilder b = new StringBuilder(title + " (" + specs.size() + "):\n");
        for (KernelSpec s : specs) {
            b.append(String.format("  %-6s %s%n", s.kind.name().toLowerCase(java.util.Locale.ROOT), s.name));
        }
        System.out.print(b);
    }

    @Test
    void everyRegistryEntryHasAPropertyTest() {
        List<KernelSpec> all = KernelRegistry.all().specs();
        print("kernel registry", all);
        List<String> missing = new ArrayList<>();
        for (KernelSpec s : all) {
            String why = KernelChecks.missing(s);
            if (why != null) {
                missing.add(s.name + ": " + why);
            }
        }
        assertEquals(List.of(), missing, "registry entries without a property test");
    }

    @Test
    void registryHasReferenceKernelForEveryOpAndNamesFollowTheScheme() {
        EnumSet<OpType> withReference = EnumSet.noneOf(OpType.class);
        EnumSet<OpType> withInt8Reference = EnumSet.noneOf(OpType.class);
        KernelRegistry reg = KernelRegistry.all();
        for (KernelSpec e : reg.specs()) {
            if (e.kind == KernelSpec.Kind.PLAIN && e.backend == Backend.REFERENCE) {
                (e.dtype == DType.FLOAT32 ? withReference : withInt8Reference).add(e.op);
                assertEquals("", e.variant, "the reference has one kernel per op: " + e.name);
            }
            assertTrue(e.name.matches("(f32|int8)-(sparse_)?[a-z0-9_]+(\\+[a-z0-9_]+)?(-[a-z0-9]+)*-(reference|scalar|vector)"),
                    "kernel names follow <dtype>-<op>[-<variant>]-<backend>: " + e.name);
            assertEquals(e, reg.byName(e.name));
        }
        assertEquals(EnumSet.complementOf(EnumSet.of(OpType.QUANTIZE, OpType.DEQUANTIZE)), withReference,
                "every float op needs a reference (oracle) kernel");
        EnumSet<OpType> floatOnly = EnumSet.range(OpType.TRANSPOSE, OpType.CONV_TRANSPOSE);
        floatOnly.add(OpType.SIGMOID);
        floatOnly.add(OpType.SOFTMAX);
        assertEquals(EnumSet.complementOf(floatOnly), withInt8Reference,
                "every op but sigmoid, softmax and the ops of 1.4 (which read float32) needs an int8 reference kernel");
        assertEquals("f32-softmax-reference",
                TernModel.of(TestModels.allOps(1), Backend.SCALAR).kernels().get("p_sm"),
                "an op without a scalar kernel falls back to the reference");
    }

    @Test
    void aNameListedTwiceIsRejected() {
        KernelSpec a = KernelSpec.of(OpType.RELU, DType.FLOAT32, Backend.REFERENCE, c -> null);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new KernelRegistry(Arrays.asList(a, a)));
        assertTrue(e.getMessage().contains("f32-relu-reference"), e.getMessage());
    }

    @Test
    void theVariantNamedByPlanOptionsRunsAndOneThatDeclinesFallsBack() {
        KernelSpec relu = KernelSpec.variant(OpType.RELU, DType.FLOAT32, Backend.SCALAR, "test", false,
                c -> new dev.tern.runtime.internal.kernels.reference.Clamp(c, 0f, Float.POSITIVE_INFINITY));
        KernelSpec never = KernelSpec.variant(OpType.RELU, DType.FLOAT32, Backend.SCALAR, "never", true, c -> null);
        List<KernelSpec> specs = new ArrayList<>(KernelRegistry.all().specs());
        specs.add(never);
        specs.add(relu);
        KernelRegistry reg = new KernelRegistry(specs);
        OpCases.Case c = OpCases.cases(OpType.RELU, 5, 1).get(0);
        ModelDef def = c.model.apply(false);
        int node = def.nodes().size() - 1;
        assertEquals(OpType.RELU, def.nodes().get(node).op());
        assertEquals("f32-relu-reference", new dev.tern.runtime.internal.Plan(def, Backend.SCALAR, PlanOptions.defaults(), reg)
                .kernelName(node), "a declining variant and one not picked automatically leave the fallback");
        assertEquals("f32-relu-test-scalar", new dev.tern.runtime.internal.Plan(def, Backend.SCALAR,
                PlanOptions.defaults().preferring("f32-relu-test-scalar"), reg).kernelName(node));
        assertEquals("f32-relu-reference", new dev.tern.runtime.internal.Plan(def, Backend.SCALAR,
                PlanOptions.defaults().preferring("f32-relu-never-scalar"), reg).kernelName(node));
        assertNull(reg.byName("f32-relu-missing-scalar"));
    }

    @TestFactory
    List<DynamicNode> everyKernelMatchesReference() {
        List<DynamicNode> perKernel = new ArrayList<>();
        for (KernelSpec entry : KernelRegistry.all().specs()) {
            perKernel.add(DynamicContainer.dynamicContainer(entry.name, KernelChecks.tests(entry, BASE_SEED)));
        }
        return perKernel;
    }

    /** The plan asked to use {@code entry} for the case's node; its name, or null where it declined (a variant). */
    static TernModel forced(KernelSpec entry, ModelDef def, OpCases.Case c) {
        TernModel m = TernModel.of(def, entry.backend, PlanOptions.defaults().preferring(entry.name));
        if (!entry.name.equals(m.kernels().get(c.node)) && entry.op != OpType.QUANTIZE && entry.op != OpType.DEQUANTIZE) {
            assertTrue(!entry.variant.isEmpty(), entry.name + " was asked for but " + m.kernels().get(c.node) + " runs " + c);
            return null;
        }
        return m;
    }

    /**
     * Int8 kernels must give exactly the reference's bytes (compared through an exact dequantize).
     * Returns {cases run, cases a variant declined}.
     */
    static int[] checkInt8(KernelSpec entry, int size, long seed) {
        List<OpCases.Case> cases = Int8Cases.cases(entry.op, size, seed);
        assertNotNull(cases, "no int8 cases for op " + entry.op + " (kernel " + entry.name + "): add them to Int8Cases");
        assertTrue(!cases.isEmpty());
        int[] counts = new int[2];
        for (OpCases.Case c : cases) {
            ModelDef def = c.model.apply(false);
            boolean convert = entry.op == OpType.QUANTIZE || entry.op == OpType.DEQUANTIZE;
            TernModel m = forced(entry, def, c);
            if (m == null) {
                counts[1]++;
                continue;
            }
            if (convert) {
                assertTrue(m.kernels().containsValue(entry.name), entry.name + " runs in " + c);
            }
            counts[0]++;
            float[][] ref = c.run(def, Backend.REFERENCE, c.inputs, convert ? null : "int8-" + entry.op.id() + "-reference");
            float[][] got = c.run(m, c.inputs);
            for (int s = 0; s < c.batch; s++) {
                TestModels.assertBitwiseEquals(ref[s], got[s], entry.name + " vs reference, " + c + ", sample " + s);
            }
        }
        return counts;
    }

    /** Float kernels within a tolerance that scales with the dot length. Returns {cases run, cases a variant declined}. */
    static int[] check(KernelSpec entry, int size, long seed) {
        List<OpCases.Case> cases = OpCases.cases(entry.op, size, seed);
        assertNotNull(cases, "no random cases for op " + entry.op + " (kernel " + entry.name + "): add them to OpCases");
        assertTrue(!cases.isEmpty());
        int[] counts = new int[2];
        for (OpCases.Case c : cases) {
            ModelDef def = c.model.apply(false);
            TernModel m = forced(entry, def, c);
            if (m == null) {
                counts[1]++;
                continue;
            }
            counts[0]++;
            float[][] ref = c.run(def, Backend.REFERENCE, c.inputs, "f32-" + entry.op.id() + "-reference");
            float[][] got = c.run(m, c.inputs);
            float[][] mag = null;
            if (c.dotLength > 0 && c.fixedMagnitude == 0f) {
                Map<String, float[]> absIn = new LinkedHashMap<>();
                c.inputs.forEach((k, v) -> absIn.put(k, TestModels.abs(v)));
                mag = c.run(c.model.apply(true), Backend.REFERENCE, absIn, null);
            }
            for (int s = 0; s < c.batch; s++) {
                float[] mg = new float[ref[s].length];
                for (int i = 0; i < mg.length; i++) {
                    mg[i] = mag != null ? mag[s][i] : c.fixedMagnitude == OpCases.OWN_MAGNITUDE ? Math.abs(ref[s][i]) : c.fixedMagnitude;
                }
                TestModels.assertClose(ref[s], got[s], mg, c.dotLength, entry.name + " vs reference, " + c + ", sample " + s);
            }
        }
        return counts;
    }
}
