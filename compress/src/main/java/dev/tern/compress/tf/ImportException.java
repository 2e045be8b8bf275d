package dev.tern.compress.tf;

import dev.tern.compress.BadInputException;

import java.util.Collections;
import java.util.List;

/**
 * A SavedModel that Tern cannot import: a missing or malformed folder, a missing signature,
 * an input or output Tern cannot represent, ops Tern does not support, or task metadata
 * that does not fit the graph. The message says what was expected and what was found; when
 * the graph has several problems, all of them are listed once in {@link #problems()}.
 * A {@link BadInputException} (so a {@code TernException}): the CLI prints the message as
 * one line and exits with code 2.
 */
public class ImportException extends BadInputException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public ImportException(String message) {
        super(message);
        this.problems = Collections.singletonList(message);
    }

    public ImportException(String message, Throwable cause) {
        super(message, cause);
        this.problems = Collections.singletonList(message);
    }

    /** One exception for several problems found in one pass over the graph. */
    ImportException(String message, List<String> problems) {
        super(message);
        this.problems = Collections.unmodifiableList(problems);
    }

    /** Every problem found, one line each (a single entry for most failures). */
    public List<String> problems() {
        return problems;
    }
}
