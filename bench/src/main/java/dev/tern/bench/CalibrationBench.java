package dev.tern.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The machine's yardstick for {@code tern gate}: a fixed float workload (a 256 x 256
 * matrix-vector product over packed rows, the shape of the runtime's scalar dense kernel)
 * run in the same JMH session as the model benchmarks. The gate divides every score by this
 * one, so a slower or busier machine is not mistaken for a slower Tern.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CalibrationBench {
    static final int N = 256;
    private float[][] rows;
    private float[] x;
    private float[] acc;

    @Setup
    public void setUp() {
        Random r = new Random(1);
        rows = new float[N][N];
        for (float[] row : rows) {
            for (int i = 0; i < N; i++) {
                row[i] = r.nextFloat() - 0.5f;
            }
        }
        x = new float[N];
        for (int i = 0; i < N; i++) {
            x[i] = r.nextFloat();
        }
        acc = new float[N];
    }

    @Benchmark
    public float[] matVec() {
        java.util.Arrays.fill(acc, 0f);
        for (int i = 0; i < N; i++) {
            float xv = x[i];
            float[] row = rows[i];
            for (int o = 0; o < N; o++) {
                acc[o] += xv * row[o];
            }
        }
        return acc;
    }
}
