package dev.tern.compress.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tern.compress.TernVersion;
import dev.tern.runtime.model.ModelDef;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The typed record of how a model was made: one {@link Step} per job that touched it, in
 * order, built by the job itself (Tribuo's rule: provenance comes from the trainer, not
 * from the caller). The chain travels in the model's metadata as one JSON array under
 * {@link #KEY}, so {@code tern info} and the report read it back without knowing the jobs.
 * Nothing time- or machine-dependent goes in: rebuilding a model with the same inputs and
 * settings gives the same bytes (models/multifashion/hard-int8.tern is checked that way).
 */
public final class Provenance {
    /** The metadata key of the chain. */
    public static final String KEY = "tern.steps";

    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);

    private Provenance() {
    }

    /**
     * One job's record.
     *
     * @param job      the job: import, train, distill, prune, finetune, quantize
     * @param tool     Tern's version
     * @param settings every setting of the job's config, defaults included, in field order
     * @param inputs   each input (model file, data set, recipe) and its checksum ({@code crc32c:...}, {@code sha256:...})
     * @param data     the data split the job drew from (null: none), e.g. "multi-fashion train, epoch 0, canvases 0-999"
     * @param seed     the seed of that draw (null: none)
     * @param results  what the job decided that a reader needs (layers kept in float32, channels kept), may be empty
     */
    public record Step(String job, String tool, Map<String, Object> settings, Map<String, String> inputs, String data,
                       Long seed, Map<String, Object> results) {
        public Step {
            settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
            inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
            results = Collections.unmodifiableMap(new LinkedHashMap<>(results == null ? Map.of() : results));
        }

        /** A step of this Tern build. */
        public static Step of(String job, Map<String, Object> settings, Map<String, String> inputs, String data, Long seed,
                              Map<String, Object> results) {
            return new Step(job, TernVersion.version(), settings, inputs, data, seed, results);
        }

        /** One line: {@code quantize (method minmax, calib_samples 1000, ...) on hard.tern}. */
        public String describe() {
            StringBuilder sb = new StringBuilder(job);
            StringBuilder s = new StringBuilder();
            settings.forEach((k, v) -> {
                if (v != null && !Boolean.FALSE.equals(v)) {
                    s.append(s.length() == 0 ? "" : ", ").append(k).append(Boolean.TRUE.equals(v) ? "" : " " + v);
                }
            });
            if (s.length() > 0) {
                sb.append(" (").append(s).append(')');
            }
            if (!inputs.isEmpty()) {
                sb.append(" from ").append(String.join(", ", inputs.keySet()));
            }
            if (data != null) {
                sb.append("; data: ").append(data);
            }
            if (seed != null) {
                sb.append(String.format("; seed 0x%X", seed));
            }
            results.forEach((k, v) -> sb.append("; ").append(k).append(": ").append(v));
            return sb.append(" [tern ").append(tool).append(']').toString();
        }
    }

    /** The steps recorded in a model, oldest first (empty for a model made before typed provenance). */
    public static List<Step> chain(ModelDef def) {
        return chain(def.provenance());
    }

    /** The steps recorded in a metadata map. */
    public static List<Step> chain(Map<String, String> provenance) {
        String s = provenance.get(KEY);
        if (s == null) {
            return List.of();
        }
        try {
            return JSON.readValue(s, new TypeReference<List<Step>>() { });
        } catch (JsonProcessingException e) {
            throw new dev.tern.compress.BadInputException("provenance '" + KEY + "' is not a list of steps: "
                    + e.getOriginalMessage());
        }
    }

    /** {@code def} with {@code step} appended to its chain (the other metadata entries kept). */
    public static ModelDef append(ModelDef def, Step step) {
        List<Step> c = new ArrayList<>(chain(def));
        c.add(step);
        try {
            return def.withProvenance(Map.of(KEY, JSON.writeValueAsString(c)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
