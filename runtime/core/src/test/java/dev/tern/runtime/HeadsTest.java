package dev.tern.runtime;

import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.TaskKind;
import dev.tern.runtime.model.TaskSpec;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Task heads: softmax, logits vs probabilities, thresholds, top-k, regression pass-through. */
class HeadsTest {
    /**
     * A model whose heads read the input through an identity (relu on non-negative inputs is
     * exact), so each test sets the head's values directly: "raw" multiclass without softmax,
     * "logits" multiclass with softmax, "multi" multilabel on probabilities, "multiLogits"
     * multilabel with sigmoid, "reg" regression.
     */
    static TernModel identityHeads(int n, float[] thresholds) {
        ModelBuilder b = new ModelBuilder("heads").input("x", -1, n);
        String id = b.relu("id", "x");
        String[] labels = TestModels.labels("l", n);
        b.task(new TaskSpec("raw", TaskKind.MULTICLASS, id, false, List.of(labels), null));
        b.task(new TaskSpec("logits", TaskKind.MULTICLASS, id, true, List.of(labels), null));
        b.task(new TaskSpec("multi", TaskKind.MULTILABEL, id, false, List.of(labels), thresholds));
        b.task(new TaskSpec("multiLogits", TaskKind.MULTILABEL, id, true, List.of(labels), thresholds));
        b.regression("reg", id, labels);
        return TernModel.of(b.build(), Backend.REFERENCE);
    }

    @Test
    void softmaxHeadSumsToOneAndMatchesASoftmaxNode() {
        long seed = 4242;
        Random rnd = new Random(seed);
        for (int n : new int[] {1, 2, 3, 10, 17, 100, 1000}) {
            ModelBuilder b = new ModelBuilder("sm").input("x", -1, n);
            String logits = b.dense("fc", "x", n, n, TestModels.random(rnd, n * n, 3f), TestModels.random(rnd, n, 3f),
                    Activation.NONE);
            String probs = b.softmax("probs", logits);
            String[] labels = TestModels.labels("c", n);
            b.multiclass("fromLogits", logits, labels);
            b.task(new TaskSpec("fromProbs", TaskKind.MULTICLASS, probs, false, List.of(labels), null));
            TernModel m = TernModel.of(b.build(), Backend.SCALAR);
            try (Session s = m.newSession(SessionOptions.defaults().withMaxBatch(4))) {
                Results r = s.run(TestModels.random(rnd, 4 * n, 5f));
                for (int sample = 0; sample < 4; sample++) {
                    float[] p = r.multiclass("fromLogits").values(sample);
                    double sum = 0;
                    for (float v : p) {
                        assertTrue(v >= 0 && v <= 1, "probability " + v + " (seed " + seed + ")");
                        sum += v;
                    }
                    assertEquals(1.0, sum, 1e-6, "sum of " + n + " probabilities, sample " + sample + ", seed " + seed);
                    // logits=true applies the same softmax a Softmax node does; logits=false passes values through.
                    TestModels.assertBitwiseEquals(r.multiclass("fromProbs").values(sample), p, "n=" + n + " seed " + seed);
                }
            }
        }
    }

    @Test
    void logitsFlagDecidesWhetherSoftmaxOrSigmoidIsApplied() {
        float ln3 = (float) Math.log(3);
        TernModel m = identityHeads(3, null);
        try (Session s = m.newSession()) {
            Results r = s.run(new float[] {0, ln3, 2});
            assertArrayEquals(new float[] {0, ln3, 2}, r.multiclass("raw").values(0), 0f, "logits=false: values as they are");
            float[] p = r.multiclass("logits").values(0);
            double z = 1 + 3 + Math.exp(2);
            assertArrayEquals(new float[] {(float) (1 / z), (float) (3 / z), (float) (Math.exp(2) / z)}, p, 1e-7f);
            assertArrayEquals(new float[] {0.5f, 0.75f, (float) (1 / (1 + Math.exp(-2)))},
                    r.multilabel("multiLogits").values(0), 1e-7f, "logits=true multilabel: sigmoid");
            assertArrayEquals(new float[] {0, ln3, 2}, r.multilabel("multi").values(0), 0f, "logits=false multilabel");
            assertEquals(2, r.multiclass("raw").argmax(0));
            assertEquals("l2", r.multiclass("logits").label(0));
        }
    }

    @Test
    void multilabelThresholdsArePerLabelAndStrict() {
        float[] th = {0.5f, 0.2f, 0.9f, 0f, 1f};
        TernModel m = identityHeads(5, th);
        try (Session s = m.newSession(SessionOptions.defaults().withMaxBatch(2))) {
            Results r = s.run(new float[] {
                0.5f, 0.21f, 0.89f, 0f, 1f,          // at or below every threshold except label 1
                0.51f, 0.2f, 0.9f, 1e-7f, 0.99f,     // above 0, 3; equal to 1, 2
            });
            MultilabelResult ml = r.multilabel("multi");
            for (int l = 0; l < th.length; l++) {
                assertEquals(th[l], ml.threshold(l));
            }
            assertEquals(List.of("l1"), ml.presentLabels(0));
            assertEquals(List.of("l0", "l3"), ml.presentLabels(1));
            boolean[][] expected = {{false, true, false, false, false}, {true, false, false, true, false}};
            for (int sample = 0; sample < 2; sample++) {
                for (int l = 0; l < th.length; l++) {
                    assertEquals(expected[sample][l], ml.isPresent(sample, l), "sample " + sample + " label " + l);
                }
            }
            // sigmoid(0) = 0.5 exactly, which is not above a 0.5 threshold
            Results z = s.run(new float[10]);
            assertFalse(z.multilabel("multiLogits").isPresent(0, 0));
            assertTrue(z.multilabel("multiLogits").isPresent(0, 1), "0.5 > 0.2");
            assertTrue(z.multilabel("multiLogits").isPresent(0, 3), "0.5 > 0");
        }
    }

