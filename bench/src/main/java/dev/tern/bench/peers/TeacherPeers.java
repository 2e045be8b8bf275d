package dev.tern.bench.peers;

import dev.tern.bench.models.TeacherBench;
import dev.tern.runtime.Session;
import dev.tern.runtime.TaskSet;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.format.TernReader;
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

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/**
 * The hard teacher at batch 1, all three heads, one thread, in every runtime: Tern (the default
 * backend: vector where the JVM has it) fp32 and int8, ONNX Runtime Java on Tern's ONNX export
 * of the same two files (fp32; int8 as QDQ with int8 activations, and "-u8" with the activations
 * exported as uint8, ONNX Runtime's fast x86 int8 path), and TensorFlow Java on the SavedModel
 * the .tern was imported from. Run from the repo root:
 * {@code java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar TeacherPeers}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class TeacherPeers {
    static final String FP32 = "models/multifashion/hard.tern";
    static final String INT8 = "models/multifashion/hard-int8.tern";
    static final String SAVED_MODEL = "models/multifashion/hard";

    @Param({"tern-f32", "tern-int8", "ort-f32", "ort-int8", "ort-int8-u8", "tf-java"})
    public String impl;

    private Runner runner;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        boolean int8 = impl.contains("int8");
        ModelDef def = TernReader.read(Paths.get(int8 ? INT8 : FP32));
        float[] x = TeacherBench.canvas(Paths.get("models/examples/canvas.pgm"), def.inputs().get(0).sampleSize());
        runner = Runner.of(impl, def, x, Paths.get(SAVED_MODEL));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        runner.close();
    }

    @Benchmark
    public Object allHeads() throws Exception {
        return runner.run();
    }

    /** One of the runtimes, ready to run the model on its input. */
    interface Runner extends AutoCloseable {
        Object run() throws Exception;

        static Runner of(String impl, ModelDef def, float[] x, Path savedModel) throws Exception {
            if (impl.startsWith("tern-")) {
                TernModel m = TernModel.of(def);
                Session s = m.newSession();
                TaskSet all = m.allTasks();
                return new Runner() {
                    @Override
                    public Object run() {
                        return s.run(x, all);
                    }

                    @Override
                    public void close() {
                        s.close();
                    }
                };
            }
            if (impl.startsWith("ort-")) {
                Peers.Ort ort = new Peers.Ort(def, x, impl.endsWith("-u8"));
                return new Runner() {
                    @Override
                    public Object run() throws Exception {
                        return ort.run();
                    }

                    @Override
                    public void close() throws Exception {
                        ort.close();
                    }
                };
            }
            if (impl.equals("tf-java")) {
                if (savedModel == null) {
                    throw new IllegalArgumentException("tf-java needs a SavedModel");
                }
                Peers.Tf tf = new Peers.Tf(savedModel, def, x);
                return new Runner() {
                    @Override
                    public Object run() {
                        return tf.run();
                    }

                    @Override
                    public void close() {
                        tf.close();
                    }
                };
            }
            throw new IllegalArgumentException("unknown impl " + impl);
        }
    }
}
