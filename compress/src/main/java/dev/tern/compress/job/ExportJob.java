package dev.tern.compress.job;

import dev.tern.compress.onnx.OnnxExporter;
import dev.tern.compress.onnx.proto.Onnx.ModelProto;
import dev.tern.compress.onnx.proto.Onnx.ValueInfoProto;

import java.util.List;

/** ONNX export of a Tern model (opset 13; int8 as QDQ). Refuses, naming the node, before anything is written. */
public final class ExportJob {
    private ExportJob() {
    }

    /** The ONNX model; {@code risks}: int8 layers ONNX Runtime may saturate on x86 without VNNI. */
    public record Outcome(ModelProto model, boolean int8Activations, List<OnnxExporter.SaturationRisk> risks) {
    }

    public static Outcome run(ModelInput in, ExportConfig c) {
        ModelProto m = OnnxExporter.export(in.def(), c.options());
        return new Outcome(m, OnnxExporter.hasInt8Activations(in.def()), OnnxExporter.x86SaturationRisks(in.def()));
    }

    /**
     * What ONNX Runtime computes for these layers on x86 CPUs without VNNI, and the two ways to an
     * export that is exact there (docs/ONNX.md, "x86 CPUs without VNNI"). One line.
     */
    public static String saturationWarning(List<OnnxExporter.SaturationRisk> risks) {
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


    /** Values as {@code name [N, 36, 36, 1]}, comma-separated. */
    public static String names(List<ValueInfoProto> values) {
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
