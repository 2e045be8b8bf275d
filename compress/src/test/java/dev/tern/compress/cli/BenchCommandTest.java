package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.runtime.format.TernWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tern bench}: the fields it reports and its bad usage (no timing asserted: machines are noisy). */
class BenchCommandTest {
    @Test
    void reportsOrderedPercentilesAndAllocation(@TempDir Path dir) throws Exception {
        Path m = dir.resolve("m.tern");
        TernWriter.write(CliFixture.model(), m);
        CliFixture.Outcome r = CliFixture.tern("bench", m.toString(), "--runs", "200", "--warmup", "2000", "--batch", "3",
                "--task", "left", "--threads", "2", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(3, j.get("batch").asInt());
        assertEquals(200, j.get("runs").asInt());
        JsonNode lat = j.get("latency_us");
        assertTrue(lat.get("p50").asDouble() > 0);
        assertTrue(lat.get("p50").asDouble() <= lat.get("p90").asDouble());
        assertTrue(lat.get("p90").asDouble() <= lat.get("p99").asDouble());
        assertTrue(lat.get("p99").asDouble() <= lat.get("max").asDouble());
        assertTrue(j.get("samples_per_second").asDouble() > 0);
        // Reported, not asserted: until C2 has compiled the kernels (which a short run may not
        // reach) the vector code allocates; steady-state zero allocation is AllocationTest's job.
        assertTrue(!j.has("allocated_bytes_per_run") || j.get("allocated_bytes_per_run").asDouble() >= 0, j.toString());
    }

    @Test
    void warmUpGoesOnUntilSteadyAndSaysHowLong(@TempDir Path dir) throws Exception {
        // A fixed warm-up measured the int8 teacher before C2 had compiled it (105 KB "allocated
        // per run" next to 0 for fp32). Now the warm-up goes on in rounds until allocation and
        // median latency are flat, and the output says how many runs that took, or that it did not settle.
        Path m = dir.resolve("m.tern");
        TernWriter.write(CliFixture.model(), m);
        CliFixture.Outcome r = CliFixture.tern("bench", m.toString(), "--runs", "100", "--warmup", "0", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(0, j.get("warmup").asInt());
        assertTrue(j.get("warmup_runs").asInt() >= 600, "three flat rounds of at least 200 runs: " + j);
        assertTrue(j.has("steady"), j.toString());
        CliFixture.Outcome text = CliFixture.tern("bench", m.toString(), "--runs", "50", "--warmup", "10");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("(10 asked, then until steady)"), text.out());
        assertTrue(text.out().contains(" warm-up (") && !text.out().contains("after 10 warm-up"), text.out());
    }

    @Test
    void perOpListsEveryComputedNodeWithItsKernelAndShare(@TempDir Path dir) throws Exception {
        Path m = dir.resolve("m.tern");
        TernWriter.write(CliFixture.model(), m);
        CliFixture.Outcome r = CliFixture.tern("bench", m.toString(), "--runs", "50", "--warmup", "10", "--per-op", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode ops = new ObjectMapper().readTree(r.out()).get("ops");
        dev.tern.runtime.TernModel model = dev.tern.runtime.TernModel.load(m);
        assertEquals(model.kernels().size(), ops.size(), ops.toString());
        double share = 0;
        int i = 0;
        for (java.util.Map.Entry<String, String> k : model.kernels().entrySet()) {
            JsonNode op = ops.get(i++);
            assertEquals(k.getKey(), op.get("node").asText());
            assertEquals(k.getValue(), op.get("kernel").asText());
            assertTrue(op.get("p50_us").asDouble() >= 0, op.toString());
            share += op.get("share").asDouble();
        }
        assertEquals(1.0, share, 1e-9);
        CliFixture.Outcome text = CliFixture.tern("bench", m.toString(), "--runs", "20", "--warmup", "0", "--per-op");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("per op (median of 20 timed runs each; sum "), text.out());
    }

    @Test
    void badUsageExitsTwo(@TempDir Path dir) throws Exception {
        Path m = dir.resolve("m.tern");
        TernWriter.write(CliFixture.model(), m);
        assertEquals(2, CliFixture.tern("bench", m.toString(), "--runs", "0").code());
        assertEquals(2, CliFixture.tern("bench", m.toString(), "--batch", "0").code());
        assertEquals(2, CliFixture.tern("bench", m.toString(), "--threads", "0").code());
        assertEquals(2, CliFixture.tern("bench", m.toString(), "--task", "nope").code());
        assertEquals(2, CliFixture.tern("bench", dir.resolve("missing.tern").toString()).code());
    }

    /** --latency-table: the first run records every layer, the second prices the model from them (the error is reported, not asserted). */
    @Test
    void aLatencyTablePricesAModelItHasSeen(@TempDir Path dir) throws Exception {
        Path m = dir.resolve("m.tern");
        TernWriter.write(CliFixture.model(), m);
        Path table = dir.resolve("latency.json");
        CliFixture.Outcome first = CliFixture.tern("bench", m.toString(), "--runs", "50", "--warmup", "10", "--latency-table", table.toString());
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("latency table: knew 0 of"), first.out());
        assertTrue(java.nio.file.Files.isRegularFile(table));
        CliFixture.Outcome second = CliFixture.tern("bench", m.toString(), "--runs", "50", "--warmup", "10", "--latency-table",
                table.toString(), "--json");
        assertEquals(0, second.code(), second.err());
        JsonNode t = new ObjectMapper().readTree(second.out()).get("latency_table");
        assertEquals(0, t.get("layers_missing").asInt(), t.toString());
        assertTrue(t.get("estimate_us").asDouble() > 0 && t.has("error"), t.toString());
        CliFixture.Outcome batched = CliFixture.tern("bench", m.toString(), "--batch", "2", "--latency-table", table.toString());
        assertEquals(2, batched.code(), batched.err());
        assertTrue(batched.err().contains("--latency-table prices batch 1"), batched.err());
    }
}
