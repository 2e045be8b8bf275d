package dev.tern.runtime.vector;

import dev.tern.runtime.Backend;
import dev.tern.runtime.Session;
import dev.tern.runtime.TaskSet;
import dev.tern.runtime.TernModel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static dev.tern.runtime.vector.VectorBackendTest.SEED;
import static dev.tern.runtime.vector.VectorBackendTest.allOps;
import static dev.tern.runtime.vector.VectorBackendTest.random;
import static dev.tern.runtime.vector.VectorBackendTest.runs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Steady-state runs on the vector backend allocate nothing: a boxed vector (a Vector API
 * call C2 did not intrinsify or inline) shows as bytes per run. Its own class, so that
 * surefire runs it in a fresh JVM (reuseForks=false in this module): after the hundreds of
 * kernel shapes of {@link VectorBackendTest}, C2 on JDK 17 now and then compiled a shared
 * Vector API method on its own and then declined to inline it into the teacher's kernels
 * (544 KB per run, in about one suite run of ten), which says nothing about the kernels.
 */
class VectorAllocationTest {
    /**
     * Windows of 10,000 runs until one allocates exactly 0 bytes (at most 30). Until C2 has
     * replaced the tier-3 code of the Vector API methods, which box vectors, a window can
     * show a few stray bytes (seen: 72 to 472 B once, then 0); a per-run allocation would
     * show as at least 160,000 B in every window. Same scheme as the core AllocationTest.
     */
    @Test
    void steadyStateRunOnVectorAllocatesNothing() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(mx instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) mx;
        bean.setThreadAllocatedMemoryEnabled(true);
        long thread = Thread.currentThread().getId();
        TernModel m = TernModel.of(allOps(4), Backend.VECTOR);
        TaskSet all = m.allTasks();
        TaskSet c = m.taskSet("c");
        float[] x = random(new Random(SEED), 8 * 8 * 3, 1f);
        try (Session s = m.newSession()) {
            long sink = runs(s, x, all, c);
            bean.getThreadAllocatedBytes(thread);
            long overhead = -bean.getThreadAllocatedBytes(thread) + bean.getThreadAllocatedBytes(thread);
            long[] windows = new long[30];
            for (int w = 0; w < windows.length; w++) {
                long before = bean.getThreadAllocatedBytes(thread);
                sink += runs(s, x, all, c);
                windows[w] = bean.getThreadAllocatedBytes(thread) - before - overhead;
                if (windows[w] == 0) {
                    return;
                }
            }
            fail("no window of 10,000 warm vector runs allocated 0 bytes: " + Arrays.toString(windows) + " (sink " + sink + ")");
        }
    }

    /**
     * The shipped int8 teacher on the vector backend allocates nothing once compiled: its int8
     * convolutions (float path, vector requantization, edge tap lists) and dense layers. A
     * boxed vector cost 320 B or 4.6 MB per run in changes that never landed; the thread
     * allocation counter is the check (JMH's -prof gc adds its own bookkeeping).
     */
    @Test
    void steadyStateInt8TeacherOnVectorAllocatesNothing() throws IOException {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(mx instanceof com.sun.management.ThreadMXBean);
        Path file = java.nio.file.Paths.get("../../models/multifashion/hard-int8.tern");
        Assumptions.assumeTrue(java.nio.file.Files.isRegularFile(file), "run from runtime/vector in the repo");
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) mx;
        bean.setThreadAllocatedMemoryEnabled(true);
        long thread = Thread.currentThread().getId();
        TernModel m = TernModel.load(file, Backend.VECTOR);
        assertEquals(Lanes.WIDE_BYTES ? VectorBackendTest.teacherConv().replace("int8-conv2d-", ConvPoolFusionTest.FUSED)
                        : "int8-conv2d-scalar",
                m.kernels().get("Conv2d_1"));
        TaskSet all = m.allTasks();
        float[] x = random(new Random(SEED + 8), m.def().inputs().get(0).sampleSize(), 0.5f);
        for (int i = 0; i < x.length; i++) {
            x[i] += 0.5f;
        }
        try (Session s = m.newSession()) {
            long sink = 0;
            for (int i = 0; i < 3_000; i++) {
                sink += s.run(x, all).multiclass("left").argmax(0);
            }
            long overhead = -bean.getThreadAllocatedBytes(thread) + bean.getThreadAllocatedBytes(thread);
            long[] windows = new long[20];
            for (int w = 0; w < windows.length; w++) {
                long before = bean.getThreadAllocatedBytes(thread);
                for (int i = 0; i < 200; i++) {
                    sink += s.run(x, all).multiclass("left").argmax(0);
                }
                windows[w] = bean.getThreadAllocatedBytes(thread) - before - overhead;
                if (windows[w] == 0) {
                    return;
                }
            }
            fail("no window of 200 warm int8 teacher runs allocated 0 bytes: " + Arrays.toString(windows) + " (sink "
                    + sink + ")");
        }
    }

}
