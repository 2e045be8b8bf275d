package dev.tern.compress.pipeline;

import dev.tern.runtime.Session;
import dev.tern.runtime.SessionOptions;
import dev.tern.runtime.TaskSet;
import dev.tern.runtime.TernModel;

import java.io.PrintStream;
import java.nio.file.Paths;

/**
 * Batch-1 latency of one model in a JVM of its own (the pipeline starts one per model and
 * round): {@code LatencyProbe MODEL WARMUP RUNS PIXELS...}. Prints one line of {@code RUNS}
 * latencies in nanoseconds, then one line with this JVM's CPU time in nanoseconds (-1 if
 * unknown), which the pipeline subtracts from the machine's busy time (see {@link OtherCpu}). A fresh JVM per model keeps one model's JIT profile from
 * shaping another's code, as in a deployed app that runs one model.
 */
public final class LatencyProbe {
    private LatencyProbe() {
    }

    public static void main(String[] a) throws Exception {
        TernModel m = TernModel.load(Paths.get(a[0]));
        int warmup = Integer.parseInt(a[1]);
        int runs = Integer.parseInt(a[2]);
        float[] x = new float[m.def().inputs().get(0).sampleSize()];
        String[] px = a[3].split(",");
        for (int i = 0; i < x.length; i++) {
            x[i] = Float.parseFloat(px[i]);
        }
        long[] t = new long[runs];
        TaskSet all = m.allTasks();
        try (Session s = m.newSession(SessionOptions.defaults())) {
            for (int i = 0; i < warmup; i++) {
                s.run(x, all);
            }
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                s.run(x, all);
                t[i] = System.nanoTime() - t0;
            }
        }
        StringBuilder sb = new StringBuilder();
        for (long v : t) {
            sb.append(v).append(' ');
        }
        PrintStream out = System.out;
        out.println(sb.toString().trim());
        out.println(OtherCpu.selfCpuNanos());
        out.flush();
    }
}
