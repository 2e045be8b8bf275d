package dev.tern.compress.job;

import dev.tern.compress.BadInputException;
import dev.tern.compress.data.CanvasSet;
import dev.tern.compress.data.DataSets;
import dev.tern.compress.data.Dataset;
import dev.tern.compress.data.MultiFashion;
import dev.tern.compress.data.MultiFashionData;
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
     * any work: {@code own} true when calibration data is the user's (a .npy array, whose lack of
     * labels {@link #npy} checks, or a data set, checked when opened), false for the built-in
     * Multi-Fashion canvases.
     */
    public static void check(ModelDef def, QuantizeConfig c, boolean own) {
        Quantizer.checkQuantizable(def);
        if (Quantizer.layers(def).isEmpty()) {
            throw new BadInputException("model '" + def.name() + "' has no dense, convolution, add or concat layer: nothing to quantize");
        }
        if (c.dynamic) {
            return;
        }
        if (!own) {
            checkCanvasInput(def.inputs().get(0));
        }
    }

    /**
     * Where the calibration samples (and, for report and budget, the labeled validation
     * samples) come from; closing it closes the data set files it opened.
     */
    public record Data(Calibrator.Samples calibration, String source, Dataset validation, Long seed, Map<String, String> inputs,
                       List<Dataset> opened) implements AutoCloseable {
        @Override
        public void close() {
            opened.forEach(Dataset::close);
        }
    }

    /** Multi-Fashion training canvases (epoch 0 of {@link #CALIBRATION_SEED}): calibration, then validation. */
    public static Data canvases(MultiFashion canvases, QuantizeConfig c) {
        CanvasSet train = canvases.trainEpoch(CALIBRATION_SEED, 0);
        long need = c.calibSamples + (c.scoresValidation() ? (long) c.valSamples : 0);
        if (need > train.size()) {
            throw new BadInputException(c.settings().where("calib_samples") + (c.scoresValidation() ? " + " + c.settings().where("val_samples") : "")
                    + ": expected at most " + train.size() + " (the training canvases of the data), found " + need);
        }
        CanvasSet cs = train.slice(0, c.calibSamples);
        Dataset val = c.scoresValidation() ? new MultiFashionData(train.slice(c.calibSamples, c.valSamples)) : null;
        return new Data(samples(new MultiFashionData(cs)), cs.name(), val, CALIBRATION_SEED, Map.of(), List.of());
    }

    /** The first {@code calib_samples} rows of a .npy array of inputs (no labels: no report or budget). */
    public static Data npy(Path npy, InputSpec spec, QuantizeConfig c) throws IOException {
        if (c.scoresValidation()) {
            throw new BadInputException(c.settings().where(c.report ? "report" : "budget")
                    + ": needs labeled samples; give a data set with labels (docs/DATA.md) or a Fashion-MNIST folder, not a .npy array");
        }
        Calibrator.Samples calib = npySamples(npy, spec, c.calibSamples);
        return new Data(calib, npy.getFileName() + " (" + calib.size() + " rows)", null, null,
                Map.of(npy.getFileName().toString(), ModelInput.crc32c(Files.readAllBytes(npy))), List.of());
    }

    /**
     * A user data set (docs/DATA.md): calibration from its train split (a single .npz: the whole
     * file); validation, when report or budget need it, from its val split, else from the samples
     * after the calibration ones.
     */
    public static Data dataset(Path path, ModelDef def, QuantizeConfig c) throws IOException {
        boolean needVal = c.scoresValidation();
        InputSpec input = def.inputs().get(0);
        List<Dataset> opened = new java.util.ArrayList<>();
        try {
            Dataset train = DataSets.open(path, input, def.tasks(), DataSets.Split.TRAIN, needVal);
            opened.add(train);
            Dataset val = null;
            if (needVal && DataSets.splits(path).contains(DataSets.Split.VAL)) {
                val = DataSets.open(path, input, def.tasks(), DataSets.Split.VAL, true);
                opened.add(val);
            }
            return fromParts(train, val, c, opened);
        } catch (IOException | RuntimeException e) {
            opened.forEach(Dataset::close);
            throw e;
        }
    }

    /**
     * Calibration from {@code train}'s first {@code calib_samples}; validation (report, budget)
     * from {@code val}'s first {@code val_samples}, or when {@code val} is null from the
     * {@code val_samples} after the calibration samples. {@code opened}: what the Data closes.
     */
    public static Data fromParts(Dataset train, Dataset val, QuantizeConfig c, List<Dataset> opened) {
        Dataset calib;
        Dataset validation = null;
        if (c.scoresValidation() && val != null) {
            validation = val.head(Math.min(c.valSamples, val.size()));
            calib = train.head(Math.min(c.calibSamples, train.size()));
        } else if (c.scoresValidation()) {
            if ((long) c.calibSamples + c.valSamples > train.size()) {
                throw new BadInputException(c.settings().where("calib_samples") + " + " + c.settings().where("val_samples")
                        + ": expected at most " + train.size() + " (the samples of " + train.name() + ", " + train.split()
                        + ", which has no val split), found " + ((long) c.calibSamples + c.valSamples));
            }
            calib = train.slice(0, c.calibSamples);
            validation = train.slice(c.calibSamples, c.valSamples);
        } else {
            calib = train.head(Math.min(c.calibSamples, train.size()));
        }
        Map<String, String> inputs = new LinkedHashMap<>();
        inputs.put(train.name(), train.checksum());
        return new Data(samples(calib), calib.name() + " (" + calib.split() + ")", validation, null, inputs, opened);
    }

    private static Calibrator.Samples samples(Dataset d) {
        return new Calibrator.Samples() {
            public int size() {
                return d.size();
            }

            public void fill(int i, float[] dst, int off) {
                d.fill(i, dst, off);
            }
        };
    }

    /**
     * Quantizes {@code in}. Calibration data: Multi-Fashion training canvases of {@code canvases},
     * or, when {@code npy} is not null, the rows of that array; neither is needed with dynamic.
     */
    public static Outcome run(ModelInput in, QuantizeConfig c, MultiFashion canvases, Path npy, boolean progress)
            throws IOException {
        check(in.def(), c, npy != null);
        if (c.dynamic) {
            return run(in, c, null, progress);
        }
        try (Data d = npy != null ? npy(npy, in.def().inputs().get(0), c) : canvases(canvases, c)) {
            return run(in, c, d, progress);
        }
    }

    /** Quantizes {@code in} with calibration (and validation) samples from {@code data} (null with dynamic). */
    public static Outcome run(ModelInput in, QuantizeConfig c, Data data, boolean progress) throws IOException {
        ModelDef def = in.def();
        Quantizer.checkQuantizable(def);
        if (Quantizer.layers(def).isEmpty()) {
            throw new BadInputException("model '" + def.name() + "' has no dense, convolution, add or concat layer: nothing to quantize");
        }
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
        inputs.putAll(data.inputs());
        Calibrator.Samples calib = data.calibration();
        Dataset val = data.validation();
        String source = data.source();
        Long seed = data.seed();
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
                source + (val == null ? "" : "; validation: " + val.name() + " (" + val.split() + ")"), seed, results);
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

    /**
     * Multi-Fashion canvases fit only a model whose input is one 36x36 gray canvas: [36, 36, 1],
     * or any shape that orders the same values the same way ([1, 36, 36] NCHW, [36, 36]).
     */
    public static void checkCanvasInput(InputSpec spec) {
        int[] s = spec.sampleShape();
        if (!DataSets.sameOrder(s, new int[] {MultiFashion.SIZE, MultiFashion.SIZE, 1})) {
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
