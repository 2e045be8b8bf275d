package dev.tern.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One shared TernModel, one Session per thread: every thread gets the single-thread outputs bit for bit. */
class ConcurrencyTest {
    static final long SEED = 4_2_4_2;
    static final int THREADS = 4;
    static final int RUNS = 200;
    static final int INPUTS = 16;

    static Iterable<Backend> backends() {
        return TestModels.backends();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void threadsWithTheirOwnSessionsMatchOneThread(Backend backend) throws Exception {
        TernModel model = TernModel.of(TestModels.allOps(SEED), backend);
        Random rnd = new Random(SEED);
        // Half single samples, half batches of 2: the sessions are made for batch 2.
        float[][] inputs = new float[INPUTS][];
        float[][] expected = new float[INPUTS][];
        try (Session one = model.newSession(SessionOptions.defaults().withMaxBatch(2))) {
            for (int i = 0; i < INPUTS; i++) {
                inputs[i] = TestModels.random(rnd, TestModels.ALL_OPS_INPUT_SIZE * (1 + i % 2), 2f);
                expected[i] = TestModels.runAll(one, inputs[i]);
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    int checked = 0;
                    try (Session s = model.newSession(SessionOptions.defaults().withMaxBatch(2))) {
                        start.await();
                        for (int run = 0; run < RUNS; run++) {
                            // each thread walks the inputs in its own order, with one task subset in every few runs
                            int i = (run * (2 * thread + 1) + thread) % INPUTS;
                            if (run % 5 == 4) {
                                s.run(inputs[(i + 1) % INPUTS], model.taskSet("size"));
                            }
                            TestModels.assertBitwiseEquals(expected[i], TestModels.runAll(s, inputs[i]),
                                    backend + " thread " + thread + " run " + run + " input " + i + " (seed " + SEED + ")");
                            checked++;
                        }
                    }
                    return checked;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> f : done) {
                total += f.get(60, TimeUnit.SECONDS);
            }
            assertEquals(THREADS * RUNS, total);
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    /**
     * Issue 18: one session shared by two threads gave wrong outputs in 2,187 of 5,120 runs,
     * silently. A run that starts while another thread's run is under way now fails.
     */
    @Test
    void aRunWhileAnotherThreadRunsTheSessionFails() throws Exception {
        TernModel model = TernModel.of(TestModels.allOps(SEED), Backend.SCALAR);
        float[] x = TestModels.random(new Random(SEED), TestModels.ALL_OPS_INPUT_SIZE, 2f);
        try (Session s = model.newSession()) {
            Thread holder = new Thread(s::enterForTest, "holder");
            holder.start();
            holder.join();
            ConcurrentModificationException e = assertThrows(ConcurrentModificationException.class, () -> s.run(x));
            assertTrue(e.getMessage().contains("thread 'holder' was running it"), e.getMessage());
            assertThrows(ConcurrentModificationException.class, () -> s.profileNodes(x, model.allTasks(), 0, 1));
            s.exitForTest();
            float[] expected = TestModels.runAll(s, x);
            assertEquals(expected.length, TestModels.runAll(s, x).length, "usable again once the other run ended");
        }
    }

    /** Two threads hammering one session: overlapping runs are reported, not computed wrongly. */
    @Test
    void twoThreadsOnOneSessionAreCaught() throws Exception {
        TernModel model = TernModel.of(TestModels.allOps(SEED), Backend.SCALAR);
        float[] x = TestModels.random(new Random(SEED), TestModels.ALL_OPS_INPUT_SIZE, 2f);
        AtomicInteger caught = new AtomicInteger();
        try (Session s = model.newSession()) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    done.add(pool.submit(() -> {
                        start.await();
                        for (int run = 0; run < 20_000 && caught.get() == 0; run++) {
                            try {
                                s.run(x);
                            } catch (ConcurrentModificationException e) {
                                caught.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : done) {
                    f.get(120, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
        }
        assertTrue(caught.get() > 0, "two threads running one session 40,000 times never overlapped or were never caught");
    }
}
