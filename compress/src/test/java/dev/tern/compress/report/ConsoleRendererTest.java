package dev.tern.compress.report;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsoleRendererTest {
    @Test
    void aTableOneRowPerDistinctModelThenTheVerdictAndDistillation() {
        // The console summary used to print raw JSON such as {"left":2.21,"right":1.88,...}.
        ReportModel m = RenderersTest.model();
        String s = ConsoleRenderer.render(m);
        assertFalse(s.contains("{") || s.contains("\""), s);
        List<String> lines = s.lines().toList();
        String header = lines.get(0);
        assertTrue(header.startsWith("variant") && header.contains("size KiB") && header.contains("p50 us")
                && header.contains("speedup") && header.contains("vs teacher"), header);
        // teacher once (teacher-fp32 is the same model), then the three other variants, in order
        assertTrue(lines.get(1).startsWith("teacher "), s);
        assertTrue(lines.get(2).startsWith("teacher-int8 "), s);
        assertTrue(lines.get(3).startsWith("student "), s);
        assertTrue(lines.get(4).startsWith("scratch "), s);
        assertEquals(1, lines.stream().filter(l -> l.startsWith("teacher-fp32")).count() + 1, "no teacher-fp32 row: " + s);
        assertTrue(lines.get(2).contains("0.8950"), lines.get(2));
        assertTrue(lines.get(2).endsWith("within noise"), lines.get(2));
        assertTrue(s.contains(m.verdict()), s);
        assertTrue(s.contains("distillation: student vs scratch: left +2.00, right -1.00, present +5.00 points (not better on every task)"), s);
        // columns line up: every table row is as long as the header or shorter only by trailing blanks
        int valuesEnd = header.indexOf("p50 us") + "p50 us".length();
        for (int i = 1; i <= 4; i++) {
            assertTrue(Character.isDigit(lines.get(i).charAt(valuesEnd - 1)), "p50 right-aligned in row " + i + ": " + s);
        }
    }
}
