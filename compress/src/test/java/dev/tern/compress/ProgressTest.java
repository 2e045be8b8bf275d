package dev.tern.compress;

import me.tongfei.progressbar.ProgressBar;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressTest {
    @Test
    void pipedProgressIsLinesWithoutCarriageReturns() {
        // The calibration bar used to write '\r' redraws into piped logs.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (ProgressBar bar = Progress.bar("calibrate", 10, out, false)) {
            Progress.note(bar, "loss -.--");
            for (int i = 0; i < 10; i++) {
                bar.step();
            }
            Progress.note(bar, "loss 0.42");
        }
        String s = bytes.toString(StandardCharsets.UTF_8);
        assertFalse(s.contains("\r"), s);
        assertTrue(s.lines().anyMatch(l -> l.startsWith("calibrate") && l.contains("100%") && l.contains("10/10")
                && l.endsWith("/s loss 0.42")), "the note comes after the speed and a space: " + s);
    }

    @Test
    void aTerminalGetsARedrawnBar() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (ProgressBar bar = Progress.bar("epoch 1/2", 4, out, true)) {
            bar.stepTo(4);
        }
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("\r"), "redrawn in place");
    }
}
