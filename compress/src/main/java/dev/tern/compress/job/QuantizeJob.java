package dev.tern.compress.job;

import dev.tern.compress.BadInputException;
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
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelDef;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Post-training int8 quantization (docs/QUANTIZATION.md): calibrates activation ranges on
 * real inputs, optionally measures each layer's sensitivity and keeps the most harmful
 * layers in float32 until a budget holds, and returns the int8 model with its provenance.
 */
public final class QuantizeJob {
    /** Seed of the training-canvas order calibration and validation draw from. */
    public static final long CALIBRATION_SEED = 0x5EED_CA1BL;

    private QuantizeJob() {
    }

    /** What the job made. {@code layers}, {@code validationDrop}: null unless report or budget. */
    public record Outcome(ModelDef model, TernModel compiled, Provenance.Step step, String calibration, int calibrationSamples,
                          double calibrationSeconds, Set<String> floatLayers, List<Sensitivity.Layer> layers,
                          Map<String, Double> validationDrop) {
    }

    /**
     * Checks that {@code def} can be quantized with {@code c} and data of this kind, before
     * any work: {@code npy} true when calibration data is a .npy array (no labels).
     */
    public static void check(ModelDef def, QuantizeConfig c, boolean npy) {
        Quantizer.checkQuantizable(def);
        if (Quantizer.layers(def).isEmpty()) {
            throw new BadInputException("model '" + def.name() + "' has no dense, convolution, add or concat layer: nothing to quantize");
        }
        if (c.dynamic) {
            return;
        }
        if (npy && c.scoresValidation()) {
            throw new BadInputException(c.settings().where(c.report ? "report" : "budget")
                    + ": needs labeled canvases; give a Fashion-MNIST data folder, not a .npy array");
        }
        if (!npy) {
            checkCanvasInput(def.inputs().get(0));
        }
    }

    /**
     * Quantizes {@code in}. Calibration data: Multi-Fashion training canvases of {@code canvases},
     * or, when {@code npy} is not null, the rows of that array; neither is needed with dynamic.
     */
    public static Outcome run(ModelInput in, QuantizeConfig c, MultiFashion canvases, Path npy, boolean progress)
            throws IOException {
        ModelDef def = in.def();
        check(def, c, npy != null);
        WeightScheme scheme = c.scheme();
        Map<String, String> inputs = new LinkedHashMap<>();
        inputs.put(in.name(), in.checksum());
        if (c.dynamic) {
            ModelDef q = Quantizer.weightOnly(def, scheme);
            Provenance.Step step = Provenance.Step.of("quantize", c.settings().values(), inputs, null, null,
                    Map.of("weights", scheme.describe(), "activations", "float32 (dynamic)"));
            q = Provenance.append(q, step);
            return new Outcome(q, null, step, null, 0, -1, Set.of(), null, null);
        }
        Calibrator.Samples calib;
        CanvasSet val = null;
        String source;
        Long seed = null;
        if (npy != null) {
            calib = npySamples(npy, def.inputs().get(0), c.calibSamples);
            source = npy.getFileName() + " (" + calib.size() + " rows)";
            inputs.put(npy.getFileName().toString(), ModelInput.crc32c(Files.readAllBytes(npy)));
        } else {
            CanvasSet train = canvases.trainEpoch(CALIBRATION_SEED, 0);
            long need = c.calibSamples + (c.scoresValidation() ? (long) c.valSamples : 0);
            if (need > train.size()) {
                throw new BadInputException(c.settings().where("calib_samples") + (c.scoresValidation() ? " + val_samples" : "")
                        + ": expected at most " + train.size() + " (the training canvases of the data), found " + need);
            }
            CanvasSet cs = train.slice(0, c.calibSamples);
            calib = new Calibrator.Samples() {
                public int size() {
                    return cs.size();
                }

                public void fill(int i, float[] dst, int off) {
                    cs.fill(i, dst, off);
                }
            };
            if (c.scoresValidation()) {
                val = train.slice(c.calibSamples, c.valSamples);
            }
            source = cs.name();
            seed = CALIBRATION_SEED;
        }
        long t0 = System.nanoTime();
        Map<String, ActivationStats> stats = Calibrator.collect(def, calib, c.method != CalibrationMethod.MINMAX, progress);
        Map<String, Range> ranges = Calibrator.ranges(def, stats, c.method);
        double calibSeconds = (System.nanoTime() - t0) / 1e9;

        Set<String> floatLayers = new LinkedHashSet<>();
        Map<String, Double> base = null;
        List<Sensitivity.Layer> layers = null;
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("weights", scheme.describe());
        if (val != null) {
            base = Sensitivity.score(def, val);
            layers = Sensitivity.analyze(def, ranges, scheme, val, base);
            if (c.budget != null) {
                Sensitivity.Mixed mixed = Sensitivity.mixedPrecision(def, ranges, scheme, val, base, layers, c.budget);
                floatLayers = mixed.floatLayers;
                if (!mixed.withinBudget) {
                    throw new BadInputException("no mix of int8 and float32 layers keeps every task within budget " + c.budget
                            + " on the validation canvases (drops with every layer in float32: " + mixed.drop + ")");
                }
                results.put("float_layers", List.copyOf(floatLayers));
            }
        }
        ModelDef q = Quantizer.quantize(def, ranges, floatLayers, scheme);
        Provenance.Step step = Provenance.Step.of("quantize", c.settings().values(), inputs,
                source + (val == null ? "" : "; validation: " + val.name()), seed, results);
        q = Provenance.append(q, step);
        TernModel compiled = TernModel.of(q); // compiled once: a model that cannot run fails here, and it is scored as is
        Map<String, Double> valDrop = null;
        if (val != null) {
            valDrop = new LinkedHashMap<>();
            Map<String, Double> got = Sensitivity.score(compiled, val);
            for (Map.Entry<String, Double> e : base.entrySet()) {
                valDrop.put(e.getKey(), e.getValue() - got.get(e.getKey()));
            }
        }
        return new Outcome(q, compiled, step, source, calib.size(), calibSeconds, floatLayers, layers, valDrop);
    }

    /** Multi-Fashion calibration canvases fit only a model whose input is one [36, 36, 1] canvas. */
    public static void checkCanvasInput(InputSpec spec) {
        int[] s = spec.sampleShape();
        if (!Arrays.equals(s, new int[] {MultiFashion.SIZE, MultiFashion.SIZE, 1})) {
            throw new BadInputException("input '" + spec.name() + "' expects " + Arrays.toString(s)
                    + " per sample; Multi-Fashion calibration canvases are [36, 36, 1]: give --data a .npy of the model's inputs");
        }
    }

    /** The first {@code max} rows of a .npy array of inputs [N, ...sample shape]. */
    static Calibrator.Samples npySamples(Path file, InputSpec spec, int max) throws IOException {
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
