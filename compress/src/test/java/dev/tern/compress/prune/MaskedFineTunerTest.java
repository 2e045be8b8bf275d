package dev.tern.compress.prune;

import dev.tern.compress.BadInputException;
import dev.tern.compress.data.CanvasSet;
import dev.tern.compress.data.FashionMnist;
import dev.tern.compress.data.MultiFashion;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Padding;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MaskedFineTunerTest {
    static MultiFashion data;

    @BeforeAll
    static void load() throws Exception {
        data = new MultiFashion(FashionMnist.load(Paths.get(System.getProperty("tern.repo", "..")).resolve(FashionMnist.REPO_DIR)));
    }

    /** conv 1->6 stride 2, max pool, dense 16, three Multi-Fashion heads; random weights. */
    static ModelDef tiny(Random rnd) {
        ModelBuilder b = new ModelBuilder("tiny").input("image", -1, 36, 36, 1);
        String v = b.conv2d("conv", "image", new int[] {6, 3, 3, 1}, ModelBuilder.random(rnd, 54, 0.5f), new float[6], 2,
                Padding.SAME, Activation.RELU);
        v = b.maxPool("pool", v, 2, 2, Padding.VALID);
        v = b.flatten("flat", v);
        v = b.dense("fc", v, 16, 9 * 9 * 6, ModelBuilder.random(rnd, 16 * 486, 0.1f), new float[16], Activation.RELU);
        String[] classes = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
        b.multiclass("left", b.dense("left", v, 10, 16, ModelBuilder.random(rnd, 160, 0.3f), new float[10], Activation.NONE),
                classes);
        b.multiclass("right", b.dense("right", v, 10, 16, ModelBuilder.random(rnd, 160, 0.3f), new float[10], Activation.NONE),
                classes);
        float[] half = new float[10];
        java.util.Arrays.fill(half, 0.5f);
        b.multilabel("present", b.dense("present", v, 10, 16, ModelBuilder.random(rnd, 160, 0.3f), new float[10],
                Activation.NONE), half, classes);
        return b.build();
    }

    static MaskedFineTuner.MaskRule perTensor() {
        return (weights, s) -> {
            Map<String, boolean[]> m = new LinkedHashMap<>();
            weights.forEach((name, w) -> m.put(name, MagnitudePruner.unstructured(PruneTarget.dense(name, w, 1, w.length), s)));
            return m;
        };
    }

    @Test
    void gradualPruningKeepsPrunedWeightsAtZeroAndLearns() {
        ModelDef def = tiny(new Random(3));
        CanvasSet epoch = data.trainEpoch(7, 0).subset(512);
        MaskedFineTuner.Options o = new MaskedFineTuner.Options();
        o.epochs = 3;
        o.batchSize = 32;
        o.samples = 512;
        o.learningRate = 3e-3;
        Set<String> pruned = Set.of("conv/filter", "fc/weights");
        PolynomialSchedule schedule = new PolynomialSchedule(0.0, 0.8, 0, 24, 4);
        // record every update: the sparsity rises along the schedule and a pruned weight stays pruned
        List<Double> sparsities = new java.util.ArrayList<>();
        Map<String, boolean[]> last = new LinkedHashMap<>();
        MaskedFineTuner.MaskRule recording = (weights, sp) -> {
            Map<String, boolean[]> m = perTensor().masks(weights, sp);
            sparsities.add(sp);
            m.forEach((name, keep) -> {
                boolean[] before = last.get(name);
                for (int i = 0; before != null && i < keep.length; i++) {
                    assertTrue(before[i] || !keep[i], name + " index " + i + " came back at sparsity " + sp);
                }
                last.put(name, keep);
            });
            return m;
        };
        MaskedFineTuner.Outcome out = MaskedFineTuner.runOnCanvases(def, pruned, recording, schedule, e -> epoch, o);
        // 48 steps; updates at 0, 4, ..., 24 and once more at the end
        assertEquals(8, sparsities.size(), sparsities.toString());
        for (int i = 1; i < sparsities.size(); i++) {
            assertTrue(sparsities.get(i) >= sparsities.get(i - 1), sparsities.toString());
        }
        assertEquals(0.8 - 0.8 * Math.pow(1 - 4 / 24.0, 3), sparsities.get(1), 1e-12);
        for (String name : pruned) {
            float[] w = out.model().tensor(name).floats();
            boolean[] keep = out.masks().get(name);
            int zeros = 0;
            for (int i = 0; i < w.length; i++) {
                if (!keep[i]) {
                    assertEquals(0f, w[i], name + " index " + i + " is pruned");
                }
                zeros += w[i] == 0f ? 1 : 0;
            }
            assertEquals(Math.round(0.8 * w.length), w.length - count(keep), name);
            assertTrue(zeros >= Math.round(0.8 * w.length), name);
        }
        List<Double> loss = out.epochLoss();
        assertTrue(loss.get(2) < loss.get(0), "loss falls over the same canvases: " + loss);
        // the tuned model runs in the runtime
        int argmax = TernModel.of(out.model()).newSession().run(new float[36 * 36]).multiclass("left").argmax(0);
        assertTrue(argmax >= 0 && argmax < 10);
    }

    private static int count(boolean[] keep) {
        int k = 0;
        for (boolean b : keep) {
            k += b ? 1 : 0;
        }
        return k;
    }

    @Test
    void badInputIsRefusedBeforeTraining() throws Exception {
        ModelDef def = tiny(new Random(4));
        MaskedFineTuner.Options o = new MaskedFineTuner.Options();
        CanvasSet few = data.trainEpoch(7, 0).subset(10);
        PolynomialSchedule one = PolynomialSchedule.oneShot(0.5);
        assertTrue(assertThrows(BadInputException.class,
                () -> MaskedFineTuner.runOnCanvases(def, Set.of("nope"), perTensor(), one, e -> few, o)).getMessage().contains("nope"));
        assertTrue(assertThrows(BadInputException.class,
                () -> MaskedFineTuner.runOnCanvases(def, Set.of("fc/weights"), perTensor(), one, e -> few, o)).getMessage()
                .contains("at least one batch"));
        Path int8 = Paths.get(System.getProperty("tern.repo", "..")).resolve("models/multifashion/hard-int8.tern");
        ModelDef q = TernModel.load(int8).def();
        assertTrue(assertThrows(BadInputException.class,
                () -> MaskedFineTuner.runOnCanvases(q, Set.of(), perTensor(), one, e -> few, o)).getMessage().contains("fp32"));
    }
}
