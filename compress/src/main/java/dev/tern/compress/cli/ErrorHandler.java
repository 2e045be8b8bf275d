package dev.tern.compress.cli;

import dev.tern.runtime.InvalidInputException;
import dev.tern.runtime.InvalidModelException;
import dev.tern.runtime.ModelFormatException;
import dev.tern.runtime.TernException;
import picocli.CommandLine;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.FileNotFoundException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Turns every failure into one line on stderr, {@code tern: error: <what went wrong>}, and an
 * exit code: 2 for bad usage or bad input (a command line picocli rejects, a missing or
 * unreadable file, a malformed model, array or image, an input that does not fit the model),
 * 1 for anything else. Stack traces only with {@code --verbose} or {@code TERN_DEBUG=1}.
 */
final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {
    static final String PREFIX = "tern: error: ";
    private final boolean debug;

    ErrorHandler(boolean debug) {
        this.debug = debug;
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println(PREFIX + oneLine(ex.getMessage()));
        UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
        return ExitCode.USAGE;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parsed) {
        PrintWriter err = cl.getErr();
        report(ex, err, debug || verbose(parsed));
        return exitCode(ex);
    }

    /** Prints one line (and the stack trace when asked) for any throwable. */
    static void report(Throwable ex, PrintWriter err, boolean stackTrace) {
        err.println(PREFIX + describe(ex) + (stackTrace || isExpected(ex) ? "" : " (rerun with --verbose for details)"));
        if (stackTrace) {
            ex.printStackTrace(err);
        }
        err.flush();
    }

    /** 2 for bad usage or bad input, 1 for any other failure. */
    static int exitCode(Throwable ex) {
        return isBadInput(ex) ? ExitCode.USAGE : ExitCode.SOFTWARE;
    }

    static boolean isBadInput(Throwable ex) {
        return ex instanceof ModelFormatException || ex instanceof InvalidModelException
                || ex instanceof InvalidInputException
                || ex instanceof FileSystemException || ex instanceof FileNotFoundException
                || ex instanceof UsageException || ex instanceof ParameterException
                || ex instanceof dev.tern.compress.BadInputException;
    }

    /** Errors Tern reports on purpose: their message is the whole story. */
    private static boolean isExpected(Throwable ex) {
        return isBadInput(ex) || ex instanceof TernException;
    }

    /** The one-line message for a failure. */
    static String describe(Throwable ex) {
        if (ex instanceof FileSystemException) {
            return oneLine(fileProblem((FileSystemException) ex));
        }
        if (ex instanceof OutOfMemoryError) {
            return "out of memory; give Java more heap, e.g. TERN_JAVA_OPTS=-Xmx4g";
        }
        if (isExpected(ex) || ex instanceof FileNotFoundException) {
            return oneLine(ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage());
        }
        String m = ex.getMessage();
        return oneLine(ex.getClass().getSimpleName() + (m == null ? "" : ": " + m));
    }

    private static String fileProblem(FileSystemException e) {
        String reason = e.getReason();
        if (reason == null) {
            if (e instanceof NoSuchFileException) {
                reason = "no such file or directory";
            } else if (e instanceof AccessDeniedException) {
                reason = "permission denied";
            } else if (e instanceof FileAlreadyExistsException) {
                reason = "already exists";
            } else if (e instanceof NotDirectoryException) {
                reason = "not a directory";
            } else {
                reason = e.getClass().getSimpleName();
            }
        }
        String file = e.getFile() == null ? "" : e.getFile();
        String other = e.getOtherFile() == null ? "" : " -> " + e.getOtherFile();
        return file + other + ": " + reason;
    }

    /** Joins the lines of a message so that the error stays on one line. */
    static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; ");
    }

    /** Whether --verbose was given at any level of the command line. */
    private static boolean verbose(ParseResult parsed) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }
}
