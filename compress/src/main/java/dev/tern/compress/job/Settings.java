package dev.tern.compress.job;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.compress.BadInputException;

import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A job's settings as read from one front end, checked field by field: the values the user
 * gave, over the fields' defaults. A config's {@code of(Settings)} then adds the checks
 * that involve several fields, naming the field through {@link #where(String)} so a recipe
 * error says {@code variants[1].stages[0].samples} and a command-line error {@code --samples}.
 */
public final class Settings {
    private final List<Field> fields;
    private final Map<String, Object> values = new LinkedHashMap<>();
    private final Map<String, Boolean> given = new LinkedHashMap<>();
    private final String prefix;
    private final boolean cli;

    private Settings(List<Field> fields, String prefix, boolean cli) {
        this.fields = fields;
        this.prefix = prefix;
        this.cli = cli;
        for (Field f : fields) {
            values.put(f.name(), f.defaultValue());
        }
    }

    /** The defaults of {@code fields}, as a library caller starts from. */
    public static Settings defaults(List<Field> fields) {
        return new Settings(fields, "", false);
    }

    /**
     * Settings from a recipe stage's JSON object; {@code at} is the object's path
     * ({@code variants[1].stages[0]}), {@code ignored} the keys read elsewhere ({@code stage}).
     */
    public static Settings fromJson(List<Field> fields, JsonNode object, String at, String... ignored) {
        Settings s = new Settings(fields, at.isEmpty() ? "" : at + ".", false);
        Iterator<Map.Entry<String, JsonNode>> it = object.fields();
        next:
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            for (String i : ignored) {
                if (i.equals(e.getKey())) {
                    continue next;
                }
            }
            Field f = s.field(e.getKey());
            if (f == null) {
                throw new BadInputException(s.prefix + e.getKey() + ": unknown field; the fields here are " + names(fields));
            }
            s.values.put(f.name(), f.fromJson(e.getValue(), s.where(f.name())));
            s.given.put(f.name(), true);
        }
        return s;
    }

    /** Settings from command-line text ({@code null}: not given); flags come as "true". */
    public static Settings fromText(List<Field> fields, Map<String, String> text) {
        Settings s = new Settings(fields, "", true);
        text.forEach((name, v) -> {
            if (v != null) {
                Field f = s.field(name);
                s.values.put(name, f.fromText(v, s.where(name)));
                s.given.put(name, true);
            }
        });
        return s;
    }

    /** Sets a value in code (library callers), checked like any other. */
    public Settings with(String name, Object value) {
        Field f = field(name);
        if (f == null) {
            throw new IllegalArgumentException("no field " + name + " in " + names(fields));
        }
        values.put(name, value == null ? null : f.check(value, where(name)));
        given.put(name, value != null);
        return this;
    }

    private Field field(String name) {
        for (Field f : fields) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        return null;
    }

    /** Where a field's value came from, for messages: {@code --calib-samples} or {@code variants[1].stages[0].calib_samples}. */
    public String where(String name) {
        return cli ? "--" + name.replace('_', '-') : prefix + name;
    }

    /** True when the user set the field (not its default). */
    public boolean given(String name) {
        return given.getOrDefault(name, false);
    }

    public Integer integer(String name) {
        return (Integer) values.get(name);
    }

    public Double number(String name) {
        return (Double) values.get(name);
    }

    public boolean flag(String name) {
        return Boolean.TRUE.equals(values.get(name));
    }

    public String text(String name) {
        return (String) values.get(name);
    }

    @SuppressWarnings("unchecked")
    public List<String> list(String name) {
        Object v = values.get(name);
        return v == null ? null : (List<String>) v;
    }

    /** A {@link dev.tern.compress.BadInputException} about one field. */
    public BadInputException bad(String name, String message) {
        return new BadInputException(where(name) + ": " + message);
    }

    /** Every field's value, in field order, for provenance. */
    public Map<String, Object> values() {
        return Collections.unmodifiableMap(values);
    }

    static String names(List<Field> fields) {
        StringBuilder sb = new StringBuilder();
        for (Field f : fields) {
            sb.append(sb.length() == 0 ? "" : ", ").append(f.name());
        }
        return sb.toString();
    }
}
