package dev.tern.bench.models;

import dev.tern.runtime.Backend;
import dev.tern.runtime.Results;
import dev.tern.runtime.Session;
import dev.tern.runtime.SessionOptions;
import dev.tern.runtime.TaskSet;
import dev.tern.runtime.TernModel;
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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/**
 * The hard teacher (models/multifashion) in fp32 and in int8 at batch 1 (or {@code -p batch=N}), all three heads,
 * on a real test canvas (models/examples/canvas.pgm). Run from the repo root:
 * {@code java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar TeacherBench}.
 * The numbers are in docs/QUANTIZATION.md; later kernel work is measured against them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class TeacherBench {
    @Param({"models/multifashion/hard.tern", "models/multifashion/hard-int8.tern"})
    public String model;

    @Param({"scalar", "vector"})
    public String backend;

    /** Samples per run (the same canvas repeated); {@code -p batch=1,32} for the batch figures. */
    @Param({"1"})
    public int batch;

    /**
     * {@code -Dtern.fuse} for the model's plan: auto (the int8 convs followed by a max pool run the
     * fused conv + pool kernel) or never ({@code -p fuse=auto,never} compares them in one run).
     */
    @Param({"auto"})
    public String fuse;

    private Session session;
    private float[] input;
    private TaskSet all;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        System.setProperty("tern.fuse", fuse);
        TernModel m = TernModel.load(Paths.get(model), Backend.parse(backend));
        session = m.newSession(SessionOptions.defaults().withMaxBatch(batch));
        int size = m.def().inputs().get(0).sampleSize();
        float[] one = canvas(Paths.get("models/examples/canvas.pgm"), size);
        input = new float[size * batch];
        for (int s = 0; s < batch; s++) {
            System.arraycopy(one, 0, input, s * size, size);
        }
        all = m.allTasks();
    }

    /** The pixels of a binary PGM (P5, maxval 255) divided by 255, as the teachers' input spec says. */
    public static float[] canvas(Path pgm, int size) throws IOException {
        byte[] b = Files.readAllBytes(pgm);
        int pixels = b.length - size;
        if (pixels < 0 || b[0] != 'P' || b[1] != '5') {
            throw new IOException(pgm + ": expected a binary PGM of " + size + " pixels");
        }
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (b[pixels + i] & 0xff) / 255f;
        }
        return x;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        session.close();
    }

    @Benchmark
    public Results allTasks() {
        return session.run(input, all);
    }
}
