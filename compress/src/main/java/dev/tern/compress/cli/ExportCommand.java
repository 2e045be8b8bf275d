package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.compress.job.ExportConfig;
import dev.tern.compress.job.ExportJob;
import dev.tern.compress.job.ModelInput;
import dev.tern.compress.onnx.OnnxExporter;
import dev.tern.compress.onnx.proto.Onnx.ModelProto;
import dev.tern.compress.onnx.proto.Onnx.NodeProto;
import dev.tern.runtime.model.ModelDef;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code tern export [--onnx] IN.tern --out OUT.onnx [--activations int8|uint8]}: ONNX export. */
@Command(name = "export", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, modelTransformer = ExportCommand.Fields.class,
        description = {"Export a .tern model to ONNX (opset " + OnnxExporter.OPSET + ", docs/ONNX.md).",
            "Float32 models become float32 ONNX graphs; int8 models become QDQ graphs (QuantizeLinear/DequantizeLinear "
                + "with Tern's scales and zero points, int8 weights and int32 biases behind DequantizeLinear), which "
                + "ONNX Runtime turns into QLinearConv, QGemm and friends (on x86 by default only with --activations uint8). The ONNX model takes the same normalized NHWC "
                + "input (batch dimension N) and gives the same graph outputs, by name, as Tern's runtime.",
            "--activations uint8 writes int8 activations as uint8 (zero point + 128, same scale: the same values), "
                + "with int8 weights: the u8s8 form ONNX Runtime fuses into integer kernels by default on x86.",
            "Warns (stderr; JSON: warning, x86_saturation_risk) when int8 weights go beyond +-64: ONNX Runtime on x86 "
                + "CPUs without VNNI saturates such u8 x s8 products in 16-bit pairs; tern quantize --weight-bits 7 "
                + "gives weights that export exactly to every CPU.",
            "Fails, writing nothing, naming the node of any op it cannot map."})
public final class ExportCommand implements Callable<Integer> {
    /** Adds the options of {@link ExportConfig#FIELDS}. */
    public static final class Fields implements IModelTransformer {
        public CommandSpec transform(CommandSpec spec) {
            return JobOptions.add(spec, ExportConfig.FIELDS);
        }
    }

    @Option(names = "--onnx", description = "Export to ONNX (the only format, and the default).")
    boolean onnx;

    @Parameters(paramLabel = "IN.tern", description = "The .tern model to export (never modified).")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "OUT.onnx",
            description = "The ONNX file to write (atomically); its folder must exist.")
    Path out;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ExportConfig c = ExportConfig.of(JobOptions.read(spec, ExportConfig.FIELDS));
        checkOut();
        ModelInput model = ModelInput.read(in);
        ModelDef def = model.def();
        ExportJob.Outcome e = ExportJob.run(model, c); // refuses before anything is written
        ModelProto m = e.model();
        OnnxExporter.write(m, out);
        long size = Files.size(out);
        Map<String, Integer> ops = new TreeMap<>();
        for (NodeProto n : m.getGraph().getNodeList()) {
            ops.merge(n.getOpType(), 1, Integer::sum);
        }
        boolean int8Activations = e.int8Activations();
        String kind = !int8Activations ? "float32" : c.uint8Activations ? "uint8" : "int8";
        // An explicit --activations on a model without int8 activations changes nothing: say so.
        String note = !int8Activations && c.settings().given("activations")
                ? "--activations " + c.settings().text("activations") + " had no effect: " + in + " has no int8 activations ("
                + (def.isQuantized() ? "weight-only int8, float32 activations" : "float32") + ")"
                : null;
        java.util.List<OnnxExporter.SaturationRisk> risks = e.risks();
        String warning = risks.isEmpty() ? null : ExportJob.saturationWarning(risks);
        PrintWriter o = spec.commandLine().getOut();
        if (json) {
            ObjectNode j = Json.object();
            j.put("model", out.toString());
            j.put("source", in.toString());
            j.put("format", "onnx");
            j.put("opset", OnnxExporter.OPSET);
            j.put("ir_version", m.getIrVersion());
            j.put("quantized", def.isQuantized());
            j.put("activations", kind);
            if (note != null) {
                j.put("note", note);
            }
            ArrayNode riskJ = j.putArray("x86_saturation_risk");
            for (OnnxExporter.SaturationRisk r : risks) {
                riskJ.addObject().put("node", r.node).put("max_weight", r.maxWeight);
            }
            if (warning != null) {
                j.put("warning", warning);
            }
            j.put("nodes", m.getGraph().getNodeCount());
            j.put("initializers", m.getGraph().getInitializerCount());
            j.put("size_bytes", size);
            ObjectNode opsJ = j.putObject("ops");
            ops.forEach(opsJ::put);
            ArrayNode inputs = j.putArray("inputs");
            m.getGraph().getInputList().forEach(v -> inputs.add(v.getName()));
            ArrayNode outputs = j.putArray("outputs");
            m.getGraph().getOutputList().forEach(v -> outputs.add(v.getName()));
            Json.print(j, o);
        } else {
            o.printf("wrote %s: %,d bytes, ONNX opset %d (IR %d), %s%n", out, size, OnnxExporter.OPSET, m.getIrVersion(),
                    !def.isQuantized() ? "float32" : !int8Activations ? "int8 weights, float32 activations"
                            : "int8 as QDQ, " + kind + " activations");
            o.printf("  %d nodes, %d initializers, from %d Tern nodes of %s%n", m.getGraph().getNodeCount(),
                    m.getGraph().getInitializerCount(), def.nodes().size(), in);
            StringBuilder sb = new StringBuilder();
            ops.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
            o.printf("  ops: %s%n", sb);
            o.printf("  input %s, outputs %s%n", ExportJob.names(m.getGraph().getInputList()), ExportJob.names(m.getGraph().getOutputList()));
            if (note != null) {
                o.printf("  note: %s%n", note);
            }
            if (warning != null) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("warning: " + warning);
                err.flush();
            }
        }
        o.flush();
        return 0;
    }

    /** --out must name a file in an existing folder, and not the input. */
    private void checkOut() throws Exception {
        if (Files.isDirectory(out)) {
            throw new UsageException("--out " + out + " is a directory; give the ONNX file to write");
        }
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new UsageException("--out " + out + ": folder " + parent + " does not exist");
        }
        ModelFiles.checkOutput(out, in);
    }
}
