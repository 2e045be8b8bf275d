package dev.tern.compress.tf;

/** One node that cannot be converted; collected so that an import reports every problem at once. */
final class ConversionProblem extends Exception {
    private static final long serialVersionUID = 1L;

    ConversionProblem(String message) {
        super(message, null, false, false);
    }
}
