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

    /**
     * The shipped teacher exported (tern export --onnx) and imported again: the same tasks, labels,
     * input normalization and layout, and the same outputs on the reference backend (float32
     * within 1e-5 x max(1, |x|): the import computes the same ops in a different order of nodes).
     */
    @org.junit.jupiter.api.Test
    void aTernModelExportedAndImportedAgainIsTheSameModel() throws Exception {
        ModelDef def = dev.tern.runtime.format.TernReader.read(OrtRunner.repo().resolve("models/multifashion/hard.tern"));
        OnnxImporter.Result r = OnnxImporter.importBytes(OnnxExporter.toBytes(def), "hard.onnx", null);
        ModelDef back = r.model;
        org.junit.jupiter.api.Assertions.assertEquals(def.tasks().toString(), back.tasks().toString());
        for (int t = 0; t < def.tasks().size(); t++) {
            org.junit.jupiter.api.Assertions.assertEquals(def.tasks().get(t).labels(), back.tasks().get(t).labels());
            org.junit.jupiter.api.Assertions.assertEquals(def.tasks().get(t).logits(), back.tasks().get(t).logits());
        }
        InputSpec a = def.inputs().get(0);
        InputSpec b = back.inputs().get(0);
        org.junit.jupiter.api.Assertions.assertArrayEquals(a.shape(), b.shape());
        org.junit.jupiter.api.Assertions.assertEquals(a.layout(), b.layout());
        org.junit.jupiter.api.Assertions.assertArrayEquals(a.mean(), b.mean());
        org.junit.jupiter.api.Assertions.assertArrayEquals(a.std(), b.std());
        int batch = 4;
        float[] x = new float[a.sampleSize() * batch];
        Random rnd = new Random(9);
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextFloat();
        }
        Map<String, float[]> in = Map.of(a.name(), x);
        Map<String, float[]> want = OrtRunner.tern(def, in, batch);
        Map<String, float[]> got = OrtRunner.tern(back, in, batch);
        org.junit.jupiter.api.Assertions.assertEquals(want.keySet(), got.keySet());
        for (String k : want.keySet()) {
            float[] w = want.get(k);
            float[] g = got.get(k);
            for (int i = 0; i < w.length; i++) {
                org.junit.jupiter.api.Assertions.assertEquals(w[i], g[i], 1e-5 * Math.max(1, Math.abs(w[i])), k + "[" + i + "]");
            }
        }
    }

    /**
     * An int8 model exported as QDQ (int8 and uint8 activations) and imported again is the same
     * int8 model: every QDQ unit becomes Tern's int8 op with the same weights, biases, scales and
     * zero points, so its outputs are Tern's int8 outputs bit for bit.
     */
    @ParameterizedTest(name = "{0}, uint8 activations {1}")
    @org.junit.jupiter.params.provider.CsvSource({"models/multifashion/hard-int8.tern, false", "models/multifashion/hard-int8.tern, true"})
    void anInt8QdqExportImportsAsTheSameInt8Model(String file, boolean uint8) throws Exception {
        ModelDef def = dev.tern.runtime.format.TernReader.read(OrtRunner.repo().resolve(file));
        byte[] onnx = OnnxExporter.toBytes(def, OnnxExporter.Options.defaults().withUint8Activations(uint8));
        ModelDef back = OnnxImporter.importBytes(onnx, "int8.onnx", null).model;
        // the same int8 ops (reshapes aside: the import's layout changes are free reshapes)
        org.junit.jupiter.api.Assertions.assertEquals(int8Ops(def), int8Ops(back), "int8 ops");
        InputSpec a = def.inputs().get(0);
        int batch = 5;
        float[] x = new float[a.sampleSize() * batch];
        Random rnd = new Random(13);
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextFloat() * 2 - 0.5f;
        }
        Map<String, float[]> in = Map.of(a.name(), x);
        Map<String, float[]> want = OrtRunner.tern(def, in, batch);
        Map<String, float[]> got = OrtRunner.tern(back, in, batch);
        for (String k : want.keySet()) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(want.get(k), got.get(k), k + ": bit for bit");
        }
    }

    static Map<String, Long> int8Ops(ModelDef def) {
        return def.nodes().stream().filter(n -> def.typeOf(n.output()).isInt8() && n.op() != dev.tern.runtime.model.OpType.RESHAPE
                && n.op() != dev.tern.runtime.model.OpType.FLATTEN).collect(java.util.stream.Collectors.groupingBy(
                n -> n.op().id(), java.util.TreeMap::new, java.util.stream.Collectors.counting()));
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
