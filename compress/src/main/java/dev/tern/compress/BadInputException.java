package dev.tern.compress;

import dev.tern.runtime.TernException;

/**
 * Bad input to a compress command: a recipe with an unknown or mistyped field, a data
 * folder that is missing or malformed, a SavedModel that cannot be imported. The CLI
 * prints the message as one line and exits with code 2.
 */
public class BadInputException extends TernException {
    private static final long serialVersionUID = 1L;

    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
