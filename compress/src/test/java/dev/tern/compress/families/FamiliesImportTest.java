package dev.tern.compress.families;

import dev.tern.compress.examples.SeededOnnx;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.compress.io.NpyArray;
import dev.tern.compress.io.NpyReader;
import dev.tern.compress.onnx.OnnxImporter;
import dev.tern.runtime.Backend;
import dev.tern.runtime.Session;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.ModelDef;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each torchvision family (models/families) imported by Tern gives PyTorch's outputs: max |tern -
 * pytorch| / max |pytorch| at most 1e-4, on the reference, scalar and vector backends, for the
 * batch of fixture inputs run at once (the leading axis is Tern's batch).
 */
class FamiliesImportTest {
    static Stream<String> families() {
        return FamiliesOnnxRuntimeTest.families();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void importMatchesPyTorch(String family) throws IOException {
        Path dir = FamiliesOnnxRuntimeTest.root().resolve(family);
        JsonNode manifest = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
        byte[] bytes = SeededOnnx.readBytes(dir.resolve("model.onnx"));
        OnnxImporter.Result r = OnnxImporter.importBytes(bytes, family + ".onnx", null);
        assertTrue(r.batched, "the leading axis is the batch");
        ModelDef def = r.model;
        NpyArray input = NpyReader.read(dir.resolve(manifest.get("input").get("file").asText()));
        int batch = input.shape()[0];
        double scale = manifest.get("output_scale").asDouble();
        for (Backend b : new Backend[] {Backend.REFERENCE, Backend.SCALAR, Backend.VECTOR}) {
            TernModel m = TernModel.of(def, b);
            try (Session s = m.newSession(dev.tern.runtime.SessionOptions.defaults().withMaxBatch(batch))) {
                s.run(Map.of(def.inputs().get(0).name(), input.values()), m.allTasks());
                for (JsonNode o : manifest.get("outputs")) {
                    String name = o.get("name").asText();
                    float[] want = NpyReader.read(dir.resolve(o.get("file").asText())).values();
                    int per = want.length / batch;
                    double worst = 0;
                    for (int k = 0; k < batch; k++) {
                        float[] got = s.output(name, k);
                        assertEquals(per, got.length, name + " values per sample");
                        for (int i = 0; i < per; i++) {
                            worst = Math.max(worst, Math.abs(got[i] - want[k * per + i]));
                        }
                    }
                    double rel = worst / Math.max(scale, 1e-30);
                    System.out.printf("%s %s %s: max |tern - pytorch| = %.3g (%.3g of the scale %.3g)%n", family, b.id(), name,
                            worst, rel, scale);
                    assertTrue(rel <= 1e-4, family + " on " + b.id() + ", output " + name + ": max difference " + worst
                            + " is " + rel + " of the output's scale " + scale);
                }
            }
        }
    }
}
