package dev.tern.compress.gate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.compress.BadInputException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One benchmark result of a JMH JSON file ({@code -rf json}): name, parameters, mode, score and
 * error, and the measurement iterations of each fork ({@code primaryMetric.rawData}).
 */
public final class JmhResult {
    public final String benchmark;
    public final Map<String, String> params;
    public final String mode;
    /** JMH's score: the mean over every iteration of every fork. */
    public final double score;
    /** JMH's score error (99.9% confidence half-width over all iterations). */
    public final double error;
    public final String unit;
    /** Per fork, its measurement iterations; empty when the file has no rawData. */
    final List<double[]> forks;

    JmhResult(String benchmark, Map<String, String> params, String mode, double score, double error, String unit,
              List<double[]> forks) {
        this.benchmark = benchmark;
        this.params = Collections.unmodifiableMap(new TreeMap<>(params));
        this.mode = mode;
        this.score = score;
        this.error = error;
        this.unit = unit;
        this.forks = Collections.unmodifiableList(new ArrayList<>(forks));
    }

    /** Number of forks with iterations in the file (0 without rawData). */
    public int forkCount() {
        return forks.size();
    }

    /** Benchmark name and its parameters, e.g. {@code dev.tern.bench.models.TeacherBench.allTasks{backend=scalar, model=...}}. */
    public String key() {
        return params.isEmpty() ? benchmark : benchmark + params;
    }

    /** Whether a lower score is better: time per operation (avgt, sample, ss), not throughput. */
    public boolean lowerIsBetter() {
        return !"thrpt".equals(mode);
    }

    /** Reads a JMH JSON result file. */
    public static List<JmhResult> read(Path file) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadInputException(file + ": not JSON (" + e.getOriginalMessage() + "); expected JMH's -rf json output");
        }
        if (root == null || !root.isArray()) {
            throw new BadInputException(file + ": expected a JSON array of JMH results (-rf json), found "
                    + (root == null ? "nothing" : root.getNodeType().toString().toLowerCase()));
        }
        List<JmhResult> out = new ArrayList<>();
        int i = 0;
        for (JsonNode r : root) {
            JsonNode pm = r.get("primaryMetric");
            if (!r.hasNonNull("benchmark") || !r.hasNonNull("mode") || pm == null || !pm.has("score")) {
                throw new BadInputException(file + ": result " + i + " lacks benchmark, mode or primaryMetric.score");
            }
            Map<String, String> params = new TreeMap<>();
            JsonNode p = r.get("params");
            if (p != null) {
                for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    params.put(e.getKey(), e.getValue().asText());
                }
            }
            double error = pm.path("scoreError").asDouble(0);
            List<double[]> forks = new ArrayList<>();
            JsonNode raw = pm.get("rawData");
            if (raw != null && raw.isArray()) {
                for (JsonNode fork : raw) {
                    if (!fork.isArray() || fork.size() == 0) {
                        throw new BadInputException(file + ": result " + i + " (" + r.get("benchmark").asText()
                                + "): primaryMetric.rawData holds a fork without iterations");
                    }
                    double[] it = new double[fork.size()];
                    for (int k = 0; k < it.length; k++) {
                        it[k] = fork.get(k).asDouble(Double.NaN);
                        if (!(it[k] >= 0) || Double.isInfinite(it[k])) {
                            throw new BadInputException(file + ": result " + i + " (" + r.get("benchmark").asText()
                                    + "): rawData value " + fork.get(k) + " is not a finite score >= 0");
                        }
                    }
                    forks.add(it);
                }
            }
            out.add(new JmhResult(r.get("benchmark").asText(), params, r.get("mode").asText(), pm.get("score").asDouble(),
                    Double.isNaN(error) ? 0 : error, pm.path("scoreUnit").asText(""), forks));
            i++;
        }
        if (out.isEmpty()) {
            throw new BadInputException(file + ": holds no JMH results");
        }
        return out;
    }
}
