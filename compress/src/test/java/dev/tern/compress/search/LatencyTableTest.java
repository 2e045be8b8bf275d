package dev.tern.compress.search;

import dev.tern.compress.BadInputException;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Padding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-layer latency table: keys that price a layer in any model, estimates that say what they lack, its file. */
class LatencyTableTest {
    @TempDir
    Path dir;

    /** conv 1 -> c1 stride 2, conv c1 -> 8, flatten, dense 16, one head; names prefixed by {@code p}. */
    static ModelDef model(String p, int c1, long seed) {
        Random rnd = new Random(seed);
        ModelBuilder b = new ModelBuilder("m").input("x", -1, 12, 12, 1);
        String v = b.conv2d(p + "conv1", "x", new int[] {c1, 3, 3, 1}, ModelBuilder.random(rnd, c1 * 9, 0.5f), new float[c1], 2,
                Padding.SAME, Activation.RELU);
        v = b.conv2d(p + "conv2", v, new int[] {8, 3, 3, c1}, ModelBuilder.random(rnd, 72 * c1, 0.3f), new float[8], 1,
                Padding.SAME, Activation.RELU);
        v = b.flatten(p + "flat", v);
        v = b.dense(p + "fc", v, 16, 6 * 6 * 8, ModelBuilder.random(rnd, 16 * 288, 0.05f), new float[16], Activation.RELU);
        b.multiclass("y", b.dense(p + "head", v, 10, 16, ModelBuilder.random(rnd, 160, 0.3f), new float[10], Activation.NONE),
                "0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        return b.build();
    }

    @Test
    void aLayerIsPricedByWhatItComputesNotByItsNameOrWeights() throws Exception {
        TernModel a = TernModel.of(model("a/", 4, 1));
        TernModel renamed = TernModel.of(model("b/", 4, 2));
        assertEquals(LatencyTable.keys(a), LatencyTable.keys(renamed), "other names and weights, same layers");
        assertTrue(LatencyTable.keys(a).get(0).contains("[4, 3, 3, 1]"), LatencyTable.keys(a).get(0));

        LatencyTable t = new LatencyTable(LatencyTable.machineOf(a));
        float[] x = new float[144];
        t.measure(a, x, 5, 11);
        assertEquals(5, t.size());
        LatencyTable.Estimate full = t.estimate(renamed);
        assertTrue(full.complete(), full.missing().toString());
        assertTrue(full.micros() > 0);

        // a wider first conv changes its own key and its consumer's; the rest is priced from the table
        TernModel wide = TernModel.of(model("a/", 8, 1));
        LatencyTable.Estimate part = t.estimate(wide);
        assertEquals(2, part.missing().size(), part.missing().toString());
        assertTrue(part.missing().get(0).contains("[8, 3, 3, 1]") && part.missing().get(1).contains("[8, 3, 3, 8]"), part.missing().toString());
        assertFalse(part.complete());
        t.measure(wide, x, 5, 11);
        assertEquals(7, t.size());
        assertTrue(t.estimate(wide).complete());
    }

    @Test
    void theTableIsAFileOfOneMachine() throws Exception {
        TernModel a = TernModel.of(model("", 4, 1));
        LatencyTable t = new LatencyTable(LatencyTable.machineOf(a));
        t.measure(a, new float[144], 2, 5);
        Path f = dir.resolve("latency.json");
        t.write(f);
        LatencyTable back = LatencyTable.read(f, LatencyTable.machineOf(a));
        assertEquals(t.size(), back.size());
        assertEquals(t.estimate(a).micros(), back.estimate(a).micros(), 0.0);
        assertEquals(0, LatencyTable.read(dir.resolve("none.json"), "x").size(), "no file: an empty table");
        BadInputException other = assertThrows(BadInputException.class, () -> LatencyTable.read(f, "another CPU; amd64; JDK 25; vector"));
        assertTrue(other.getMessage().contains("measure it here"), other.getMessage());
        Files.writeString(f, "{\"format\": 9}");
        assertThrows(BadInputException.class, () -> LatencyTable.read(f, LatencyTable.machineOf(a)));
        LatencyTable foreign = new LatencyTable("elsewhere");
        assertThrows(BadInputException.class, () -> foreign.estimate(a));
        assertEquals(List.of(), t.estimate(a).missing());
    }
}