    @Test
    void defaultThresholdIsOneHalf() {
        ModelBuilder b = new ModelBuilder("m").input("x", -1, 2);
        b.multilabel("ml", b.relu("r", "x"), null, "a", "b");
        ModelDef def = b.build();
        assertArrayEquals(new float[] {0.5f, 0.5f}, def.task("ml").thresholds());
    }

    @Test
    void topKIsDescendingWithTiesByLowerIndex() {
        TernModel m = identityHeads(5, null);
        try (Session s = m.newSession()) {
            MulticlassResult raw = s.run(new float[] {0.1f, 0.3f, 0.3f, 0f, 0.3f}).multiclass("raw");
            assertArrayEquals(new int[] {1, 2, 4, 0, 3}, raw.topK(0, 5), "k = n");
            assertArrayEquals(new int[] {1, 2}, raw.topK(0, 2));
            assertArrayEquals(new int[] {1}, raw.topK(0, 1));
            assertArrayEquals(new int[0], raw.topK(0, 0), "k = 0");
            assertArrayEquals(new int[] {1, 2, 4, 0, 3}, raw.topK(0, 99), "k > n is clamped to n");
            assertArrayEquals(new int[0], raw.topK(0, -1), "k < 0 is clamped to 0");
            assertEquals(1, raw.argmax(0), "argmax: lowest index among ties");
            int[] dst = {-7, -7, -7, -7, -7, -7};
            raw.topK(0, 3, dst);
            assertArrayEquals(new int[] {1, 2, 4, -7, -7, -7}, dst, "writes dst[0, k) only");
            assertThrows(IllegalArgumentException.class, () -> raw.topK(0, 6, new int[6]), "k > n");
            assertThrows(IllegalArgumentException.class, () -> raw.topK(0, 3, new int[2]), "k > dst.length");
        }
    }

    @Test
    void topKMatchesASortOnRandomValuesWithTies() {
        long seed = 777;
        Random rnd = new Random(seed);
        for (int n : new int[] {1, 2, 7, 16, 33}) {
            TernModel m = identityHeads(n, null);
            try (Session s = m.newSession()) {
                for (int trial = 0; trial < 20; trial++) {
                    float[] x = new float[n];
                    for (int i = 0; i < n; i++) {
                        x[i] = rnd.nextInt(4) * 0.25f; // few distinct values: many ties
                    }
                    MulticlassResult raw = s.run(x).multiclass("raw");
                    int[] sorted = IntStream.range(0, n).boxed()
                            .sorted(Comparator.<Integer>comparingDouble(i -> -x[i]).thenComparingInt(i -> i))
                            .mapToInt(Integer::intValue).toArray();
                    for (int k = 0; k <= n; k++) {
                        assertArrayEquals(Arrays.copyOf(sorted, k), raw.topK(0, k),
                                "top-" + k + " of " + Arrays.toString(x) + " (seed " + seed + ")");
                    }
                    assertEquals(sorted[0], raw.argmax(0));
                }
            }
        }
    }

    @Test
    void regressionValuesPassThrough() {
        float[] x = {0f, 1.5f, 1e-30f, 3.4e38f};
        TernModel m = identityHeads(4, null);
        try (Session s = m.newSession()) {
            Results r = s.run(x);
            RegressionResult reg = r.regression("reg");
            assertEquals(TaskKind.REGRESSION, reg.kind());
            assertEquals(List.of("l0", "l1", "l2", "l3"), reg.labels());
            TestModels.assertBitwiseEquals(x, reg.values(0), "regression values");
            for (int i = 0; i < x.length; i++) {
                assertEquals(x[i], reg.value(0, i));
            }
        }
        // through a Dense layer: equal to the graph value, bit for bit
        ModelBuilder b = new ModelBuilder("reg").input("x", -1, 2);
        b.regression("y", b.dense("fc", "x", 2, 2, new float[] {1, 2, 3, 4}, new float[] {-1, 0.5f}, Activation.NONE),
                "a", "b");
        try (Session s = TernModel.of(b.build(), Backend.SCALAR).newSession()) {
            assertArrayEquals(new float[] {1 + 4 - 1, 3 + 8 + 0.5f}, s.run(new float[] {1, 2}).regression("y").values(0), 0f);
            TestModels.assertBitwiseEquals(s.output("fc", 0), s.run(new float[] {1, 2}).regression("y").values(0), "y");
        }
    }

    @Test
    void resultsOfABatchArePerSample() {
        TernModel m = identityHeads(3, null);
        try (Session s = m.newSession(SessionOptions.defaults().withMaxBatch(3))) {
            Results r = s.run(new float[] {1, 0, 0, 0, 2, 0, 0, 0, 3});
            assertEquals(3, r.batch());
            for (int i = 0; i < 3; i++) {
                assertEquals(i, r.multiclass("logits").argmax(i));
                assertEquals(i + 1f, r.regression("reg").value(i, i));
            }
            Results one = s.run(new float[] {0, 0, 5});
            assertEquals(1, one.batch());
            assertThrows(IndexOutOfBoundsException.class, () -> one.regression("reg").values(1),
                    "sample 1 of the earlier batch is gone");
        }
    }
}
