package dev.tern.bench.peers;

import dev.tern.bench.models.MlpBench;
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

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The speed issue's MLP ({@link MlpBench}: 1296-512-256 + three 10-way heads, random weights)
 * at batch 1, one thread: Tern fp32 and int8 on the default backend, and ONNX Runtime Java on
 * Tern's ONNX export of the same two models (int8 as QDQ with the same scales; "-u8" as in
 * {@link TeacherPeers}).
 * {@code java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar MlpPeers}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class MlpPeers {
    @Param({"tern-f32", "tern-int8", "ort-f32", "ort-int8", "ort-int8-u8"})
    public String impl;

    private TeacherPeers.Runner runner;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        ModelDef def = MlpBench.model(impl.contains("int8"), new Random(3));
        float[] x = new float[MlpBench.WIDTHS[0]];
        Random r = new Random(4);
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        runner = TeacherPeers.Runner.of(impl, def, x, null);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        runner.close();
    }

    @Benchmark
    public Object allHeads() throws Exception {
        return runner.run();
    }
}
