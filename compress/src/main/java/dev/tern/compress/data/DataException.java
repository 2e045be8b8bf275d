package dev.tern.compress.data;


/**
 * A data set file or folder that is missing, truncated, malformed or inconsistent (an IDX
 * header that does not match the data, image and label counts that differ, a label out of
 * range). The message names the file and says what was expected and what was found.
 */
public class DataException extends dev.tern.compress.BadInputException {
    private static final long serialVersionUID = 1L;

    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
