package dev.tern.compress.train;

import dev.tern.compress.data.CanvasSet;
import dev.tern.compress.data.FashionMnist;
import dev.tern.compress.data.MultiFashion;
import dev.tern.compress.tf.SavedModelImporter;
import dev.tern.compress.tf.SavedModelRunner;
import dev.tern.runtime.Backend;
import dev.tern.runtime.Session;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.format.TernReader;
import dev.tern.runtime.format.TernWriter;
import dev.tern.runtime.model.ModelDef;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training on a small slice of Multi-Fashion: seeded runs are bit-identical, the loss goes
 * down, and the exported SavedModel imports into Tern with the same outputs as TensorFlow.
 */
class TrainerTest {
    static MultiFashion data;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws Exception {
        data = new MultiFashion(FashionMnist.load(Paths.get(System.getProperty("tern.repo", "..")).resolve(FashionMnist.REPO_DIR)));
    }

    static TrainRecipe tiny(String sharing) {
        TrainRecipe r = new TrainRecipe();
        r.name = "tiny-" + sharing;
        r.sharing = sharing;
        r.trunk = List.of("conv3x3:4", "maxpool:2", "conv3x3:8", "maxpool:2");
        r.dense = List.of(16);
        r.softTie = sharing.equals("soft") ? 1e-3 : 0;
        r.epochs = 3;
        r.batchSize = 32;
        r.trainSamples = 256;
        r.learningRate = 3e-3;
        r.finalLearningRate = 1e-3;
        r.seed = 7;
        r.threads = 1;
        r.validate();
        return r;
    }

    private static Trainer.Outcome train(TrainRecipe r) {
        // The same 256 canvases every epoch, so the loss must fall.
        CanvasSet epoch = data.trainEpoch(r.seed, 0).subset(r.trainSamples);
        return new Trainer(r).train(e -> epoch, data.test().subset(200), false);
    }

    @Test
    void seededTrainingIsBitIdenticalAndLearns() {
        TrainRecipe r = tiny("hard");
        Trainer.Outcome a = train(r);
        Trainer.Outcome b = train(r);
        for (Map.Entry<String, float[]> e : a.weights.entrySet()) {
            assertArrayEquals(e.getValue(), b.weights.get(e.getKey()), e.getKey());
        }
        for (String task : r.tasks) {
            double first = a.epochLosses.get(0).get(task);
            double last = a.epochLosses.get(r.epochs - 1).get(task);
            assertTrue(last < first, task + " loss should fall over 3 epochs on fixed data: " + first + " -> " + last);
        }
    }

    @Test
    void softSharingTrainsOneTowerPerTask() {
        TrainRecipe r = tiny("soft");
        Trainer.Outcome o = train(r);
        for (String task : r.tasks) {
            assertTrue(o.weights.containsKey(task + "_c0_w"), "tower of " + task);
            assertTrue(o.weights.containsKey("h_" + task + "_w"), "head of " + task);
        }
        assertTrue(!o.weights.containsKey("t_c0_w"));
    }

    @Test
    void exportedModelImportsWithTheSameOutputs() throws Exception {
        for (String sharing : new String[] {"hard", "soft"}) {
            TrainRecipe r = tiny(sharing);
            Trainer.Outcome o = train(r);
            Path saved = dir.resolve(sharing);
            SavedModelExport.export(r, o, saved, Map.of("note", "test"));
            assertTrue(Files.exists(saved.resolve("assets.extra/tern.json")));
            assertTrue(Files.exists(saved.resolve("assets.extra/training.json")));
            ModelDef def = SavedModelImporter.importModel(saved);
            assertEquals(r.tasks, def.tasks().stream().map(t -> t.name()).collect(java.util.stream.Collectors.toList()));
            Path tern = dir.resolve(sharing + ".tern");
            TernWriter.write(def, tern);
            CanvasSet test = data.test().subset(64);
            float[] x = new float[test.size() * MultiFashion.PIXELS];
            for (int i = 0; i < test.size(); i++) {
                test.fill(i, x, i * MultiFashion.PIXELS);
            }
            try (SavedModelRunner tf = SavedModelRunner.open(saved)) {
                Map<String, float[][]> ref = tf.run(x);
                for (Backend backend : new Backend[] {Backend.REFERENCE, Backend.SCALAR}) {
                    TernModel m = TernModel.of(TernReader.read(tern), backend);
                    try (Session s = m.newSession()) {
                        for (int i = 0; i < test.size(); i++) {
                            float[] xi = java.util.Arrays.copyOfRange(x, i * MultiFashion.PIXELS, (i + 1) * MultiFashion.PIXELS);
                            s.run(xi);
                            for (String task : r.tasks) {
                                float[] got = s.output(m.def().task(task).output(), 0);
                                float[] want = ref.get(task)[i];
                                for (int k = 0; k < want.length; k++) {
                                    assertEquals(want[k], got[k], 1e-4, sharing + "/" + backend.id() + " task " + task + " sample " + i);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
