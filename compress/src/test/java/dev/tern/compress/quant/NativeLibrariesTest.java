package dev.tern.compress.quant;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TensorFlow Java (JavaCPP 1.5.11) and ND4J (built on JavaCPP 1.5.7, run on 1.5.11) load their
 * native libraries into one JVM and both compute; ND4J stays quiet and starts few threads.
 */
class NativeLibrariesTest {
    /** 1 + 10 and 2 + 20 in a TensorFlow graph, summed. */
    static float tensorFlowSum() {
        try (Graph g = new Graph(); Session s = new Session(g)) {
            Ops tf = Ops.create(g);
            var add = tf.math.add(tf.constant(new float[] {1f, 2f}), tf.constant(new float[] {10f, 20f}));
            try (Tensor t = s.runner().fetch(add).run().get(0)) {
                TFloat32 r = (TFloat32) t;
                return r.getFloat(0) + r.getFloat(1);
            }
        }
    }

    /** 1 + 2 + 3 + 4.5 by ND4J. */
    static double nd4jSum() {
        try (INDArray a = Nd4j.create(new float[] {1f, 2f, 3f, 4.5f})) {
            return a.sumNumber().doubleValue();
        }
    }

    @Test
    void tensorFlowAndNd4jComputeInOneJvm() {
        assertEquals(33f, tensorFlowSum());
        assertEquals(10.5, nd4jSum(), 1e-6);
        assertEquals(33f, tensorFlowSum()); // TF still works once ND4J is loaded
    }

    /**
     * In a fresh JVM (as the CLI starts: plain {@code java -cp}, plus the JavaCPP logger routed
     * through SLF4J as the CLI must do), loading both libraries writes nothing to stdout but the
     * program's own line, nothing to stderr from ND4J, SLF4J or JavaCPP, and ND4J's start adds
     * at most a few threads per core.
     */
    @Test
    void freshJvmKeepsStdoutPureAndStderrFreeOfNd4jNoise() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Dorg.bytedeco.javacpp.logger=slf4j",
                "-cp", System.getProperty("java.class.path"), Child.class.getName());
        Path out = Files.createTempFile("tern-native-out", ".txt");
        Path err = Files.createTempFile("tern-native-err", ".txt");
        try {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
            Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("child JVM did not finish in 180 s");
            }
            String stdout = Files.readString(out, StandardCharsets.UTF_8);
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), "stdout:\n" + stdout + "\nstderr:\n" + stderr);

            Matcher m = Pattern.compile("tf=33\\.0 nd4j=10\\.5 nd4jThreads=(\\d+)\n").matcher(stdout);
            assertTrue(m.matches(), "stdout must hold the child's one line only:\n" + stdout);
            int added = Integer.parseInt(m.group(1));
            int cores = Runtime.getRuntime().availableProcessors();
            assertTrue(added <= 4 * cores + 8, "ND4J started " + added + " threads on " + cores + " cores");

            List<String> noise = new ArrayList<>();
            for (String line : stderr.split("\n")) {
                if (line.contains("SLF4J") || line.contains("javacpp") || line.contains("Nd4j") || line.contains("nd4j")
                        || line.contains("Backend") || line.contains("OpenMP") || line.startsWith("INFO ")
                        || line.startsWith("Warning:")) {
                    noise.add(line);
                }
            }
            assertTrue(noise.isEmpty(), "stderr noise from ND4J/SLF4J/JavaCPP:\n" + String.join("\n", noise));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The child of {@link #freshJvmKeepsStdoutPureAndStderrFreeOfNd4jNoise}. */
    public static final class Child {
        public static void main(String[] args) throws IOException {
            float tf = tensorFlowSum();
            long before = threads();
            double nd = nd4jSum();
            long added = threads() - before;
            System.out.print("tf=" + tf + " nd4j=" + nd + " nd4jThreads=" + Math.max(0, added) + "\n");
            System.out.flush();
        }

        /** Native threads of this process (Linux), else live Java threads. */
        private static long threads() throws IOException {
            Path tasks = Path.of("/proc/self/task");
            if (Files.isDirectory(tasks)) {
                try (Stream<Path> s = Files.list(tasks)) {
                    return s.count();
                }
            }
            return Thread.activeCount();
        }
    }
}
