package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.compress.onnx.OnnxExporter;
import dev.tern.compress.onnx.proto.Onnx.ModelProto;
import dev.tern.compress.onnx.proto.Onnx.NodeProto;
import dev.tern.compress.onnx.proto.Onnx.ValueInfoProto;
import dev.tern.runtime.model.ModelDef;
import picocli.CommandLine.Command;
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
@Command(name = "export", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
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
    @Option(names = "--onnx", description = "Export to ONNX (the only format, and the default).")
    boolean onnx;

    @Parameters(paramLabel = "IN.tern", description = "The .tern model to export (never modified).")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "OUT.onnx",
            description = "The ONNX file to write (atomically); its folder must exist.")
    Path out;

    @Option(names = "--activations", paramLabel = "int8|uint8", defaultValue = "int8",
            description = {"Element type of int8 activations in the ONNX graph (default: ${DEFAULT-VALUE}). uint8 shifts "
                + "each zero point by +128 (same scale, same real values; weights stay int8, biases int32): ONNX Runtime "
                + "fuses u8s8 QDQ into integer kernels by default on x86, s8s8 only with session.qdqisint8allowed=1. "
                + "No effect on models without int8 activations (float32, weight-only int8); the summary says so."})
    String activations;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        OnnxExporter.Options options = options(activations);
        checkOut();
        ModelDef def = ModelFiles.load(in).def();
        ModelProto m = OnnxExporter.export(def, options); // refuses before anything is written
        OnnxExporter.write(m, out);
        long size = Files.size(out);

        Map<String, Integer> ops = new TreeMap<>();
        for (NodeProto n : m.getGraph().getNodeList()) {
            ops.merge(n.getOpType(), 1, Integer::sum);
        }
        boolean int8Activations = OnnxExporter.hasInt8Activations(def);
        String kind = !int8Activations ? "float32" : options.uint8Activations() ? "uint8" : "int8";
        // An explicit --activations on a model without int8 activations changes nothing: say so.
        String note = !int8Activations && spec.commandLine().getParseResult().hasMatchedOption("--activations")
                ? "--activations " + activations + " had no effect: " + in + " has no int8 activations ("
                + (def.isQuantized() ? "weight-only int8, float32 activations" : "float32") + ")"
                : null;
        java.util.List<OnnxExporter.SaturationRisk> risks = OnnxExporter.x86SaturationRisks(def);
        String warning = risks.isEmpty() ? null : saturationWarning(risks);
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
            o.printf("  input %s, outputs %s%n", names(m.getGraph().getInputList()), names(m.getGraph().getOutputList()));
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

    /**
     * What ONNX Runtime computes for these layers on x86 CPUs without VNNI, and the two ways to an
     * export that is exact there (docs/ONNX.md, "x86 CPUs without VNNI"). One line.
     */
    static String saturationWarning(java.util.List<OnnxExporter.SaturationRisk> risks) {
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < Math.min(3, risks.size()); i++) {
            names.append(i == 0 ? "" : ", ").append(risks.get(i));
        }
        if (risks.size() > 3) {
            names.append(", ...");
        }
        return risks.size() + " int8 layer(s) have weights beyond +-" + OnnxExporter.X86_EXACT_WEIGHT_MAX + " (" + names
                + "): ONNX Runtime on x86 CPUs without VNNI (AVX2 only, or AVX-512 without VNNI) adds their uint8 x int8 "
                + "products in saturating 16-bit pairs, so its outputs there can differ from Tern's by many quanta; for an "
                + "export exact on every CPU, quantize with --weight-bits 7, or run it with the ONNX Runtime session option "
                + "session.x64quantprecision=1 (docs/ONNX.md)";
    }

    /** The exporter options of {@code --activations}: int8 or uint8, else a usage error (exit 2, nothing written). */
    static OnnxExporter.Options options(String activations) {
        switch (activations) {
            case "int8":
                return OnnxExporter.Options.defaults();
            case "uint8":
                return OnnxExporter.Options.defaults().withUint8Activations(true);
            default:
                throw new UsageException("--activations is int8 or uint8, got '" + activations + "'");
        }
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
        if (Files.exists(out) && Files.exists(in) && Files.isSameFile(in, out)) {
            throw new UsageException("--out is the input model " + in + "; the input is never overwritten, write elsewhere");
        }
    }

    private static String names(java.util.List<ValueInfoProto> values) {
        StringBuilder sb = new StringBuilder();
        for (ValueInfoProto v : values) {
            sb.append(sb.length() == 0 ? "" : ", ").append(v.getName()).append(' ').append(shape(v));
        }
        return sb.toString();
    }

    private static String shape(ValueInfoProto v) {
        StringBuilder sb = new StringBuilder("[");
        v.getType().getTensorType().getShape().getDimList().forEach(d -> sb.append(sb.length() == 1 ? "" : ", ")
                .append(d.hasDimParam() ? d.getDimParam() : Long.toString(d.getDimValue())));
        return sb.append(']').toString();
    }
}
