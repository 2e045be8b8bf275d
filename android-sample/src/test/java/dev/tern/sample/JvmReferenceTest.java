package dev.tern.sample;

import dev.tern.runtime.Backend;
import dev.tern.runtime.TernModel;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference side: the JVM runtime with its vector kernels (x86, the Vector API) runs the
 * app's two bundled models on the app's 100 canvases and writes the predictions that
 * {@code AppModelTest} then expects from the app under Robolectric (scalar kernels).
 * Surefire runs this class alone, in an execution before the Robolectric one.
 */
class JvmReferenceTest {
    @Test
    void writesThePredictionsOfTheVectorBackend() throws IOException {
        assertEquals(Backend.VECTOR, TernModel.defaultBackend(), TernModel.vectorBackendStatus());
        Path assets = Paths.get(System.getProperty("tern.sample.assets"));
        Canvases canvases;
        try (InputStream in = Files.newInputStream(assets.resolve(MainActivity.CANVASES))) {
            canvases = Canvases.read(in);
        }
        assertEquals(100, canvases.size());
        for (String name : new String[] {MainActivity.INT8, MainActivity.FP32}) {
            Classifier model;
            try (InputStream in = Files.newInputStream(assets.resolve(name))) {
                model = Classifier.load(name, in, Backend.VECTOR);
            }
            assertTrue(model.model().kernelBackends().containsValue(Backend.VECTOR), name + ": " + model.model().kernels());
            List<String> lines = new ArrayList<>();
            int correct = 0;
            for (int i = 0; i < canvases.size(); i++) {
                Prediction p = model.predict(canvases.pixels(i));
                lines.add(ReferenceFile.line(i, p));
                correct += (p.left == canvases.left(i) ? 1 : 0) + (p.right == canvases.right(i) ? 1 : 0);
            }
            // a trained model, not noise: the teacher gets about 86% of left/right items right
            assertTrue(correct >= 150, name + ": only " + correct + " of 200 left/right items right");
            ReferenceFile.write(ReferenceFile.of(name), lines);
            model.close();
        }
    }
}
