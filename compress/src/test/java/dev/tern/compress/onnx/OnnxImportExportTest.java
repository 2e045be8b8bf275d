package dev.tern.compress.onnx;

import dev.tern.compress.examples.SeededOnnx;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelDef;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * An imported model exported again ({@code tern export --onnx}) runs in ONNX Runtime with Tern's
 * outputs (within 1e-4 x max(1, |x|)): the exporter knows every op of format 1.4 and explicit
 * windows, and the round trip keeps the ONNX interface (NCHW input, the output names).
 */
class OnnxImportExportTest {
    static Path family(String name) throws URISyntaxException {
        return Paths.get(OnnxImportExportTest.class.getResource("/families/" + name + "/model.onnx").toURI());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large", "resnet18", "squeezenet1_1",
            "shufflenet_v2_x1_0", "efficientnet_b0", "mlp_two_heads"})
    void exportOfAnImportRunsInOnnxRuntimeAsInTern(String family) throws Exception {
        ModelDef def = OnnxImporter.importBytes(SeededOnnx.readBytes(family(family)), family + ".onnx", null).model;
        int batch = 3;
        Map<String, float[]> in = new LinkedHashMap<>();
        Random r = new Random(5);
        for (InputSpec s : def.inputs()) {
            float[] x = new float[s.sampleSize() * batch];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            in.put(s.name(), x);
        }
        OrtRunner.Diff d = OrtRunner.check(def, in, batch);
        System.out.println(family + ": " + d);
        d.assertWithinOneQuantum(family);
    }
}
