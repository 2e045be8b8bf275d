package dev.tern.runtime;

/**
 * A model that decodes fine but cannot be run: an unknown value name, shapes that do not
 * fit, an op with bad attributes, activations too large to plan. Raised when the model is
 * built or loaded, never during inference.
 */
public class InvalidModelException extends TernException {
    private static final long serialVersionUID = 1L;

    public InvalidModelException(String message) {
        super(message);
    }
}
