package dev.tern.runtime;

import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.ModelBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Running some tasks computes only the nodes their heads need. In {@link TestModels#allOps}
 * each head has its own branch after a shared trunk (9 trunk nodes; left 1, present 5,
 * size 5 branch nodes).
 */
class TaskSelectionTest {
    static final long SEED = 31337;

    static Iterable<Backend> backends() {
        return TestModels.backends();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void oneTaskRunsOnlyItsBranchAndGivesTheSameValuesAsAFullRun(Backend backend) {
        TernModel m = TernModel.of(TestModels.allOps(SEED), backend);
        int trunk = 9;
        assertEquals(trunk + 1 + 5 + 5, m.allTasks().nodeCount());
        assertEquals(trunk + 1, m.taskSet("left").nodeCount());
        assertEquals(trunk + 5, m.taskSet("present").nodeCount());
        assertEquals(trunk - 4 + 5, m.taskSet("size").nodeCount(), "size needs no concat/global pools");
        assertEquals(trunk + 1 + 5, m.taskSet("left", "present").nodeCount());
        assertTrue(m.taskSet("left").nodeCount() < m.allTasks().nodeCount());

        Random rnd = new Random(SEED);
        float[] x = TestModels.random(rnd, TestModels.ALL_OPS_INPUT_SIZE, 1f);
        try (Session full = m.newSession(); Session one = m.newSession()) {
            Results all = full.run(x);
            Results r = one.run(x, m.taskSet("left"));
            assertEquals(List.of("left"), r.tasks());
            assertTrue(r.has("left"));
            assertFalse(r.has("present"));
            assertFalse(r.has("size"));
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> r.multilabel("present"));
            assertTrue(e.getMessage().contains("'present' was not computed by the last run"), e.getMessage());
            assertThrows(InvalidInputException.class, () -> r.get("size"));
            TestModels.assertBitwiseEquals(all.multiclass("left").values(0), r.multiclass("left").values(0),
                    "left alone vs all tasks, seed " + SEED);

            Results two = one.run(x, "size", "present");
            assertEquals(List.of("present", "size"), two.tasks(), "tasks in model order");
            assertFalse(two.has("left"));
            TestModels.assertBitwiseEquals(all.multilabel("present").values(0), two.multilabel("present").values(0), "present");
            TestModels.assertBitwiseEquals(all.regression("size").values(0), two.regression("size").values(0), "size");
        }
    }

    /**
     * Proof that a skipped branch did not run, on a model where the memory of each head's
     * output is observable: x -> fa (dense) -> task a, x -> fb (dense) -> task b. The input,
     * fa and fb are all live at once, so no value shares memory with them. After a full run on
     * input A and an a-only run on input B, fb's memory must still hold A's value.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void skippedBranchLeavesItsOutputMemoryUntouched(Backend backend) {
        Random rnd = new Random(SEED);
        ModelBuilder mb = new ModelBuilder("two-heads").input("x", -1, 5);
        mb.regression("a", mb.dense("fa", "x", 3, 5, TestModels.random(rnd, 15, 1f), null, Activation.NONE), "a0", "a1", "a2");
        mb.regression("b", mb.dense("fb", "x", 4, 5, TestModels.random(rnd, 20, 1f), null, Activation.NONE),
                "b0", "b1", "b2", "b3");
        TernModel m = TernModel.of(mb.build(), backend);
        assertEquals(5 + 3 + 4, m.arenaFloatsPerSample(), "nothing shares memory in this model");
        assertEquals(1, m.taskSet("a").nodeCount());
        float[] a = TestModels.random(rnd, 5, 1f);
        float[] b = TestModels.random(rnd, 5, 1f);
        try (Session s = m.newSession()) {
            float[] fbOfA = s.run(a).regression("b").values(0);
            float[] faOfB = s.run(b).regression("a").values(0);
            s.run(a);
            Results r = s.run(b, m.taskSet("a"));
            TestModels.assertBitwiseEquals(faOfB, r.regression("a").values(0), "a ran on B");
            TestModels.assertBitwiseEquals(fbOfA, s.peek("fb", 0), "fb's memory still holds A's value (seed " + SEED + ")");
            assertThrows(InvalidInputException.class, () -> s.output("fb", 0), "a skipped output is not served stale");
        }
    }

    /**
     * The same on the all-ops model. There the "size" output's memory is shared with trunk
     * values that die before the size branch starts (conv1, for one), so after a left-only
     * run it holds neither A's nor B's value; had the branch run, it would hold B's, since
     * nothing runs after it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void skippedBranchOfTheAllOpsModelDidNotProduceItsValue(Backend backend) {
        TernModel m = TernModel.of(TestModels.allOps(SEED), backend);
        Random rnd = new Random(SEED + 1);
        float[] a = TestModels.random(rnd, TestModels.ALL_OPS_INPUT_SIZE, 1f);
        float[] b = TestModels.random(rnd, TestModels.ALL_OPS_INPUT_SIZE, 1f);
        try (Session s = m.newSession()) {
            float[] sizeOfB = s.run(b).regression("size").values(0);
            float[] presentOfB = s.run(b).multilabel("present").values(0);
            s.run(a);
            s.run(b, m.taskSet("left"));
            assertFalse(Arrays.equals(sizeOfB, s.peek("r_relu6", 0)), "size branch did not run on B");
            assertFalse(Arrays.equals(presentOfB, s.peek("p_sig", 0)), "present branch did not run on B");
            s.run(b, m.taskSet("size"));
            TestModels.assertBitwiseEquals(sizeOfB, s.output("r_relu6", 0), "size ran on B");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void taskSetsAreReusableAndCachedForSingleTasks(Backend backend) {
        TernModel m = TernModel.of(TestModels.allOps(SEED), backend);
        assertSame(m.taskSet("left"), m.taskSet("left"), "single-task sets are resolved once");
        assertSame(m.allTasks(), m.taskSet());
        TaskSet ts = m.taskSet("present", "left");
        assertEquals(2, ts.size());
        assertEquals(List.of("present", "left"), List.of(ts.names()));
        assertEquals(3, m.allTasks().size());
    }
    /**
     * Op profiling covers exactly the nodes a run computes: -1 for the nodes the tasks skip, a
     * positive time for the others, and the session's results afterwards are those of the
     * profiled tasks (it ran them for real). No time is compared with another: machines are noisy.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void profilingTimesExactlyTheNodesTheTasksNeed(Backend backend) {
        TernModel m = TernModel.of(TestModels.allOps(SEED), backend);
        float[] x = TestModels.random(new Random(SEED), TestModels.ALL_OPS_INPUT_SIZE, 1f);
        TaskSet left = m.taskSet("left");
        try (Session s = m.newSession(); Session ref = m.newSession()) {
            long[] t = s.profileNodes(x, left, 3, 5);
            assertEquals(m.kernels().size(), t.length);
            boolean[] need = left.nodes();
            int timed = 0;
            for (int i = 0; i < t.length; i++) {
                if (need[i]) {
                    assertTrue(t[i] > 0, "node " + i + ": " + t[i]);
                    timed++;
                } else {
                    assertEquals(-1, t[i], "node " + i + " is not needed by 'left'");
                }
            }
            assertEquals(left.nodeCount(), timed);
            String logits = m.tasks().stream().filter(k -> k.name().equals("left")).findFirst().get().output();
            ref.run(x, left);
            TestModels.assertBitwiseEquals(ref.output(logits, 0), s.output(logits, 0), "the profiled run's output");
            assertThrows(IllegalArgumentException.class, () -> s.profileNodes(x, left, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> s.profileNodes(x, left, -1, 1));
            assertThrows(InvalidInputException.class, () -> s.profileNodes(new float[3], left, 0, 1));
        }
    }
}
