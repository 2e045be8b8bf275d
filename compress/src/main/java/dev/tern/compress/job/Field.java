package dev.tern.compress.job;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.compress.BadInputException;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One setting of a job: its name, type, default, allowed range and description. A job's
 * config lists its fields once ({@code QuantizeConfig.FIELDS}, ...), and that list is the
 * single source of the command-line option ({@code --calib-samples}, from the name), the
 * recipe field ({@code calib_samples}), the checks and the docs' table. Values from either
 * front end go through {@link #fromText} or {@link #fromJson}, then {@link #check}: one
 * message shape for both, naming where the value came from and what was expected, e.g.
 * {@code --calib-samples: expected an integer from 1 to 60000, found 0}.
 */
public final class Field {
    /** The value types a field can hold. */
    public enum Kind { INT, DOUBLE, BOOL, CHOICE, TEXT, LIST }

    private final String name;
    private final Kind kind;
    private final Object defaultValue;
    private final double min;
    private final double max;
    private final boolean minOpen;
    private final boolean maxOpen;
    private final List<String> choices;
    private final String label;
    private final String description;

    private Field(String name, Kind kind, Object defaultValue, double min, boolean minOpen, double max, boolean maxOpen,
                  List<String> choices, String label, String description) {
        this.name = name;
        this.kind = kind;
        this.defaultValue = defaultValue;
        this.min = min;
        this.minOpen = minOpen;
        this.max = max;
        this.maxOpen = maxOpen;
        this.choices = choices;
        this.label = label;
        this.description = description;
    }

    /** An integer in [min, max]; {@code def} null: optional, no default. */
    public static Field integer(String name, Integer def, int min, int max, String description) {
        return new Field(name, Kind.INT, def, min, false, max, false, List.of(), "N", description);
    }

    /** A finite number between min and max (each bound open or closed); {@code def} null: optional. */
    public static Field number(String name, Double def, double min, boolean minOpen, double max, boolean maxOpen,
                               String description) {
        return new Field(name, Kind.DOUBLE, def, min, minOpen, max, maxOpen, List.of(), "X", description);
    }

    /** A flag, false unless given. */
    public static Field flag(String name, String description) {
        return new Field(name, Kind.BOOL, false, 0, false, 0, false, List.of(), "", description);
    }

    /** One of {@code choices}; {@code def} null: optional. */
    public static Field choice(String name, String def, List<String> choices, String description) {
        return new Field(name, Kind.CHOICE, def, 0, false, 0, false, List.copyOf(choices), String.join("|", choices), description);
    }

    /** Free text (a path, a name); {@code def} null: optional. */
    public static Field text(String name, String def, String label, String description) {
        return new Field(name, Kind.TEXT, def, 0, false, 0, false, List.of(), label, description);
    }

    /** A list of names (comma-separated on the command line, a JSON array in a recipe); optional. */
    public static Field list(String name, String label, String description) {
        return new Field(name, Kind.LIST, null, 0, false, 0, false, List.of(), label, description);
    }

    /** The recipe field's name: {@code calib_samples}. */
    public String name() {
        return name;
    }

    /** The command-line option: {@code --calib-samples}. */
    public String option() {
        return "--" + name.replace('_', '-');
    }

    public Kind kind() {
        return kind;
    }

    /** The value when none is given (null: optional, or required when the config says so). */
    public Object defaultValue() {
        return defaultValue;
    }

    public List<String> choices() {
        return choices;
    }

    /** The option's parameter label ({@code N}, {@code X}, {@code minmax|percentile}). */
    public String label() {
        return label;
    }

    public String description() {
        return description;
    }

    /** What the field accepts, as the docs and the error messages say it. */
    public String expected() {
        switch (kind) {
            case INT:
                return max - min == 1 ? "an integer, " + (long) min + " or " + (long) max
                        : "an integer from " + (long) min + " to " + (long) max;
            case DOUBLE:
                return "a number " + interval();
            case BOOL:
                return "true or false";
            case CHOICE:
                return "one of " + String.join(", ", choices);
            case LIST:
                return "a list of names";
            default:
                return "a string";
        }
    }

    private String interval() {
        return "in " + (minOpen ? "(" : "[") + fmt(min) + ", " + fmt(max) + (maxOpen ? ")" : "]");
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }

    /** The default as the docs and {@code --help} show it. */
    public String defaultText() {
        if (defaultValue == null) {
            return "";
        }
        return defaultValue instanceof Double ? fmt((Double) defaultValue) : String.valueOf(defaultValue);
    }

    /** Parses a command-line value; {@code where} names the option in errors. */
    public Object fromText(String text, String where) {
        switch (kind) {
            case INT:
                try {
                    return check(Integer.parseInt(text.strip()), where);
                } catch (NumberFormatException e) {
                    throw bad(where, text);
                }
            case DOUBLE:
                try {
                    return check(Double.parseDouble(text.strip()), where);
                } catch (NumberFormatException e) {
                    throw bad(where, text);
                }
            case BOOL:
                if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
                    return Boolean.parseBoolean(text);
                }
                throw bad(where, text);
            case LIST:
                return List.copyOf(Arrays.asList(text.split(",")));
            case CHOICE:
                return check(text.strip().toLowerCase(Locale.ROOT), where);
            default:
                return text;
        }
    }

    /**
     * Reads a recipe value strictly: an integer field takes a JSON integer that fits (not
     * {@code "3"}, not {@code 3.0}, not {@code 1e999}), a number field a finite JSON number,
     * a flag a JSON boolean, text a JSON string; null is never a value.
     */
    public Object fromJson(JsonNode v, String where) {
        switch (kind) {
            case INT:
                if (v.isIntegralNumber() && v.canConvertToInt()) {
                    return check(v.intValue(), where);
                }
                throw bad(where, found(v));
            case DOUBLE:
                if (v.isNumber()) {
                    // read as BigDecimal: 1e999 is reported as written, not as Infinity
                    BigDecimal d = v.decimalValue();
                    double x = d.doubleValue();
                    if (Double.isInfinite(x)) {
                        throw bad(where, found(v));
                    }
                    return check(x, where);
                }
                throw bad(where, found(v));
            case BOOL:
                if (v.isBoolean()) {
                    return v.booleanValue();
                }
                throw bad(where, found(v));
            case LIST:
                if (v.isArray()) {
                    List<String> l = new ArrayList<>();
                    for (JsonNode e : v) {
                        if (!e.isTextual()) {
                            throw bad(where, found(v));
                        }
                        l.add(e.textValue());
                    }
                    return List.copyOf(l);
                }
                throw bad(where, found(v));
            case CHOICE:
                if (v.isTextual()) {
                    return check(v.textValue(), where);
                }
                throw bad(where, found(v));
            default:
                if (v.isTextual()) {
                    return v.textValue();
                }
                throw bad(where, found(v));
        }
    }

    /** Checks a typed value against the field's range or choices; returns it. */
    public Object check(Object value, String where) {
        switch (kind) {
            case INT: {
                int x = (Integer) value;
                if (x < min || x > max) {
                    throw bad(where, String.valueOf(x));
                }
                return value;
            }
            case DOUBLE: {
                double x = (Double) value;
                boolean low = minOpen ? !(x > min) : !(x >= min);
                boolean high = maxOpen ? !(x < max) : !(x <= max);
                if (low || high || Double.isNaN(x)) {
                    throw bad(where, fmt(x));
                }
                return value;
            }
            case CHOICE:
                if (!choices.contains(value)) {
                    throw bad(where, "\"" + value + "\"");
                }
                return value;
            default:
                return value;
        }
    }

    /** {@code WHERE: expected WHAT, found FOUND}. */
    public BadInputException bad(String where, String found) {
        return new BadInputException(where + ": expected " + expected() + ", found " + found);
    }

    /** A JSON value as a user wrote it: {@code "3"} (a string), {@code 1E+999}, {@code null}. */
    static String found(JsonNode v) {
        if (v.isTextual()) {
            return "the string " + v;
        }
        if (v.isBigDecimal()) {
            return v.decimalValue().toString();
        }
        if (v.isNull()) {
            return "null";
        }
        if (v.isContainerNode()) {
            return v.isArray() ? "a list" : "an object";
        }
        return v.toString();
    }
}
