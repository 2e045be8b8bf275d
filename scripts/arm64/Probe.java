import dev.tern.runtime.Backend;
import dev.tern.runtime.Session;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.ValueType;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Random;

/**
 * What the ARM64 log must show (run by scripts/arm64-test under the emulated JDK): the
 * architecture, the backend Tern picks and its vector size, and the int8 golden model's
 * output bytes on every backend compared with the x86 recording.
 * Usage: java -cp CORE:VECTOR --add-modules jdk.incubator.vector Probe.java GOLDEN_DIR
 * (or Probe.java b2i-canary: see {@link B2ICanary})
 */
public class Probe {
    public static void main(String[] a) throws Exception {
        if (a[0].equals("b2i-canary")) {
            B2ICanary.main(a);
            return;
        }
        Path dir = Paths.get(a[0]);
        System.out.println("os.arch=" + System.getProperty("os.arch") + " java.version=" + System.getProperty("java.version")
                + " vm=" + System.getProperty("java.vm.name"));
        System.out.println("default backend=" + TernModel.defaultBackend().id() + "; vector backend: " + TernModel.vectorBackendStatus());
        int bits = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        System.out.println("preferred vector size=" + bits + " bits (" + bits / 32 + " float lanes); os.arch="
                + System.getProperty("os.arch"));
        byte[] file = Files.readAllBytes(dir.resolve("all-ops-int8-1.1.tern"));
        String[] expected = new String(Files.readAllBytes(dir.resolve("all-ops-int8-1.1.expected")), StandardCharsets.US_ASCII)
                .trim().split("\n");
        boolean all = true;
        for (Backend b : new Backend[] {Backend.REFERENCE, Backend.SCALAR, Backend.VECTOR}) {
            TernModel m;
            try {
                m = TernModel.load(ByteBuffer.wrap(file), b);
            } catch (RuntimeException e) {
                System.out.println("backend " + b.id() + ": not available here (" + e.getMessage() + ")");
                continue;
            }
            int same = 0;
            long bytes = 0;
            Random rnd = new Random(11);
            try (Session s = m.newSession()) {
                for (int i = 0; i < expected.length; i++) {
                    float[] in = dev.tern.runtime.model.ModelBuilder.random(rnd, m.def().inputs().get(0).sampleSize(), 1.5f);
                    s.run(in);
                    StringBuilder sb = new StringBuilder();
                    for (String v : new String[] {"left_fc", "cat2", "r_relu6"}) {
                        ValueType t = m.def().typeOf(v + "__q");
                        for (float f : s.output(v, 0)) {
                            int q = Math.round(f / t.scale()) + t.zeroPoint();
                            sb.append(sb.length() == 0 ? "" : " ").append(String.format("%02x", q & 0xff));
                            bytes++;
                        }
                    }
                    same += sb.toString().equals(expected[i].trim()) ? 1 : 0;
                }
            }
            all &= same == expected.length;
            System.out.println("int8 golden outputs, backend " + b.id() + " " + m.kernels().values().stream().distinct().count()
                    + " kernels: " + same + "/" + expected.length + " inputs byte-identical to the x86 recording (" + bytes + " bytes)");
        }
        if (!all) {
            System.out.println("FAILED: int8 outputs differ from the x86 recording");
            System.exit(1);
        }
        // Warm the vector kernels until C2 compiles them: arm64-test runs this probe with
        // -XX:+PrintIntrinsics and fails on any vector operation C2 could not intrinsify
        // (such as B2I on JDK 17 aarch64, about 45x slower than scalar code). Also prints the
        // vector/scalar time ratio on each golden model, for the log (emulated: not a Pi's speed).
        for (String name : new String[] {"all-ops-1.0.tern", "all-ops-int8-1.1.tern", "sparse-int8-1.2.tern"}) {
            byte[] bytes = Files.readAllBytes(dir.resolve(name));
            double[] perRun = new double[2];
            Backend[] backends = {Backend.SCALAR, Backend.VECTOR};
            for (int k = 0; k < 2; k++) {
                TernModel m = TernModel.load(ByteBuffer.wrap(bytes), backends[k]);
                Random rnd = new Random(5);
                float[] in = dev.tern.runtime.model.ModelBuilder.random(rnd, m.def().inputs().get(0).sampleSize(), 1.5f);
                try (Session s = m.newSession()) {
                    for (int i = 0; i < WARM_RUNS; i++) {
                        s.run(in);
                    }
                    long t0 = System.nanoTime();
                    for (int i = 0; i < TIMED_RUNS; i++) {
                        s.run(in);
                    }
                    perRun[k] = (System.nanoTime() - t0) / 1e3 / TIMED_RUNS;
                }
            }
            System.out.printf("warm %s: scalar %.1f us/run, vector %.1f us/run under emulation (vector/scalar %.2f)%n", name,
                    perRun[0], perRun[1], perRun[1] / perRun[0]);
        }
    }

    static final int WARM_RUNS = 4000;
    static final int TIMED_RUNS = 1000;

    /**
     * The check of the check: a loop of byte-to-int vector casts (B2I), which C2 on JDK 17
     * aarch64 cannot intrinsify; arm64-test expects -XX:+PrintIntrinsics to report it.
     */
    static final class B2ICanary {
        // static finals, as in the kernels: C2 needs the species as constants to intrinsify
        static final jdk.incubator.vector.VectorSpecies<Integer> ints = jdk.incubator.vector.IntVector.SPECIES_128;
        static final jdk.incubator.vector.VectorSpecies<Byte> bytes = jdk.incubator.vector.ByteVector.SPECIES_64;

        public static void main(String[] a) {
            byte[] x = new byte[1024];
            int[] y = new int[1024];
            long sink = 0;
            // long enough for C2 (itself emulated, so slow) to compile the loop and report
            long end = System.nanoTime() + 10_000_000_000L;
            for (int r = 0; r < 3000 || System.nanoTime() < end; r++) {
                for (int i = 0; i + bytes.length() <= x.length; i += bytes.length()) {
                    ((jdk.incubator.vector.IntVector) jdk.incubator.vector.ByteVector.fromArray(bytes, x, i)
                            .convertShape(jdk.incubator.vector.VectorOperators.B2I, ints, 0)).intoArray(y, i);
                }
                sink += y[r & 1023];
            }
            System.out.println("B2I canary done (sink " + sink + ")");
        }
    }
}
