package dev.tern.compress.cli;

/**
 * A request the CLI cannot carry out as asked, found after parsing (for example a bad
 * {@code -Dtern.kernels}): reported as one line with exit code 2.
 */
public final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
