package dev.tern.bench.kernels;

import dev.tern.runtime.Backend;
import dev.tern.runtime.PlanOptions;
import dev.tern.runtime.Results;
import dev.tern.runtime.Session;
import dev.tern.runtime.SessionOptions;
import dev.tern.runtime.TaskSet;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Tensor;
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

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Sparse against dense Dense kernels on the same unstructured-pruned weights, batch 1: where
 * sparsity starts to pay (docs/KERNELS.md, docs/PRUNING.md). {@code kernel=dense} forces the
 * dense kernel ({@code PlanOptions.Sparse.NEVER}, as {@code -Dtern.sparse=never}), {@code sparse}
 * the sparse one ({@code ALWAYS}).
 * Run: {@code java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar SparseBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class SparseBench {
    /** The teacher's hidden Dense. */
    @Param({"dense-5184-256"})
    public String shape;

    @Param({"0.5", "0.7", "0.8", "0.9", "0.95"})
    public double sparsity;

    @Param({"f32", "int8"})
    public String dtype;

    @Param({"scalar", "vector"})
    public String backend;

    @Param({"dense", "sparse"})
    public String kernel;

    private Session session;
    private TaskSet all;
    private float[] input;

    @Setup(Level.Trial)
    public void setUp() {
        ModelDef def = pruned(KernelBench.model(shape, dtype.equals("int8"), new Random(7)), sparsity, new Random(9));
        TernModel m = TernModel.of(def, Backend.parse(backend), PlanOptions.defaults()
                .withSparse(kernel.equals("sparse") ? PlanOptions.Sparse.ALWAYS : PlanOptions.Sparse.NEVER));
        String chosen = m.kernels().get("op");
        if (chosen == null || chosen.contains("sparse") != kernel.equals("sparse")) {
            throw new IllegalStateException("asked for the " + kernel + " kernel, the plan chose " + m.kernels());
        }
        session = m.newSession(SessionOptions.defaults());
        all = m.allTasks();
        input = new float[def.inputs().get(0).sampleSize()];
        Random r = new Random(8);
        for (int i = 0; i < input.length; i++) {
            input[i] = r.nextFloat();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        session.close();
    }

    @Benchmark
    public Results run() {
        return session.run(input, all);
    }

    /** {@code def} with a random {@code sparsity} of the weights "w" zeroed (unstructured pruning). */
    static ModelDef pruned(ModelDef def, double sparsity, Random rnd) {
        List<Tensor> ts = new ArrayList<>();
        for (Tensor t : def.tensors().values()) {
            if (!t.name().equals("w")) {
                ts.add(t);
            } else if (t.dtype() == DType.FLOAT32) {
                float[] w = t.floats();
                for (int i = 0; i < w.length; i++) {
                    w[i] = rnd.nextDouble() < sparsity ? 0f : w[i];
                }
                ts.add(Tensor.ofFloats(t.name(), t.shape(), w));
            } else {
                byte[] w = t.int8s();
                for (int i = 0; i < w.length; i++) {
                    w[i] = rnd.nextDouble() < sparsity ? 0 : w[i];
                }
                ts.add(Tensor.ofInt8(t.name(), t.shape(), w, t.quant()));
            }
        }
        return new ModelDef(def.name(), def.inputs(), ts, def.nodes(), def.tasks(), def.outputs(), def.provenance());
    }
}
