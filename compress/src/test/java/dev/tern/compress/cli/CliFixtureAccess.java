package dev.tern.compress.cli;

/** {@link CliFixture} for tests in other packages. */
public final class CliFixtureAccess {
    private CliFixtureAccess() {
    }

    /** Exit code and streams of one in-process {@code tern} run. */
    public static final class Result {
        private final CliFixture.Outcome o;

        Result(CliFixture.Outcome o) {
            this.o = o;
        }

        public int code() {
            return o.code();
        }

        public String out() {
            return o.out();
        }

        public String err() {
            return o.err();
        }
    }

    public static Result tern(String... args) {
        return new Result(CliFixture.tern(args));
    }
}
