package dev.tern.runtime;

/** A {@code .tern} file (or buffer) is truncated, corrupt, of an unknown version, or inconsistent. */
public class ModelFormatException extends TernException {
    private static final long serialVersionUID = 1L;

    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
