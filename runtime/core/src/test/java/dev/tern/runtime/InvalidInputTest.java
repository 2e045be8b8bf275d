package dev.tern.runtime;

import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.ModelDef;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad inputs at Session.run: typed exceptions whose messages say what was expected and what was found. */
class InvalidInputTest {
    static final TernModel MODEL = TernModel.of(TestModels.allOps(3), Backend.SCALAR);

    static void assertMentions(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message should mention '" + p + "': " + e.getMessage());
        }
    }

    static float[] validInput() {
        return TestModels.random(new Random(8), TestModels.ALL_OPS_INPUT_SIZE, 1f);
    }

    @Test
    void wrongInputSizeNamesTheExpectedShape() {
        try (Session s = MODEL.newSession()) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> s.run(new float[191]));
            assertMentions(e, "'image'", "[1, 8, 8, 3]", "192 values per sample", "got 191 values");
            assertMentions(assertThrows(InvalidInputException.class, () -> s.run(new float[28 * 28])),
                    "[1, 8, 8, 3]", "got 784 values");
            assertMentions(assertThrows(InvalidInputException.class, () -> s.run(new float[0])), "got 0 values");
            assertMentions(assertThrows(InvalidInputException.class, () -> s.run((float[]) null)), "got null");
        }
    }

    @Test
    void batchLargerThanTheSessionWasMadeFor() {
        try (Session s = MODEL.newSession(SessionOptions.defaults().withMaxBatch(2))) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> s.run(new float[192 * 3]));
            assertMentions(e, "batch of 3", "at most 2", "withMaxBatch");
            assertEquals(2, s.run(new float[192 * 2]).batch());
        }
        assertThrows(IllegalArgumentException.class, () -> SessionOptions.defaults().withMaxBatch(0));
    }

    @Test
    void fixedBatchDimensionIsEnforced() {
        ModelBuilder b = new ModelBuilder("fixed").input("x", 2, 3);
        b.regression("r", b.relu("r", "x"), "a", "b", "c");
        TernModel m = TernModel.of(b.build(), Backend.REFERENCE);
        try (Session s = m.newSession(SessionOptions.defaults().withMaxBatch(4))) {
            assertMentions(assertThrows(InvalidInputException.class, () -> s.run(new float[3])), "expects batch 2, got 1");
            assertEquals(2, s.run(new float[6]).batch());
        }
    }

    /** The branch-free scan agrees with Float.isFinite on every special value, at every position of a short array. */
    @Test
    void allFiniteAgreesWithIsFinite() {
        float[] values = {0f, -0f, Float.MIN_VALUE, -Float.MIN_NORMAL, 1f, -1e30f, Float.MAX_VALUE, -Float.MAX_VALUE,
                Float.NaN, Float.intBitsToFloat(0xFFC00001), Float.intBitsToFloat(0x7F800001), Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY};
        for (float v : values) {
            for (int len = 1; len <= 37; len += 9) {
                for (int at = 0; at < len; at++) {
                    float[] x = new float[len];
                    Arrays.fill(x, 0.5f);
                    x[at] = v;
                    assertEquals(Float.isFinite(v), Session.allFinite(x), v + " at " + at + " of " + len);
                }
            }
        }
        assertTrue(Session.allFinite(new float[0]));
    }

    @Test
    void nanAndInfinityAreRejectedByDefault() {
        float[] x = validInput();
        try (Session s = MODEL.newSession()) {
            float[] nan = x.clone();
            nan[17] = Float.NaN;
            assertMentions(assertThrows(InvalidInputException.class, () -> s.run(nan)), "NaN", "index 17", "finite");
            float[] inf = x.clone();
            inf[191] = Float.NEGATIVE_INFINITY;
            assertMentions(assertThrows(InvalidInputException.class, () -> s.run(inf)), "-Infinity", "index 191");
            // The session stays usable after a rejected input.
            assertFalse(Float.isNaN(s.run(x).multiclass("left").probability(0, 0)));
        }
    }

    /** Issue 18: a finite input of 3e38 gave NaN probabilities that `tern run` printed as a prediction. */
    @Test
    void finiteInputThatOverflowsInsideIsRejectedNotPredicted() {
        Random rnd = new Random(13);
        ModelBuilder b = new ModelBuilder("overflow").input("x", -1, 4);
        String y = b.dense("fc", "x", 3, 4, TestModels.random(rnd, 12, 1f), null, Activation.NONE);
        b.multiclass("c", y, "a", "b", "c");
        for (Backend backend : TestModels.backends()) {
            TernModel m = TernModel.of(b.build(), backend);
            try (Session s = m.newSession(SessionOptions.defaults().withMaxBatch(2))) {
                float[] huge = {3e38f, 3e38f, -3e38f, 3e38f};
                InvalidInputException e = assertThrows(InvalidInputException.class, () -> s.run(huge), backend.toString());
                assertMentions(e, "task 'c'", "from finite inputs", "overflow");
                // a batch: the second sample is the bad one
                float[] batch = {0.1f, 0.2f, 0.3f, 0.4f, 3e38f, 3e38f, -3e38f, 3e38f};
                assertMentions(assertThrows(InvalidInputException.class, () -> s.run(batch)), "sample 1");
                assertFalse(Float.isNaN(s.run(new float[] {0.1f, 0.2f, 0.3f, 0.4f}).multiclass("c").probability(0, 0)));
            }
            try (Session off = m.newSession(SessionOptions.defaults().withFiniteCheck(false))) {
                assertTrue(Float.isNaN(off.run(new float[] {3e38f, 3e38f, -3e38f, 3e38f}).multiclass("c").probability(0, 0)),
                        "with the check off the NaN passes through, as documented");
            }
        }
    }

    @Test
    void withFiniteCheckOffNanPropagates() {
        Random rnd = new Random(12);
        ModelBuilder b = new ModelBuilder("nan").input("x", -1, 4);
        String y = b.dense("fc", "x", 3, 4, TestModels.random(rnd, 12, 1f), null, Activation.NONE);
        b.regression("r", y, "a", "b", "c").multiclass("c", y, "a", "b", "c");
        TernModel m = TernModel.of(b.build(), Backend.SCALAR);
        try (Session s = m.newSession(SessionOptions.defaults().withFiniteCheck(false))) {
            assertFalse(s.options().checkFinite());
            Results r = s.run(new float[] {1, Float.NaN, 2, 3});
            for (int i = 0; i < 3; i++) {
                assertTrue(Float.isNaN(r.regression("r").value(0, i)), "regression output " + i + " is NaN");
                assertTrue(Float.isNaN(r.multiclass("c").probability(0, i)), "probability " + i + " is NaN");
            }
        }
    }

    @Test
    void withFiniteCheckOffEveryBackendPropagatesNanTheSameWay() {
        float[] x = validInput();
        x[3 * (4 * 8 + 5) + 1] = Float.NaN; // pixel (4, 5), channel 1
        float[] reference = null;
        for (Backend backend : TestModels.backends()) {
            TernModel m = TernModel.of(TestModels.allOps(3), backend);
            try (Session s = m.newSession(SessionOptions.defaults().withFiniteCheck(false))) {
                float[] out = TestModels.runAll(s, x);
                for (float p : s.run(x).multiclass("left").values(0)) {
                    assertTrue(Float.isNaN(p), backend + ": a NaN pixel reaches every class probability");
                }
                if (reference == null) {
                    reference = out;
                } else {
                    for (int i = 0; i < out.length; i++) {
                        assertEquals(Float.isNaN(reference[i]), Float.isNaN(out[i]), backend + " output " + i);
                    }
                }
            }
        }
    }

    @Test
    void unknownTaskNamesTheTasksTheModelHas() {
        try (Session s = MODEL.newSession()) {
            float[] x = validInput();
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> s.run(x, "right"));
            assertMentions(e, "unknown task 'right'", "[left, present, size]");
            assertMentions(assertThrows(InvalidInputException.class, () -> MODEL.taskSet("left", "nope")), "'nope'");
            assertMentions(assertThrows(InvalidInputException.class, () -> MODEL.taskSet("left", "left")),
                    "'left' named twice");
            Results r = s.run(x);
            assertMentions(assertThrows(InvalidInputException.class, () -> r.get("right")), "unknown task 'right'");
            assertFalse(r.has("right"));
            assertMentions(assertThrows(InvalidInputException.class, () -> r.multiclass("size")),
                    "'size' is regression, not multiclass");
        }
    }

    @Test
    void taskSetOfAnotherModel() {
        TernModel other = TernModel.of(TestModels.allOps(3), Backend.SCALAR);
        try (Session s = MODEL.newSession()) {
            assertMentions(assertThrows(InvalidInputException.class, () -> s.run(validInput(), other.taskSet("left"))),
                    "another model");
        }
    }

    @Test
    void multiInputModelChecksNamesAndBatches() {
        ModelBuilder b = new ModelBuilder("two").input("a", -1, 2).input("b", -1, 2);
        b.regression("r", b.add("sum", "a", "b", Activation.NONE), "x", "y");
        ModelDef def = b.build();
        TernModel m = TernModel.of(def, Backend.REFERENCE);
        try (Session s = m.newSession(SessionOptions.defaults().withMaxBatch(2))) {
            assertMentions(assertThrows(InvalidInputException.class, () -> s.run(new float[2])), "2 inputs", "run(Map");
            Map<String, float[]> in = new LinkedHashMap<>();
            in.put("a", new float[] {1, 2});
            in.put("c", new float[] {3, 4});
            assertMentions(assertThrows(InvalidInputException.class, () -> s.run(in, m.allTasks())), "missing input 'b'");
            in.remove("c");
            assertMentions(assertThrows(InvalidInputException.class, () -> s.run(in, m.allTasks())), "expects inputs [a, b]");
            in.put("b", new float[] {3, 4, 5, 6});
            assertMentions(assertThrows(InvalidInputException.class, () -> s.run(in, m.allTasks())),
                    "different batch sizes: 1 and 2");
            in.put("b", new float[] {3, 4});
            assertEquals(Arrays.toString(new float[] {4, 6}), Arrays.toString(s.run(in, m.allTasks()).regression("r").values(0)));
        }
    }

    @Test
    void closedSessionRefusesToRun() {
        Session s = MODEL.newSession();
        s.close();
        assertThrows(IllegalStateException.class, () -> s.run(validInput()));
    }

    @Test
    void resultAccessorsCheckTheirIndices() {
        try (Session s = MODEL.newSession()) {
            Results r = s.run(validInput());
            MulticlassResult left = r.multiclass("left");
            assertMentions(assertThrows(IndexOutOfBoundsException.class, () -> left.probability(1, 0)),
                    "sample 1", "batch of 1");
            assertMentions(assertThrows(IndexOutOfBoundsException.class, () -> left.probability(0, 10)),
                    "index 10", "[0, 10)", "'left'");
            assertMentions(assertThrows(InvalidInputException.class, () -> s.output("conv1", 0)),
                    "'conv1' is not a graph or task output");
        }
    }
}
