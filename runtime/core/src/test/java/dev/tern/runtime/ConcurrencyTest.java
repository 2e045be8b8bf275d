package dev.tern.runtime;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
