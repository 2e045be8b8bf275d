package dev.tern.compress.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.compress.BadInputException;
import dev.tern.runtime.Session;
import dev.tern.runtime.SessionOptions;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.format.AtomicFiles;
import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A per-layer latency lookup table, as NetAdapt (Yang et al. 2018) and AMC estimate a
 * candidate's latency without running it: each node's kernel time, measured once with the
 * runtime's own kernels on this machine ({@link Session#profileNodes}, batch 1, one thread),
 * keyed by what decides that time (the kernel, the op, the shapes of its inputs, weights and
 * output, its int and string attributes) and not by the node's name, so a layer measured in
 * one model prices the same layer in another. A model's estimate is the sum over its nodes;
 * nodes the table lacks are listed, not guessed. The table belongs to one machine, JDK and
 * backend ({@link #machine}); reading a table of another is refused.
 */
public final class LatencyTable {
    /** Version of the JSON written by {@link #write}. */
    public static final int FORMAT = 1;

    private final String machine;
    /** Key to the median nanoseconds of its kernel. */
    private final Map<String, Long> nanos = new TreeMap<>();

    public LatencyTable(String machine) {
        this.machine = machine;
    }

    /**
     * An estimate: microseconds summed over the nodes the table knows, and the keys of those it
     * does not (the estimate is then a lower bound).
     */
    public record Estimate(double micros, List<String> missing) {
        public boolean complete() {
            return missing.isEmpty();
        }
    }

    /** What the table's figures hold for: the CPU, the JDK and the backend. */
    public String machine() {
        return machine;
    }

    /** Entries known. */
    public int size() {
        return nanos.size();
    }

    /** This machine's key for models planned by {@code m}'s backend. */
    public static String machineOf(TernModel m) {
        return cpuName() + "; " + System.getProperty("os.arch") + "; JDK " + System.getProperty("java.version") + "; "
                + m.backend().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The CPU's model name from /proc/cpuinfo (Linux), else "unknown CPU". */
    static String cpuName() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the name stays unknown
        }
        return "unknown CPU";
    }

    /**
     * The key of every node of {@code m}, in graph order: kernel, op, per-sample shapes of its
     * inputs (values and weights, with the weights' element type) and output, and its int,
     * int[] and string attributes in name order. Quantization parameters (float scales and
     * multipliers, int zero points) do not change the time and are left out: two int8 models of
     * one architecture share their keys.
     */
    public static List<String> keys(TernModel m) {
        ModelDef def = m.def();
        List<String> kernels = new ArrayList<>(m.kernels().values());
        List<String> out = new ArrayList<>();
        for (int i = 0; i < def.nodes().size(); i++) {
            Node n = def.nodes().get(i);
            StringBuilder k = new StringBuilder(kernels.get(i)).append('|').append(n.op().id()).append('|');
            for (String in : n.inputs()) {
                Tensor t = def.tensor(in);
                k.append(t != null ? t.dtype().name().toLowerCase(java.util.Locale.ROOT) + Arrays.toString(t.shape())
                        : Arrays.toString(def.shapeOf(in))).append(' ');
            }
            k.append("->").append(Arrays.toString(def.shapeOf(n.output()))).append('|');
            Attributes a = n.attributes();
            TreeSet<String> names = new TreeSet<>();
            a.keys().forEach(names::add);
            for (String name : names) {
                if (name.contains("zero_point")) {
                    continue; // a quantization parameter: the kernel (in the key) is what its value could change
                }
                Object v = a.get(name);
                if (v instanceof int[]) {
                    k.append(name).append('=').append(Arrays.toString((int[]) v)).append(';');
                } else if (v instanceof Integer || v instanceof String) {
                    k.append(name).append('=').append(v).append(';');
                }
            }
            out.add(k.toString());
        }
        return out;
    }

    /**
     * Profiles {@code m} at batch 1 on one thread ({@code warmup} untimed and {@code runs}
     * timed runs of every node on {@code input}) and records each node's median under its key;
     * a key seen before keeps the lower of the two medians (the one less disturbed).
     */
    public void measure(TernModel m, float[] input, int warmup, int runs) {
        checkMachine(m);
        long[] p50;
        try (Session s = m.newSession(SessionOptions.defaults().withThreads(1))) {
            p50 = s.profileNodes(input, m.allTasks(), warmup, runs);
        }
        List<String> keys = keys(m);
        for (int i = 0; i < p50.length; i++) {
            if (p50[i] >= 0) {
                nanos.merge(keys.get(i), p50[i], Math::min);
            }
        }
    }

    /** The sum of {@code m}'s nodes' medians from the table, and the nodes it lacks. */
    public Estimate estimate(TernModel m) {
        checkMachine(m);
        long sum = 0;
        List<String> missing = new ArrayList<>();
        for (String k : keys(m)) {
            Long t = nanos.get(k);
            if (t == null) {
                missing.add(k);
            } else {
                sum += t;
            }
        }
        return new Estimate(sum / 1e3, List.copyOf(missing));
    }

    /**
     * Median microseconds of a whole run of {@code m} at batch 1 on one thread: what an
     * estimate is checked against.
     */
    public static double measureWhole(TernModel m, float[] input, int warmup, int runs) {
        long[] t = new long[runs];
        try (Session s = m.newSession(SessionOptions.defaults().withThreads(1))) {
            for (int r = -warmup; r < runs; r++) {
                long t0 = System.nanoTime();
                s.run(input, m.allTasks());
                if (r >= 0) {
                    t[r] = System.nanoTime() - t0;
                }
            }
        }
        Arrays.sort(t);
        return t[(runs - 1) / 2] / 1e3;
    }

    private void checkMachine(TernModel m) {
        String here = machineOf(m);
        if (!here.equals(machine)) {
            throw new BadInputException("latency table of '" + machine + "' cannot price a model here ('" + here + "')");
        }
    }

    /** Writes the table as JSON, atomically. */
    public void write(Path file) throws IOException {
        ObjectMapper om = new ObjectMapper();
        ObjectNode j = om.createObjectNode();
        j.put("format", FORMAT);
        j.put("machine", machine);
        ObjectNode e = j.putObject("nanos");
        nanos.forEach(e::put);
        AtomicFiles.write(file, om.writerWithDefaultPrettyPrinter().writeValueAsBytes(j));
    }

    /** Reads a table written by {@link #write}; a missing file is an empty table for {@code machine}. */
    public static LatencyTable read(Path file, String machine) throws IOException {
        LatencyTable t = new LatencyTable(machine);
        if (!Files.exists(file)) {
            return t;
        }
        JsonNode j = new ObjectMapper().readTree(file.toFile());
        if (j == null || j.path("format").asInt() != FORMAT || !j.path("nanos").isObject()) {
            throw new BadInputException(file + ": not a latency table of format " + FORMAT);
        }
        if (!machine.equals(j.path("machine").asText())) {
            throw new BadInputException(file + ": a latency table of '" + j.path("machine").asText() + "', not of this machine ('"
                    + machine + "'); measure it here");
        }
        Map<String, Long> read = new LinkedHashMap<>();
        j.get("nanos").fields().forEachRemaining(e -> read.put(e.getKey(), e.getValue().asLong()));
        t.nanos.putAll(read);
        return t;
    }
}
