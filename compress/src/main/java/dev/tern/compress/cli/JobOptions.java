package dev.tern.compress.cli;

import dev.tern.compress.job.Field;
import dev.tern.compress.job.Settings;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options of a job's command, made from its config's field table (so the option names,
 * defaults, ranges and help text are those of the recipe and the docs), and the
 * {@link Settings} read back from a parse. Values arrive as text and are checked by the
 * fields, so an error reads {@code --calib-samples: expected an integer from 1 to 60000, found 0}.
 */
final class JobOptions {
    private JobOptions() {
    }

    /** Adds one option per field to {@code spec}; returns it (a picocli model transformer's result). */
    static CommandSpec add(CommandSpec spec, List<Field> fields) {
        for (Field f : fields) {
            OptionSpec.Builder b = OptionSpec.builder(f.option()).description(help(f));
            if (f.kind() == Field.Kind.BOOL) {
                b.arity("0").type(boolean.class);
            } else {
                b.paramLabel(f.label()).type(String.class);
            }
            spec.addOption(b.build());
        }
        return spec;
    }

    /** The settings the user gave (defaults for the rest), checked field by field. */
    static Settings read(CommandSpec spec, List<Field> fields) {
        ParseResult pr = spec.commandLine().getParseResult();
        Map<String, String> text = new LinkedHashMap<>();
        for (Field f : fields) {
            if (pr.hasMatchedOption(f.option())) {
                Object v = pr.matchedOptionValue(f.option(), null);
                text.put(f.name(), f.kind() == Field.Kind.BOOL ? "true" : String.valueOf(v));
            }
        }
        return Settings.fromText(fields, text);
    }

    private static String help(Field f) {
        String d = f.description().replace("%", "%%");
        if (f.kind() == Field.Kind.BOOL) {
            return d;
        }
        return d + " " + capitalize(f.expected()) + (f.defaultValue() == null ? "." : "; default " + f.defaultText() + ".");
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
