package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.compress.data.DataSets;
import dev.tern.compress.data.MultiFashion;
import dev.tern.compress.job.ModelInput;
import dev.tern.compress.job.QuantizeConfig;
import dev.tern.compress.job.QuantizeJob;
import dev.tern.compress.quant.Sensitivity;
import dev.tern.runtime.format.TernWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code tern quantize IN --out OUT.tern [options of QuantizeConfig]}: post-training int8 ({@link QuantizeJob}). */
@Command(name = "quantize", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, modelTransformer = QuantizeCommand.Fields.class,
        description = {"Post-training int8 quantization (TFLite's scheme: int8 activations per tensor, int8 weights "
                + "per output channel, int32 biases, fixed-point requantization).",
            "IN is a float32 .tern file or a SavedModel folder. Activation ranges are calibrated on real inputs: "
                + "Multi-Fashion training canvases built from --data (a Fashion-MNIST folder), or the rows of a .npy "
                + "array [N, ...input shape] (uint8 pixels are normalized as the input spec says, float32 taken as "
                + "normalized). With --dynamic only the weights become int8 (no data needed).",
            "--report prints, per layer quantized alone, the drop of each task's metric and the SQNR of its output, "
                + "on validation canvases held out from calibration; --budget D keeps layers in float32, most harmful "
                + "first, until no task drops by more than D (absolute, e.g. 0.005), then returns to int8 any that "
                + "the budget allows (docs/QUANTIZATION.md). Every option is also a field of a recipe's quantize stage."})
public final class QuantizeCommand implements Callable<Integer> {
    /** Adds the options of {@link QuantizeConfig#FIELDS}. */
    public static final class Fields implements IModelTransformer {
        public CommandSpec transform(CommandSpec spec) {
            return JobOptions.add(spec, QuantizeConfig.FIELDS);
        }
    }

    @Parameters(paramLabel = "IN", description = "A float32 .tern file or a SavedModel folder (never modified).")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "OUT.tern", description = "The .tern file to write (atomically).")
    Path out;

    @Option(names = "--data", paramLabel = "PATH",
            description = "Calibration data: a Fashion-MNIST IDX folder (default: the repo's models/data/fashion-mnist; "
                + "training canvases), a .npy array of inputs, or a data set (docs/DATA.md: an .npz, a folder of "
                + "train/val/test .npz, an image folder with labels.csv; its train split, validation from its val split).")
    Path data;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        QuantizeConfig c = QuantizeConfig.of(JobOptions.read(spec, QuantizeConfig.FIELDS));
        ModelFiles.checkOutput(out, in);
        ModelInput model = ModelInput.read(in);
        boolean npy = data != null && Files.isRegularFile(data) && data.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".npy");
        // a missing path is checked where it is read, after the model's own checks
        boolean builtIn = data == null || (Files.exists(data) ? DataSets.kind(data) == DataSets.Kind.MULTI_FASHION
                : !data.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".npz"));
        QuantizeJob.Outcome r;
        if (c.dynamic) {
            QuantizeJob.check(model.def(), c, false);
            r = QuantizeJob.run(model, c, null, !quiet && !json);
        } else {
            QuantizeJob.check(model.def(), c, npy || !builtIn);
            try (QuantizeJob.Data d = npy ? QuantizeJob.npy(data, model.def().inputs().get(0), c)
                    : builtIn ? QuantizeJob.canvases(new MultiFashion(DataOption.load(data)), c)
                    : QuantizeJob.dataset(data, model.def(), c)) {
                r = QuantizeJob.run(model, c, d, !quiet && !json);
            }
        }
        TernWriter.write(r.model(), out);
        long size = Files.size(out);
        long fp32Bytes = TernWriter.toBytes(model.def()).length;
        ObjectNode j = Json.object();
        j.put("model", out.toString());
        j.put("source", in.toString());
        j.put("weights", c.scheme().describe());
        j.put("mode", c.dynamic ? "dynamic" : "static");
        if (!c.dynamic) {
            j.put("method", c.method.id());
            j.put("calibration_samples", r.calibrationSamples());
            j.put("calibration_seconds", Math.round(r.calibrationSeconds() * 100) / 100.0);
        }
        if (c.budget != null) {
            j.put("budget", c.budget);
            j.put("within_budget", true);
        }
        if (r.layers() != null) {
            ArrayNode arr = j.putArray("layers");
            for (Sensitivity.Layer l : r.layers()) {
                ObjectNode ln = arr.addObject().put("layer", l.name).put("op", l.op).put("sqnr_db", Math.round(l.sqnrDb * 100) / 100.0);
                l.drop.forEach(ln.putObject("drop")::put);
                ln.put("float32", r.floatLayers().contains(l.name));
            }
        }
        j.put("size_bytes", size);
        j.put("fp32_size_bytes", fp32Bytes);
        j.put("size_ratio", Math.round(size * 10000.0 / fp32Bytes) / 10000.0);
        r.floatLayers().forEach(j.putArray("float_layers")::add);
        if (r.validationDrop() != null) {
            r.validationDrop().forEach(j.putObject("validation_drop")::put);
        }
        PrintWriter o = spec.commandLine().getOut();
        if (json) {
            Json.print(j, o);
        } else {
            summary(o, c, r, size, fp32Bytes);
        }
        o.flush();
        return 0;
    }

    private void summary(PrintWriter o, QuantizeConfig c, QuantizeJob.Outcome r, long size, long fp32Bytes) {
        o.printf("wrote %s: %,d bytes, %.1f%% of float32 (%,d bytes)%n", out, size, 100.0 * size / fp32Bytes, fp32Bytes);
        o.printf("  weights: %s%n", c.scheme().describe());
        if (c.dynamic) {
            o.printf("  dynamic: int8 weights, float32 activations%n");
        } else {
            o.printf("  calibration: %s on %d samples, %.1f s%n", c.method.id(), r.calibrationSamples(), r.calibrationSeconds());
        }
        if (r.layers() != null) {
            o.printf("  sensitivity (each layer alone in int8; drop of %s on %d validation canvases):%n", "accuracy / micro-F1", c.valSamples);
            o.printf("    %-24s %-18s %9s", "layer", "op", "SQNR dB");
            r.layers().get(0).drop.keySet().forEach(t -> o.printf(" %9s", t));
            o.println();
            for (Sensitivity.Layer l : r.layers()) {
                o.printf("    %-24s %-18s %9.2f", l.name, l.op, l.sqnrDb);
                l.drop.values().forEach(d -> o.printf(" %+9.4f", d));
                o.println(r.floatLayers().contains(l.name) ? "  (kept float32)" : "");
            }
        }
        if (c.budget != null) {
            o.printf("  budget %.4f: %d layer(s) kept in float32%s%n", c.budget, r.floatLayers().size(),
                    r.floatLayers().isEmpty() ? "" : ": " + String.join(", ", r.floatLayers()));
        }
        if (r.validationDrop() != null) {
            StringBuilder sb = new StringBuilder();
            r.validationDrop().forEach((k, v) -> sb.append(String.format(" %s %+.4f", k, v)));
            o.printf("  validation drop vs float32:%s%n", sb);
        }
        o.printf("  measure it: tern eval %s --reference %s%n", out, in);
    }
}
