package dev.tern.compress.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * The {@code tern} command line (run by {@code ./tern} at the repository root). Exit codes:
 * 0 ok, 1 failure, 2 bad usage or bad input; every error is one line on stderr.
 *
 * <p>Tests call {@link #run(String[], PrintStream, PrintStream)}, which does what
 * {@link #main(String[])} does without exiting the JVM.
 */
@Command(name = "tern", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Compress multi-task neural networks and run them on edge devices.",
        subcommands = {InfoCommand.class, RunCommand.class, TrainCommand.class, DistillCommand.class, FinetuneCommand.class, CompressCommand.class, DemoCommand.class, ImportCommand.class, EvalCommand.class, QuantizeCommand.class, PruneCommand.class, ExportCommand.class, BenchCommand.class, GateCommand.class, DataCommand.class},
        usageHelpAutoWidth = true,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:failure", "2:bad usage or bad input"},
        footer = {"", "Environment:",
            "  TERN_DEBUG=1     print the stack trace of an error",
            "  TERN_JAVA_OPTS   JVM options for ./tern, e.g. -Xmx4g, or",
            "                   -Dtern.kernels=reference|scalar|vector (force a backend)"})
public final class TernCli implements Callable<Integer> {
    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print the stack trace of an error.")
    boolean verbose;

    @Spec
    CommandSpec spec;

    /** {@code tern} without a command: a usage error. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command; choose one of "
                + String.join(", ", spec.subcommands().keySet()));
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        // JavaCPP (under ND4J) prints a version-mismatch note to stderr unless it logs through SLF4J
        // (quiet below WARN, see simplelogger.properties); must be set before its loader starts.
        System.setProperty("org.bytedeco.javacpp.logger", "slf4j");
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line with the given streams and returns its exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, "1".equals(System.getenv("TERN_DEBUG")));
    }

    static int run(String[] args, PrintStream out, PrintStream err, boolean debug) {
        PrintWriter o = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter e = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        try {
            return commandLine(o, e, debug).execute(args);
        } catch (Error | RuntimeException fatal) { // thrown past picocli's handlers, e.g. OutOfMemoryError
            ErrorHandler.report(fatal, e, debug);
            return ErrorHandler.exitCode(fatal);
        } finally {
            o.flush();
            e.flush();
        }
    }

    /** The configured command line, writing to the given streams. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, boolean debug) {
        ErrorHandler handler = new ErrorHandler(debug);
        CommandLine cl = new CommandLine(new TernCli());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler(handler);
        cl.setParameterExceptionHandler(handler);
        return cl;
    }
}
