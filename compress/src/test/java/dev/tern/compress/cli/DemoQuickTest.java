package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.compress.cli.CliFixture.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.tern.compress.cli.CliFixture.tern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The main job's quick form on the shipped teacher and data, as a user runs it:
 * {@code tern demo --quick --out DIR} (about a minute and a half on 2 cores).
 */
class DemoQuickTest {
    @TempDir
    Path dir;

    @Test
    void quickDemoWritesTheReportOfEveryVariant() throws Exception {
        String old = System.getProperty("tern.home");
        System.setProperty("tern.home", System.getProperty("tern.repo", ".."));
        Outcome r;
        try {
            r = tern("demo", "--quick", "--out", dir.toString());
        } finally {
            if (old == null) {
                System.clearProperty("tern.home");
            } else {
                System.setProperty("tern.home", old);
            }
        }
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        JsonNode recipe = new ObjectMapper().readTree(Paths.get(System.getProperty("tern.repo", "..")).resolve("models/recipes/demo-quick.json").toFile());
        List<String> want = new ArrayList<>();
        recipe.get("variants").forEach(v -> want.add(v.get("name").asText()));
        List<String> got = new ArrayList<>();
        for (JsonNode v : j.get("variants")) {
            got.add(v.get("name").asText());
            assertTrue(v.get("size_bytes").asLong() > 0, v.toString());
            assertTrue(v.get("params").asLong() > 0, v.toString());
            assertEquals(3, v.get("tasks").size(), v.toString());
            assertTrue(v.get("tasks").get("left").get("accuracy").asDouble() >= 0, v.toString());
            assertTrue(v.get("latency_us").get("p50").asDouble() > 0, v.toString());
            assertTrue(v.get("latency_us").get("p99").asDouble() >= v.get("latency_us").get("p50").asDouble(), v.toString());
        }
        assertEquals(want, got);
        assertTrue(j.get("quick").asBoolean());
        assertTrue(Files.readString(dir.resolve("report.md")).contains("Quick run"));
        Matcher m = Pattern.compile("<img src=\"([^\"]+\\.png)\"").matcher(Files.readString(dir.resolve("index.html")));
        int pngs = 0;
        while (m.find()) {
            assertTrue(Files.size(dir.resolve(m.group(1))) > 1000, m.group(1));
            pngs++;
        }
        assertTrue(pngs >= 2, "index.html references " + pngs + " plots");
        // the int8 teacher is within a point or two of the fp32 one even after a quick calibration
        double fp = j.get("teacher").get("tasks").get("left").get("accuracy").asDouble();
        double q = j.get("variants").get(1).get("tasks").get("left").get("accuracy").asDouble();
        assertTrue(Math.abs(fp - q) < 0.02, fp + " vs " + q);
    }
}
