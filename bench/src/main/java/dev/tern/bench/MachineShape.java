package dev.tern.bench;

import jdk.incubator.vector.VectorShape;

import java.util.Locale;

/**
 * The machine shape a latency baseline belongs to: the CPU architecture and the vector width
 * this JVM computes with (its preferred Vector API shape), e.g. {@code x86_64-512bit} on an
 * AVX-512 machine (AMD Zen 4/5, Intel Ice Lake server), {@code x86_64-256bit} on an AVX2 one
 * (AMD Zen 2/3, or any machine run with {@code -XX:UseAVX=2}), {@code aarch64-128bit} on NEON.
 * Tern's kernels, int8 above all, gain differently from wider vectors, so one baseline per
 * shape keeps the gate comparing like with like (docs/PERFORMANCE.md, "The regression gate").
 * scripts/perf-gate runs {@code main} with the benchmarks' JVM options and picks
 * {@code bench/baseline/ci-gate-<shape>.json}.
 */
public final class MachineShape {
    private MachineShape() {
    }

    /** This JVM's shape. */
    public static String current() {
        String arch = System.getProperty("os.arch", "unknown").toLowerCase(Locale.ROOT);
        if (arch.equals("amd64") || arch.equals("x86_64")) {
            arch = "x86_64";
        } else if (arch.equals("arm64")) {
            arch = "aarch64";
        }
        return arch + "-" + VectorShape.preferredShape().vectorBitSize() + "bit";
    }

    /** Prints {@link #current()}. */
    public static void main(String[] args) {
        System.out.println(current());
    }
}
