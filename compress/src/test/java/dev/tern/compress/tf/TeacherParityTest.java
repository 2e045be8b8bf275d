package dev.tern.compress.tf;

import dev.tern.compress.data.CanvasSet;
import dev.tern.compress.data.FashionMnist;
import dev.tern.compress.data.MultiFashion;
import dev.tern.runtime.Backend;
import dev.tern.runtime.Session;
import dev.tern.runtime.SessionOptions;
import dev.tern.runtime.TaskSet;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.format.TernWriter;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.TaskSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Float parity of the committed teachers: the imported {@code .tern} run by Tern and the
 * SavedModel run by TensorFlow Java agree on every output within 1e-4 (max abs) on 1,000
 * Multi-Fashion test canvases; and the committed {@code .tern} is exactly what importing the
 * committed SavedModel gives today.
 */
class TeacherParityTest {
    static final int SAMPLES = 1000;
    static final double TOLERANCE = 1e-4;

    static Path repo() {
        return Paths.get(System.getProperty("tern.repo", ".."));
    }

    @Test
    void hardTeacher() throws Exception {
        check("hard");
    }

    @Test
    void softTeacher() throws Exception {
        check("soft");
    }

    private static void check(String name) throws Exception {
        Path saved = repo().resolve("models/multifashion/" + name);
        Path tern = repo().resolve("models/multifashion/" + name + ".tern");
        ModelDef imported = SavedModelImporter.importModel(saved);
        assertArrayEquals(TernWriter.toBytes(imported), Files.readAllBytes(tern),
                tern + " differs from a fresh import of " + saved + ": re-run tern import");

        CanvasSet test = new MultiFashion(FashionMnist.load(repo().resolve(FashionMnist.REPO_DIR))).test().subset(SAMPLES);
        float[] x = new float[SAMPLES * MultiFashion.PIXELS];
        for (int i = 0; i < SAMPLES; i++) {
            test.fill(i, x, i * MultiFashion.PIXELS);
        }
        Map<String, float[][]> ref;
        try (SavedModelRunner tf = SavedModelRunner.open(saved)) {
            ref = tf.run(x);
        }
        // The scalar kernels (what Android and the JVM fallback run) on all 1,000 samples; the
        // slow reference kernels on the first 100.
        for (Backend backend : new Backend[] {Backend.SCALAR, Backend.REFERENCE}) {
            int samples = backend == Backend.REFERENCE ? 100 : SAMPLES;
            TernModel m = TernModel.load(tern, backend);
            double worst = 0;
            try (Session s = m.newSession(SessionOptions.defaults().withMaxBatch(100))) {
                TaskSet all = m.allTasks();
                for (int from = 0; from < samples; from += 100) {
                    s.run(Arrays.copyOfRange(x, from * MultiFashion.PIXELS, (from + 100) * MultiFashion.PIXELS), all);
                    for (TaskSpec t : m.tasks()) {
                        for (int i = 0; i < 100; i++) {
                            float[] got = s.output(t.output(), i);
                            float[] want = ref.get(t.name())[from + i];
                            for (int k = 0; k < want.length; k++) {
                                worst = Math.max(worst, Math.abs(got[k] - want[k]));
                            }
                        }
                    }
                }
            }
            System.out.printf("%s teacher, %s kernels: max |tern - tensorflow| = %.3g over %d samples%n", name, backend.id(),
                    worst, samples);
            assertTrue(worst <= TOLERANCE, name + "/" + backend.id() + ": max abs difference " + worst + " > " + TOLERANCE);
        }
    }
}
