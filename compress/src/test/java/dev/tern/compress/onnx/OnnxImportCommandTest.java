package dev.tern.compress.onnx;

import com.google.protobuf.ByteString;
import dev.tern.compress.cli.CliFixtureAccess;
import dev.tern.compress.examples.SeededOnnx;
import dev.tern.compress.onnx.proto.Onnx.GraphProto;
import dev.tern.compress.onnx.proto.Onnx.ModelProto;
import dev.tern.compress.onnx.proto.Onnx.NodeProto;
import dev.tern.compress.onnx.proto.Onnx.OperatorSetIdProto;
import dev.tern.compress.onnx.proto.Onnx.StringStringEntryProto;
import dev.tern.compress.onnx.proto.Onnx.TensorProto;
import dev.tern.compress.onnx.proto.Onnx.TensorShapeProto;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.TaskKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tern import MODEL.onnx}: the import, the tasks it infers, and each bad input (exit 2, one line, nothing written). */
class OnnxImportCommandTest {
    @TempDir
    Path dir;

    static Path family(String name) throws URISyntaxException {
        return Paths.get(OnnxImportCommandTest.class.getResource("/families/" + name + "/model.onnx").toURI());
    }

    private Path write(String name, byte[] bytes) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private ModelProto mlp() throws Exception {
        return SeededOnnx.read(family("mlp_two_heads"));
    }

    private List<String> files() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void importsTheTwoHeadMlpWithTheTasksAUserWouldGuess() throws Exception {
        Path in = write("mlp.onnx", mlp().toByteArray());
        byte[] before = Files.readAllBytes(in);
        Path out = dir.resolve("mlp.tern");
        CliFixtureAccess.Result r = CliFixtureAccess.tern("import", in.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("wrote " + out), r.out());
        assertArrayEquals(before, Files.readAllBytes(in), "input modified");
        TernModel m = TernModel.load(out);
        assertEquals(List.of("class_prob", "tags"), m.def().outputs());
        assertEquals(TaskKind.MULTICLASS, m.def().tasks().get(0).kind());
        assertEquals(TaskKind.MULTILABEL, m.def().tasks().get(1).kind());
        assertTrue(!m.def().tasks().get(0).logits(), "a softmax output holds probabilities");
        assertEquals(List.of("mlp.onnx", "mlp.tern"), files());
    }

