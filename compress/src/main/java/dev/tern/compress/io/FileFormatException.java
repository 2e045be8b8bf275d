package dev.tern.compress.io;

import dev.tern.compress.BadInputException;

/**
 * A data file (.npy array, PGM or PNG image) that is truncated, malformed or of a kind
 * this code does not read. The message names the file and says what was expected and
 * what was found.
 */
public class FileFormatException extends BadInputException {
    private static final long serialVersionUID = 1L;

    public FileFormatException(String message) {
        super(message);
    }

    public FileFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
