package dev.tern.runtime;

/** An inference input of the wrong size or shape, with NaN or infinite values, or an unknown task name. */
public class InvalidInputException extends TernException {
    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(message);
    }
}
