package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.compress.BadInputException;
import dev.tern.compress.TernVersion;
import dev.tern.compress.data.CanvasSet;
import dev.tern.compress.data.MultiFashion;
import dev.tern.compress.io.InputLayout;
import dev.tern.compress.io.NpyArray;
import dev.tern.compress.io.NpyDType;
import dev.tern.compress.io.NpyReader;
import dev.tern.compress.quant.ActivationStats;
import dev.tern.compress.quant.CalibrationMethod;
import dev.tern.compress.quant.Calibrator;
import dev.tern.compress.quant.Quantizer;
import dev.tern.compress.quant.Range;
import dev.tern.compress.quant.Sensitivity;
import dev.tern.compress.quant.WeightScheme;
import dev.tern.compress.tf.SavedModelImporter;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.format.TernWriter;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelDef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code tern quantize IN --data DIR --method M --out OUT.tern}: post-training int8 quantization. */
@Command(name = "quantize", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Post-training int8 quantization (TFLite's scheme: int8 activations per tensor, int8 weights "
                + "per output channel, int32 biases, fixed-point requantization).",
            "IN is a float32 .tern file or a SavedModel folder. Activation ranges are calibrated on real inputs: "
                + "Multi-Fashion training canvases built from --data (a Fashion-MNIST folder), or the rows of a .npy "
                + "array [N, ...input shape] (uint8 pixels are normalized as the input spec says, float32 taken as "
                + "normalized). With --dynamic only the weights become int8 (no data needed).",
            "--report prints, per layer quantized alone, the drop of each task's metric and the SQNR of its output, "
                + "on validation canvases held out from calibration; --budget D keeps layers in float32, most harmful "
                + "first, until no task drops by more than D (absolute, e.g. 0.005), then returns to int8 any that "
                + "the budget allows (docs/QUANTIZATION.md)."})
public final class QuantizeCommand implements Callable<Integer> {
    /** Seed of the training-canvas order calibration and validation draw from. */
    static final long CALIBRATION_SEED = 0x5EED_CA1BL;

