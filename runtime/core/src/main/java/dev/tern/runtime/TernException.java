package dev.tern.runtime;

/**
 * Base of every error Tern reports on purpose. Messages say what was expected and what
 * was found, so a caller (or the CLI, which prints the message as one line) can act on it.
 */
public class TernException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TernException(String message) {
        super(message);
    }

    public TernException(String message, Throwable cause) {
        super(message, cause);
    }
}