    @Test
    void tasksFileNamesLabelsAndKinds() throws Exception {
        Path in = write("mlp.onnx", mlp().toByteArray());
        Path tasks = write("tasks.json", ("{\"tasks\": [{\"output\": \"class_prob\", \"name\": \"garment\", \"labels\": "
                + "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\"]}, {\"output\": \"tags\", \"kind\": \"raw\"}]}").getBytes());
        Path out = dir.resolve("m.tern");
        CliFixtureAccess.Result r = CliFixtureAccess.tern("import", in.toString(), "--tasks", tasks.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        TernModel m = TernModel.load(out);
        assertEquals(1, m.def().tasks().size());
        assertEquals("garment", m.def().tasks().get(0).name());
        assertEquals("j", m.def().tasks().get(0).labels().get(9));
        assertTrue(m.def().outputs().contains("tags"), "a raw output stays a graph output");
    }

    /**
     * Preprocessing with {@code resize} (format 1.5): tern run takes a PNG of another size and
     * resizes it; without it the same PNG is refused, naming the missing resize; tern info shows it.
     */
    @Test
    void recordedResizeLetsRunTakeAnImageOfAnotherSize() throws Exception {
        Path in = write("squeezenet.onnx", SeededOnnx.read(family("squeezenet1_1")).toByteArray());
        String norm = "\"scale\": 0.00392157, \"mean\": [0.485, 0.456, 0.406], \"std\": [0.229, 0.224, 0.225]";
        Path tasks = write("tasks.json", ("{\"preprocessing\": {" + norm + ", \"resize\": \"bilinear\"}}").getBytes());
        Path plain = write("plain.json", ("{\"preprocessing\": {" + norm + "}}").getBytes());
        Path out = dir.resolve("sq.tern");
        Path fixed = dir.resolve("fixed.tern");
        assertEquals(0, CliFixtureAccess.tern("import", in.toString(), "--tasks", tasks.toString(), "--out", out.toString()).code());
        assertEquals(0, CliFixtureAccess.tern("import", in.toString(), "--tasks", plain.toString(), "--out", fixed.toString()).code());
        assertEquals("bilinear", TernModel.load(out).def().inputs().get(0).resize());
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(80, 50, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 50; y++) {
            for (int x = 0; x < 80; x++) {
                img.setRGB(x, y, (x * 3) << 16 | (y * 5) << 8 | ((x + y) % 256));
            }
        }
        Path png = dir.resolve("wide.png");
        javax.imageio.ImageIO.write(img, "png", png.toFile());
        CliFixtureAccess.Result ok = CliFixtureAccess.tern("run", out.toString(), "--input", png.toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("no task heads") && ok.out().contains("--raw"), "a raw-only model says so: " + ok.out());
        CliFixtureAccess.Result no = CliFixtureAccess.tern("run", fixed.toString(), "--input", png.toString());
        assertEquals(2, no.code());
        assertTrue(no.err().contains("80x50") && no.err().contains("no resize"), no.err());
        CliFixtureAccess.Result info = CliFixtureAccess.tern("info", out.toString(), "--json");
        assertTrue(info.out().contains("\"resize\" : \"bilinear\"") || info.out().contains("\"resize\":\"bilinear\""), info.out());
        Path exported = dir.resolve("exported.onnx");
        Path again = dir.resolve("again.tern");
        assertEquals(0, CliFixtureAccess.tern("export", out.toString(), "--onnx", "--out", exported.toString()).code());
        assertEquals(0, CliFixtureAccess.tern("import", exported.toString(), "--out", again.toString()).code());
        assertEquals("bilinear", TernModel.load(again).def().inputs().get(0).resize(), "tern.inputs carries the resize");
        CliFixtureAccess.Result bad = CliFixtureAccess.tern("import", in.toString(), "--tasks",
                write("bad.json", "{\"preprocessing\": {\"resize\": \"bicubic\"}}".getBytes()).toString(), "--out",
                dir.resolve("bad.tern").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("resize") && bad.err().contains("bicubic"), bad.err());
        assertTrue(!Files.exists(dir.resolve("bad.tern")));
    }

    private void refused(byte[] model, String... expected) throws Exception {
        Path in = write("bad.onnx", model);
        Path out = dir.resolve("bad.tern");
        CliFixtureAccess.Result r = CliFixtureAccess.tern("import", in.toString(), "--out", out.toString());
        assertEquals(2, r.code(), r.out() + r.err());
        String line = r.err().strip();
        assertEquals(1, line.lines().count(), "one line: " + line);
        for (String e : expected) {
            assertTrue(line.contains(e), "expected '" + e + "' in: " + line);
        }
        assertEquals(List.of("bad.onnx"), files(), "nothing written");
    }

    private ModelProto edit(UnaryOperator<GraphProto.Builder> f) throws Exception {
        ModelProto m = mlp();
        return m.toBuilder().setGraph(f.apply(m.getGraph().toBuilder())).build();
    }

    @Test
    void truncatedProtobuf() throws Exception {
        byte[] full = mlp().toByteArray();
        refused(Arrays.copyOf(full, full.length / 2), "bad.onnx", "not an ONNX model");
    }

    @Test
    void notProtobufAtAll() throws Exception {
        refused("hello, this is text\n".getBytes(), "not an ONNX model");
    }

    @Test
    void externalData() throws Exception {
        refused(edit(g -> {
            TensorProto t = g.getInitializer(0);
            return g.setInitializer(0, t.toBuilder().clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                    .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin")));
        }).toByteArray(), "tensor '", "external file");
    }

    @Test
    void opsetNewerThanSupported() throws Exception {
        ModelProto m = mlp().toBuilder().clearOpsetImport().addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(18))
                .build();
        refused(m.toByteArray(), "opset 18", "7 to 17");
    }

    @Test
    void unsupportedOpsAreAllNamedAtOnce() throws Exception {
        refused(edit(g -> g.setNode(0, g.getNode(0).toBuilder().setOpType("Einsum").setName("first"))
                .setNode(1, g.getNode(1).toBuilder().setOpType("NonZero").setName("second"))).toByteArray(),
                "2 nodes", "'first' (Einsum, opset 13)", "'second' (NonZero, opset 13)");
    }

    @Test
    void dynamicShapeThatCannotBeResolved() throws Exception {
        refused(edit(g -> g.setInput(0, g.getInput(0).toBuilder().setType(g.getInput(0).getType().toBuilder().setTensorType(
                g.getInput(0).getType().getTensorType().toBuilder().setShape(TensorShapeProto.newBuilder()
                        .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
                        .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("features"))))))).toByteArray(),
                "input '", "axis 1 is 'features'");
    }

    @Test
    void unknownInputName() throws Exception {
        refused(edit(g -> g.setNode(1, g.getNode(1).toBuilder().setInput(0, "nowhere"))).toByteArray(), "reads 'nowhere'",
                "which no input, initializer or node defines");
    }

    @Test
    void cycle() throws Exception {
        refused(edit(g -> {
            // node 0 reads the output of the last node, which depends on node 0
            NodeProto first = g.getNode(0);
            NodeProto last = g.getNode(g.getNodeCount() - 1);
            return g.setNode(0, first.toBuilder().setInput(0, last.getOutput(0)));
        }).toByteArray(), "cycle through node");
    }

    @Test
    void wrongTasksFile() throws Exception {
        Path in = write("mlp.onnx", mlp().toByteArray());
        Path tasks = write("tasks.json", "{\"tasks\": [{\"output\": \"nope\"}]}".getBytes());
        CliFixtureAccess.Result r = CliFixtureAccess.tern("import", in.toString(), "--tasks", tasks.toString(), "--out",
                dir.resolve("x.tern").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("output 'nope' is not an output"), r.err());
        assertEquals(List.of("mlp.onnx", "tasks.json"), files());
    }
}
