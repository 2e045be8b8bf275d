package dev.tern.bench.peers;

import dev.tern.compress.onnx.OnnxImporter;
import dev.tern.runtime.format.TernReader;
import dev.tern.runtime.Session;
import dev.tern.runtime.TaskSet;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.ModelDef;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Imported torchvision models (compress's test fixtures, models/families: random weights, input
 * 3 x 64 x 64) at batch 1 on one thread: Tern fp32 and int8 ({@code tern quantize}, min-max on
 * 64 random inputs) against ONNX Runtime Java fp32 on the same ONNX file and int8 on Tern's QDQ
 * export of the int8 model with uint8 activations (ONNX Runtime's fast x86 path; Java has no ONNX
 * quantizer). {@code scripts/family-bench} writes the files ({@link FamilyFiles}, then tern import
 * and quantize) and runs this from the repo root.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class FamilyPeers {
    static final String FIXTURES = "compress/src/test/resources/families/";

    @Param({"mobilenet_v2", "resnet18"})
    public String family;

    @Param({"tern-f32", "tern-int8", "ort-f32", "ort-int8-u8"})
    public String impl;

    private Session session;
    private TaskSet all;
    private float[] x;
    private Peers.Ort ort;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path dir = Paths.get("bench/target/families");
        Path onnxFile = dir.resolve(family + ".onnx");
        Path int8File = dir.resolve(family + "-int8.tern");
        if (!Files.exists(onnxFile) || !Files.exists(int8File)) {
            throw new IllegalStateException(int8File + " is missing: run scripts/family-bench (it writes the files, then runs this)");
        }
        byte[] onnx = Files.readAllBytes(onnxFile);
        ModelDef def = OnnxImporter.importBytes(onnx, family + ".onnx", null).model;
        int[] sample = def.inputs().get(0).sampleShape();
        x = random(new Random(11), def.inputs().get(0).sampleSize());
        long[] shape = new long[sample.length + 1];
        shape[0] = 1;
        for (int i = 0; i < sample.length; i++) {
            shape[i + 1] = sample[i];
        }
        if (impl.equals("ort-f32")) {
            ort = new Peers.Ort(onnx, shape, x);
            return;
        }
        ModelDef run = impl.contains("int8") ? TernReader.read(int8File) : def;
        if (impl.startsWith("ort-")) {
            ort = new Peers.Ort(run, x, true);
            return;
        }
        TernModel m = TernModel.of(run);
        session = m.newSession();
        all = m.allTasks();
    }

    static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (session != null) {
            session.close();
        }
        if (ort != null) {
            ort.close();
        }
    }

    @Benchmark
    public Object batch1() throws Exception {
        return ort != null ? ort.run() : session.run(x, all);
    }
}
