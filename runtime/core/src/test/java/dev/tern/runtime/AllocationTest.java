package dev.tern.runtime;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A session allocates nothing per inference once warm: measured with the JVM's per-thread
 * allocation counter around windows of 10,000 runs with a pre-resolved TaskSet, reading
 * results through accessors that do not copy (argmax, probability, value, topK into a
 * buffer).
 *
 * <p>"Warm" means the JIT has finished: until C2 has replaced the tier-3 code of every hot
 * method (which, on a small machine, can take a second or more), a window may show a few
 * stray bytes from the JVM itself (tier-3 code of Vector API methods boxes vectors, and a
 * deoptimization re-materializes scalar-replaced objects). So the test runs windows until
 * one allocates exactly 0 bytes, and fails if none of {@value #MAX_WINDOWS} does. A real
 * per-run allocation (at least 16 bytes per object) would show as at least 160,000 bytes
 * in every window and can never pass.
 */
class AllocationTest {
    static final long SEED = 99;
    static final int RUNS = 10_000;
    static final int MAX_WINDOWS = 30;

    static Iterable<Backend> backends() {
        return TestModels.backends();
    }

    static com.sun.management.ThreadMXBean threadBean() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean,
                "this JVM has no com.sun.management.ThreadMXBean");
        com.sun.management.ThreadMXBean b = (com.sun.management.ThreadMXBean) bean;
        Assumptions.assumeTrue(b.isThreadAllocatedMemorySupported(), "thread allocation counting unsupported");
        b.setThreadAllocatedMemoryEnabled(true);
        return b;
    }

    /** Runs RUNS inferences and returns a value that depends on every result (so none is dead code). */
    static long loop(Session s, float[][] inputs, TaskSet all, TaskSet left, int[] top) {
        long sink = 0;
        for (int i = 0; i < RUNS; i++) {
            Results r = s.run(inputs[i & 3], (i & 7) == 7 ? left : all);
            MulticlassResult mc = r.multiclass("left");
            sink += mc.argmax(0) + Float.floatToRawIntBits(mc.probability(0, 3));
            mc.topK(0, 3, top);
            sink += top[2];
            if (r.has("present")) {
                sink += r.multilabel("present").isPresent(0, 1) ? 1 : 0;
                sink += Float.floatToRawIntBits(r.regression("size").value(0, 1));
            }
        }
        return sink;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void steadyStateRunAllocatesNothing(Backend backend) {
        check(backend, TestModels.allOps(SEED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void steadyStateInt8RunAllocatesNothing(Backend backend) {
        check(backend, TestModels.allOpsInt8(SEED));
    }

    static void check(Backend backend, dev.tern.runtime.model.ModelDef def) {
        com.sun.management.ThreadMXBean bean = threadBean();
        long thread = Thread.currentThread().getId();
        TernModel model = TernModel.of(def, backend);
        Random rnd = new Random(SEED);
        float[][] inputs = new float[4][];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = TestModels.random(rnd, TestModels.ALL_OPS_INPUT_SIZE, 1f);
        }
        TaskSet all = model.allTasks();
        TaskSet left = model.taskSet("left");
        int[] top = new int[3];
        try (Session s = model.newSession()) {
            long sink = loop(s, inputs, all, left, top);
            // The counter's own cost: reading it twice in a row (0 on HotSpot 17), subtracted below.
            bean.getThreadAllocatedBytes(thread);
            long overhead = -bean.getThreadAllocatedBytes(thread) + bean.getThreadAllocatedBytes(thread);
            long[] windows = new long[MAX_WINDOWS];
            for (int w = 0; w < MAX_WINDOWS; w++) {
                long before = bean.getThreadAllocatedBytes(thread);
                sink += loop(s, inputs, all, left, top);
                windows[w] = bean.getThreadAllocatedBytes(thread) - before - overhead;
                if (windows[w] == 0) {
                    return;
                }
            }
            fail(backend + ": no window of " + RUNS + " warm runs allocated 0 bytes; bytes per window "
                    + Arrays.toString(windows) + " (measurement overhead " + overhead + " B subtracted; sink " + sink + ")");
        }
    }
}
