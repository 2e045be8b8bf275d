package dev.tern.compress.cli;

import dev.tern.compress.cli.CliFixture.Outcome;
import dev.tern.runtime.InvalidInputException;
import dev.tern.runtime.ModelFormatException;
import org.junit.jupiter.api.Test;

import java.nio.file.NoSuchFileException;

import static dev.tern.compress.cli.CliFixture.tern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TernCliTest {
    @Test
    void versionNamesTheBuildVersionAndTheFormat() {
        Outcome r = tern("--version");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("tern " + VersionProvider.version() + "\n"), r.out());
        assertFalse(VersionProvider.version().contains("${"), "resource filtering did not run");
        assertFalse(VersionProvider.version().equals("unknown"));
        assertTrue(r.out().contains("model format 1." + dev.tern.runtime.format.TernFormat.MINOR), r.out());
    }

    @Test
    void everyCommandsHelpIsCleanlyFormatted() {
        // picocli warns (on stderr) about an unescaped '%' in a description
        java.io.PrintStream old = System.err;
        java.io.ByteArrayOutputStream sys = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(sys, true, java.nio.charset.StandardCharsets.UTF_8)); // picocli's tracer writes here
        try {
            for (String c : new String[] {"info", "run", "train", "distill", "compress", "demo", "import", "eval", "quantize",
                    "prune", "export", "bench", "gate"}) {
                Outcome r = tern(c, "--help");
                assertEquals(0, r.code(), c);
                String all = r.err() + r.out() + sys.toString(java.nio.charset.StandardCharsets.UTF_8);
                assertFalse(all.contains("WARN"), c + ": " + all);
            }
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void helpListsTheCommandsAndExitCodes() {
        Outcome r = tern("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("info"), r.out());
        assertTrue(r.out().contains("run"), r.out());
        assertTrue(r.out().contains("bad usage or bad input"), r.out());
        assertEquals(0, tern("run", "--help").code());
        assertEquals(0, tern("info", "--help").code());
    }

    @Test
    void noCommandIsAUsageError() {
        Outcome r = tern();
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("tern: error: missing command; choose one of info, run"), r.err());
    }

    @Test
    void unknownOptionIsAUsageErrorWithAHint() {
        Outcome r = tern("info", "--bogus", "x.tern");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("tern: error: Unknown option: '--bogus'"), r.err());
        assertTrue(r.err().contains("Try 'tern info --help'"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void unknownCommandAndMissingArgumentsAreUsageErrors() {
        assertEquals(2, tern("frobnicate").code());
        assertEquals(2, tern("info").code());
        Outcome r = tern("run", "model.tern");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--input"), r.err());
    }

    @Test
    void exitCodesSeparateBadInputFromFailures() {
        assertEquals(2, ErrorHandler.exitCode(new ModelFormatException("x")));
        assertEquals(2, ErrorHandler.exitCode(new InvalidInputException("x")));
        assertEquals(2, ErrorHandler.exitCode(new NoSuchFileException("x")));
        assertEquals(1, ErrorHandler.exitCode(new IllegalStateException("bug")));
        assertEquals(1, ErrorHandler.exitCode(new OutOfMemoryError()));
    }

    @Test
    void messagesStayOnOneLine() {
        assertEquals("IllegalStateException: a; b", ErrorHandler.describe(new IllegalStateException("a\n  b\n")));
        assertEquals("m.tern: no such file or directory", ErrorHandler.describe(new NoSuchFileException("m.tern")));
        assertEquals("m.tern: no such model file",
                ErrorHandler.describe(new NoSuchFileException("m.tern", null, "no such model file")));
    }
}
