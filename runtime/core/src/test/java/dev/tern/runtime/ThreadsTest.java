package dev.tern.runtime;

import dev.tern.runtime.model.ModelDef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** SessionOptions.withThreads: a batch split over threads gives the bits of one thread. */
class ThreadsTest {
    static Iterable<Backend> backends() {
        return TestModels.backends();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void aBatchOnThreeThreadsGivesTheBitsOfOne(Backend backend) {
        for (ModelDef def : new ModelDef[] {TestModels.allOps(21), TestModels.allOpsInt8(21)}) {
            TernModel m = TernModel.of(def, backend);
            Random rnd = new Random(4);
            for (int batch : new int[] {1, 2, 3, 7, 8}) {
                float[] x = TestModels.random(rnd, batch * TestModels.ALL_OPS_INPUT_SIZE, 1.5f);
                try (Session one = m.newSession(SessionOptions.defaults().withMaxBatch(8));
                     Session three = m.newSession(SessionOptions.defaults().withMaxBatch(8).withThreads(3));
                     Session many = m.newSession(SessionOptions.defaults().withMaxBatch(8).withThreads(16))) {
                    for (int rep = 0; rep < 3; rep++) {
                        one.run(x);
                        three.run(x);
                        many.run(x);
                        for (String out : def.outputs()) {
                            for (int s = 0; s < batch; s++) {
                                String ctx = def.name() + " " + backend + " batch " + batch + " " + out + " sample " + s;
                                TestModels.assertBitwiseEquals(one.output(out, s), three.output(out, s), ctx + " (3 threads)");
                                TestModels.assertBitwiseEquals(one.output(out, s), many.output(out, s), ctx + " (16 threads)");
                            }
                        }
                        for (String task : new String[] {"left", "present", "size"}) {
                            for (int s = 0; s < batch; s++) {
                                for (int i = 0; i < def.task(task).size(); i++) {
                                    assertEquals(Float.floatToIntBits(one.run(x).get(task).value(s, i)),
                                            Float.floatToIntBits(three.run(x).get(task).value(s, i)), task + " " + s + " " + i);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void threadsAreValidatedAndClosedSessionsRefuseToRun() {
        assertThrows(IllegalArgumentException.class, () -> SessionOptions.defaults().withThreads(0));
        assertThrows(IllegalArgumentException.class, () -> SessionOptions.defaults().withThreads(SessionOptions.MAX_THREADS + 1));
        TernModel m = TernModel.of(TestModels.allOps(1));
        Session s = m.newSession(SessionOptions.defaults().withMaxBatch(4).withThreads(4));
        s.run(new float[4 * TestModels.ALL_OPS_INPUT_SIZE]);
        s.close();
        assertThrows(IllegalStateException.class, () -> s.run(new float[4 * TestModels.ALL_OPS_INPUT_SIZE]));
    }
}