    @Parameters(paramLabel = "IN", description = "A float32 .tern file or a SavedModel folder (never modified).")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "OUT.tern", description = "The .tern file to write (atomically).")
    Path out;

    @Option(names = "--data", paramLabel = "DIR|FILE.npy",
            description = "Calibration data: a Fashion-MNIST IDX folder (default: the repo's models/data/fashion-mnist) or a .npy array of inputs.")
    Path data;

    @Option(names = "--method", paramLabel = "M", defaultValue = "minmax",
            description = "Activation range calibration: minmax, percentile, entropy (KL) or mse (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--calib-samples", paramLabel = "N", defaultValue = "1000",
            description = "Calibration samples (default: ${DEFAULT-VALUE}).")
    int calibSamples;

    @Option(names = "--val-samples", paramLabel = "N", defaultValue = "2000",
            description = "Held-out validation canvases for --report and --budget (default: ${DEFAULT-VALUE}).")
    int valSamples;

    @Option(names = "--per-tensor", description = "One weight scale per tensor instead of one per output channel.")
    boolean perTensor;

    @Option(names = "--weight-bits", paramLabel = "7|8", defaultValue = "8",
            description = {"Weight range: 8 = [-127, 127] (default), 7 = [-63, 63]. Still stored as int8. 7-bit weights make "
                + "the ONNX export exact in ONNX Runtime on x86 CPUs without VNNI (AVX2 only, AVX-512 without VNNI), whose "
                + "u8 x s8 kernels saturate 16-bit sums of product pairs (ONNX Runtime's reduce_range; docs/ONNX.md)."})
    int weightBits;

    @Option(names = "--dynamic", description = "Weight-only int8: activations stay float32, no calibration.")
    boolean dynamic;

    @Option(names = "--budget", paramLabel = "D", description = "Largest allowed drop of any task's metric (absolute); layers are kept in float32 until it holds.")
    Double budget;

    @Option(names = "--report", description = "Per-layer sensitivity: metric drop per task and SQNR, each layer quantized alone.")
    boolean report;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CalibrationMethod m = CalibrationMethod.parse(method);
        if (calibSamples < 1) {
            throw new UsageException("--calib-samples must be at least 1, got " + calibSamples
                    + " (an empty calibration set gives no ranges)");
        }
        if (valSamples < 1) {
            throw new UsageException("--val-samples must be at least 1, got " + valSamples);
        }
        if (budget != null && !(budget >= 0 && budget < 1)) {
            throw new UsageException("--budget is an absolute metric drop in [0, 1), got " + budget);
        }
        if (weightBits != 7 && weightBits != 8) {
            throw new UsageException("--weight-bits is 7 or 8, got " + weightBits);
        }
        WeightScheme scheme = WeightScheme.of(perTensor, weightBits);
        if (dynamic && (budget != null || report)) {
            throw new UsageException("--dynamic keeps activations in float32; --report and --budget apply to full int8");
        }
        if (Files.exists(out) && Files.exists(in) && Files.isSameFile(in, out)) {
            throw new UsageException("--out is the input model " + in + "; the input is never overwritten, write elsewhere");
        }
        ModelDef def = load(in);
        Quantizer.checkQuantizable(def);
        if (Quantizer.layers(def).isEmpty()) {
            throw new BadInputException("model '" + def.name() + "' has no dense, convolution, add or concat layer: nothing to quantize");
        }
        long fp32Bytes = TernWriter.toBytes(def).length;
        Map<String, String> prov = new LinkedHashMap<>();
        prov.put("quantization.source", in.getFileName().toString());
        prov.put("quantization.weights", scheme.describe());
        prov.put("tern.version", TernVersion.version());
        PrintWriter o = spec.commandLine().getOut();
        ObjectNode j = Json.object();
        j.put("model", out.toString());
        j.put("source", in.toString());
        j.put("weights", scheme.describe());

        if (dynamic) {
            prov.put("quantization", "dynamic (weight-only int8, float32 activations)");
            ModelDef q = Quantizer.weightOnly(def, scheme, prov);
            write(q);
            j.put("mode", "dynamic");
            summary(o, j, def, q, fp32Bytes, Collections.<String>emptySet(), null, null, -1);
            return 0;
        }

        // Calibration (and validation) inputs.
        Calibrator.Samples calib;
        CanvasSet val = null;
        String source;
        if (data != null && Files.isRegularFile(data)) {
            if (budget != null || report) {
                throw new UsageException("--report and --budget need labeled canvases: give --data a Fashion-MNIST folder");
            }
            calib = npySamples(data, def.inputs().get(0), calibSamples);
            source = data + " (" + calib.size() + " rows)";
        } else {
            checkCanvasInput(def.inputs().get(0));
            CanvasSet train = new MultiFashion(DataOption.load(data)).trainEpoch(CALIBRATION_SEED, 0);
            if (calibSamples + (long) valSamples > train.size()) {
                throw new UsageException("--calib-samples + --val-samples must be at most " + train.size() + ", got "
                        + (calibSamples + (long) valSamples));
            }
            CanvasSet c = train.slice(0, calibSamples);
            calib = new Calibrator.Samples() {
                public int size() {
                    return c.size();
                }

                public void fill(int i, float[] dst, int off) {
                    c.fill(i, dst, off);
                }
            };
            val = train.slice(calibSamples, valSamples);
            source = c.name();
        }
        long t0 = System.nanoTime();
        Map<String, ActivationStats> stats = Calibrator.collect(def, calib, m != CalibrationMethod.MINMAX, !quiet && !json);
        Map<String, Range> ranges = Calibrator.ranges(def, stats, m);
        double calibSeconds = (System.nanoTime() - t0) / 1e9;
        prov.put("quantization", "static int8");
        prov.put("quantization.method", m.id());
        prov.put("quantization.calibration", source);
        j.put("mode", "static");
        j.put("method", m.id());
        j.put("calibration_samples", calib.size());
        j.put("calibration_seconds", Math.round(calibSeconds * 100) / 100.0);

        Set<String> floatLayers = new LinkedHashSet<>();
        Map<String, Double> base = null;
        List<Sensitivity.Layer> layers = null;
        if (report || budget != null) {
            base = Sensitivity.score(def, val);
            layers = Sensitivity.analyze(def, ranges, scheme, val, base);
            if (budget != null) {
                Sensitivity.Mixed mixed = Sensitivity.mixedPrecision(def, ranges, scheme, val, base, layers, budget);
                floatLayers = mixed.floatLayers;
                j.put("budget", budget);
                j.put("within_budget", mixed.withinBudget);
                if (!mixed.withinBudget) {
                    throw new BadInputException("no mix of int8 and float32 layers keeps every task within --budget " + budget
                            + " on the validation canvases (drops with every layer in float32: " + mixed.drop + ")");
                }
                prov.put("quantization.float_layers", String.join(",", floatLayers));
                prov.put("quantization.budget", budget.toString());
            }
        }
        ModelDef q = Quantizer.quantize(def, ranges, floatLayers, scheme, prov);
        TernModel.of(q); // compile once: a model that cannot run fails here
        Map<String, Double> valDrop = null;
        if (val != null && (report || budget != null)) {
            valDrop = new LinkedHashMap<>();
            Map<String, Double> got = Sensitivity.score(q, val);
            for (Map.Entry<String, Double> e : base.entrySet()) {
                valDrop.put(e.getKey(), e.getValue() - got.get(e.getKey()));
            }
        }
        write(q);
        if (layers != null) {
            ArrayNode arr = j.putArray("layers");
            for (Sensitivity.Layer l : layers) {
                ObjectNode ln = arr.addObject();
                ln.put("layer", l.name);
                ln.put("op", l.op);
                ln.put("sqnr_db", Math.round(l.sqnrDb * 100) / 100.0);
                ObjectNode d = ln.putObject("drop");
                l.drop.forEach(d::put);
                ln.put("float32", floatLayers.contains(l.name));
            }
        }
        summary(o, j, def, q, fp32Bytes, floatLayers, layers, valDrop, calibSeconds);
        return 0;
    }

    private void summary(PrintWriter o, ObjectNode j, ModelDef def, ModelDef q, long fp32Bytes, Set<String> floatLayers,
                         List<Sensitivity.Layer> layers, Map<String, Double> valDrop, double calibSeconds) throws Exception {
        long size = Files.size(out);
        j.put("size_bytes", size);
        j.put("fp32_size_bytes", fp32Bytes);
        j.put("size_ratio", Math.round(size * 10000.0 / fp32Bytes) / 10000.0);
        ArrayNode fl = j.putArray("float_layers");
        floatLayers.forEach(fl::add);
        if (valDrop != null) {
            ObjectNode d = j.putObject("validation_drop");
            valDrop.forEach(d::put);
        }
        if (json) {
            Json.print(j, o);
            o.flush();
            return;
        }
        o.printf("wrote %s: %,d bytes, %.1f%% of float32 (%,d bytes)%n", out, size, 100.0 * size / fp32Bytes, fp32Bytes);
        o.printf("  weights: %s%n", j.get("weights").asText());
        if (calibSeconds >= 0) {
            o.printf("  calibration: %s on %s samples, %.1f s%n", j.get("method").asText(), j.get("calibration_samples").asText(),
                    calibSeconds);
        } else {
            o.printf("  dynamic: int8 weights, float32 activations%n");
        }
        if (layers != null) {
            o.printf("  sensitivity (each layer alone in int8; drop of %s on %d validation canvases):%n",
                    "accuracy / micro-F1", valSamples);
            o.printf("    %-24s %-18s %9s", "layer", "op", "SQNR dB");
            for (String t : layers.get(0).drop.keySet()) {
                o.printf(" %9s", t);
            }
            o.println();
            for (Sensitivity.Layer l : layers) {
                o.printf("    %-24s %-18s %9.2f", l.name, l.op, l.sqnrDb);
                for (double d : l.drop.values()) {
                    o.printf(" %+9.4f", d);
                }
                o.println(floatLayers.contains(l.name) ? "  (kept float32)" : "");
            }
        }
        if (budget != null) {
            o.printf("  budget %.4f: %d layer(s) kept in float32%s%n", budget, floatLayers.size(),
                    floatLayers.isEmpty() ? "" : ": " + String.join(", ", floatLayers));
        }
        if (valDrop != null) {
            StringBuilder sb = new StringBuilder();
            valDrop.forEach((k, v) -> sb.append(String.format(" %s %+.4f", k, v)));
            o.printf("  validation drop vs float32:%s%n", sb);
        }
        o.printf("  measure it: tern eval %s --reference %s%n", out, in);
        o.flush();
    }

    private void write(ModelDef q) throws Exception {
        TernWriter.write(q, out);
    }

    /** A .tern file, or a SavedModel folder imported on the fly. */
    static ModelDef load(Path in) throws Exception {
        if (Files.isDirectory(in)) {
            return SavedModelImporter.importModel(in);
        }
        return ModelFiles.load(in).def();
    }

    static void checkCanvasInput(InputSpec spec) {
        int[] s = spec.sampleShape();
        if (!Arrays.equals(s, new int[] {MultiFashion.SIZE, MultiFashion.SIZE, 1})) {
            throw new BadInputException("input '" + spec.name() + "' expects " + Arrays.toString(s)
                    + " per sample; Multi-Fashion calibration canvases are [36, 36, 1]: give --data a .npy of the model's inputs");
        }
    }

    /** The first {@code max} rows of a .npy array of inputs [N, ...sample shape]. */
    static Calibrator.Samples npySamples(Path file, InputSpec spec, int max) throws Exception {
        NpyArray a = NpyReader.read(file);
        int[] sample = spec.sampleShape();
        int[] shape = a.shape();
        if (shape.length != sample.length + 1 || !Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length), sample)) {
            throw new BadInputException(file + " holds " + a + "; calibration data for input '" + spec.name()
                    + "' must be [N, " + Arrays.toString(sample).substring(1));
        }
        if (shape[0] == 0) {
            throw new BadInputException(file + " holds no samples (shape " + Arrays.toString(shape)
                    + "); the calibration set must not be empty");
        }
        float[] v = a.values();
        float[] x = a.storedAs() == NpyDType.UINT8 ? InputLayout.of(spec).normalize(v) : v;
        for (int i = 0; i < x.length; i++) {
            if (Float.isNaN(x[i]) || Float.isInfinite(x[i])) {
                throw new BadInputException(file + " holds " + x[i] + " at index " + i + "; calibration inputs must be finite");
            }
        }
        int size = spec.sampleSize();
        int n = Math.min(shape[0], max);
        return new Calibrator.Samples() {
            public int size() {
                return n;
            }

            public void fill(int i, float[] dst, int off) {
                System.arraycopy(x, i * size, dst, off, size);
            }
        };
    }
}
