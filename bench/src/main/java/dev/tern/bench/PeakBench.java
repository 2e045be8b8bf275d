package dev.tern.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The measured fp32 FMA peak of one core through the Vector API: {@value #STEPS} steps of 12
 * independent FMA chains on the preferred species, all in registers. FLOPs per op:
 * 2 * 12 * lanes * STEPS (lanes: 16 with AVX-512); GFLOP/s = that / (ns per op).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class PeakBench {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int STEPS = 1000;
    public float mul = 0.999f;
    public float add = 0.001f;

    /** Lanes of the species, to turn the time into GFLOP/s. */
    public static int lanes() {
        return F.length();
    }

    @Benchmark
    public float fma() {
        FloatVector m = FloatVector.broadcast(F, mul);
        FloatVector c = FloatVector.broadcast(F, add);
        FloatVector a0 = c, a1 = c.add(1f), a2 = c.add(2f), a3 = c.add(3f), a4 = c.add(4f), a5 = c.add(5f);
        FloatVector a6 = c.add(6f), a7 = c.add(7f), a8 = c.add(8f), a9 = c.add(9f), a10 = c.add(10f), a11 = c.add(11f);
        for (int i = 0; i < STEPS; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
