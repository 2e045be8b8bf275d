package dev.tern.compress.job;

import dev.tern.compress.onnx.OnnxExporter;

import java.util.List;

/** Settings of {@link ExportJob} (ONNX export, docs/ONNX.md): the {@code tern export} options. */
public final class ExportConfig {
    public static final List<Field> FIELDS = List.of(
            Field.choice("activations", "int8", List.of("int8", "uint8"), "Element type of int8 activations in the ONNX "
                    + "graph. uint8 shifts each zero point by +128 (same scale, same real values; weights stay int8, biases "
                    + "int32): ONNX Runtime fuses u8s8 QDQ into integer kernels by default on x86, s8s8 only with "
                    + "session.qdqisint8allowed=1. No effect on models without int8 activations; the summary says so."));

    public final boolean uint8Activations;
    private final Settings settings;

    private ExportConfig(Settings s) {
        this.settings = s;
        this.uint8Activations = s.text("activations").equals("uint8");
    }

    public static ExportConfig of(Settings s) {
        return new ExportConfig(s);
    }

    public Settings settings() {
        return settings;
    }

    public OnnxExporter.Options options() {
        return OnnxExporter.Options.defaults().withUint8Activations(uint8Activations);
    }
}
