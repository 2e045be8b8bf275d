package dev.tern.bench.models;

import dev.tern.runtime.Backend;
import dev.tern.runtime.Results;
import dev.tern.runtime.Session;
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

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Batch-1 latency of a whole model per backend, all tasks and one task. Default model:
 * the committed example; pass {@code -p model=PATH} for another. Run from the repo root:
 * {@code java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar ExampleModelBench -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ExampleModelBench {
    @Param({"models/examples/tiny-multitask.tern"})
    public String model;

    @Param({"reference", "scalar", "vector"})
    public String backend;

    private Session session;
    private float[] input;
    private TaskSet all;
    private TaskSet one;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path path = Paths.get(model);
        TernModel m = TernModel.load(path, Backend.parse(backend));
        session = m.newSession();
        input = new float[m.def().inputs().get(0).sampleSize()];
        Random rnd = new Random(42);
        for (int i = 0; i < input.length; i++) {
            input[i] = rnd.nextFloat();
        }
        all = m.allTasks();
        one = m.taskSet(m.tasks().get(0).name());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        session.close();
    }

    @Benchmark
    public Results allTasks() {
        return session.run(input, all);
    }

    @Benchmark
    public Results oneTask() {
        return session.run(input, one);
    }
}
