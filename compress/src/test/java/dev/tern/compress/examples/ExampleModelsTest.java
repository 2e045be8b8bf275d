package dev.tern.compress.examples;

import dev.tern.runtime.Backend;
import dev.tern.runtime.Results;
import dev.tern.runtime.Session;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.format.TernWriter;
import dev.tern.runtime.model.ModelDef;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The committed example files are exactly what the generator makes, and the model runs on the canvas. */
class ExampleModelsTest {
    private static Path examples() {
        return Paths.get(System.getProperty("tern.repo", "..")).resolve("models/examples");
    }

    @Test
    void committedModelEqualsFreshBuild() throws Exception {
        byte[] committed = Files.readAllBytes(examples().resolve("tiny-multitask.tern"));
        assertArrayEquals(TernWriter.toBytes(ExampleModels.tinyMultitask()), committed,
                "models/examples/tiny-multitask.tern is stale: regenerate it (models/examples/README.md)");
        assertArrayEquals(ExampleModels.exampleCanvasPgm(), Files.readAllBytes(examples().resolve("canvas.pgm")));
    }

    @Test
    void inkHeadIsAnAverageOfPooledPixels() throws Exception {
        // The ink head reads a 6x6 average pool of the raw input: check it against a direct computation.
        ModelDef def = ExampleModels.tinyMultitask();
        float[] x = new float[36 * 36];
        byte[] pgm = ExampleModels.exampleCanvasPgm();
        int header = pgm.length - x.length;
        for (int i = 0; i < x.length; i++) {
            x[i] = (pgm[header + i] & 0xff) / 255f;
        }
        float[] w = def.tensor("ink/weights").floats();
        float b = def.tensor("ink/bias").floats()[0];
        double expected = b;
        for (int by = 0; by < 6; by++) {
            for (int bx = 0; bx < 6; bx++) {
                double sum = 0;
                for (int y = 0; y < 6; y++) {
                    for (int xx = 0; xx < 6; xx++) {
                        sum += x[(by * 6 + y) * 36 + bx * 6 + xx];
                    }
                }
                expected += w[by * 6 + bx] * sum / 36;
            }
        }
        for (Backend backend : new Backend[] {Backend.REFERENCE, Backend.SCALAR}) {
            try (Session s = TernModel.of(def, backend).newSession()) {
                Results r = s.run(x, "ink");
                assertEquals(expected, r.regression("ink").value(0, 0), 1e-5, backend.id());
            }
        }
    }
}
