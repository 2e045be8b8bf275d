package dev.tern.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Predictions as text, one canvas per line, floats as their exact bits: written by the JVM
 * runtime ({@link JvmReferenceTest}), read back by the app's tests under Robolectric.
 * A line: index, left class, its probability, right class, its probability, the present
 * flags as 0/1 characters, then every present probability.
 */
final class ReferenceFile {
    private ReferenceFile() {
    }

    /** The folder the JVM reference run writes to (a Maven system property). */
    static Path dir() {
        String d = System.getProperty("tern.sample.reference");
        if (d == null) {
            throw new IllegalStateException("system property tern.sample.reference is not set (run the tests with Maven)");
        }
        return java.nio.file.Paths.get(d);
    }

    static Path of(String model) {
        return dir().resolve(model + ".predictions");
    }

    static String line(int i, Prediction p) {
        StringBuilder b = new StringBuilder();
        b.append(i).append(' ').append(p.left).append(' ').append(bits(p.leftProbability)).append(' ').append(p.right)
                .append(' ').append(bits(p.rightProbability)).append(' ');
        for (boolean f : p.presentFlags) {
            b.append(f ? '1' : '0');
        }
        for (float v : p.present) {
            b.append(' ').append(bits(v));
        }
        return b.toString();
    }

    static void write(Path file, List<String> lines) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, lines, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static List<String> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IllegalStateException(file + " is missing: the JVM reference run (surefire's default-test execution) writes it first");
        }
        return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    /** Field k (0-based) of a line as a float from its bits. */
    static float floatAt(String line, int k) {
        return Float.intBitsToFloat(Integer.parseUnsignedInt(line.split(" ")[k], 16));
    }

    static String field(String line, int k) {
        return line.split(" ")[k];
    }

    private static String bits(float v) {
        return Integer.toHexString(Float.floatToRawIntBits(v));
    }
}
