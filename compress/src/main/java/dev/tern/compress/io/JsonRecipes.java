package dev.tern.compress.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.tern.compress.BadInputException;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a JSON recipe strictly ({@link #strictMapper}): unknown fields, duplicate keys, text
 * after the value, nulls for numbers, strings for numbers and floats for integers are errors,
 * and every Jackson error becomes one
 * {@link BadInputException} line naming the file and the field's path, e.g.
 * {@code variants[0].stages[1].sparsity}.
 */
public final class JsonRecipes {
    private JsonRecipes() {
    }

    /**
     * The recipe in {@code path} as a {@code type}. {@code unknownType} completes the message
     * when a polymorphic field names an unknown subtype, after "names an unknown ": e.g.
     * "stage" then the type id and "; stages are distill, ...".
     */
    public static <T> T read(Path path, Class<T> type, String typeField, String unknownType) throws IOException {
        ObjectMapper mapper = strictMapper();
        JsonNode tree = null;
        try {
            // a tree first: an error about a field can then show the value as the user wrote it
            tree = mapper.readTree(path.toFile());
            return mapper.treeToValue(tree, type);
        } catch (InvalidTypeIdException e) {
            throw new BadInputException("recipe " + path + ": field '" + fieldPath(e) + "." + typeField + "' names an unknown "
                    + String.format(unknownType, e.getTypeId()));
        } catch (UnrecognizedPropertyException e) {
            throw new BadInputException("recipe " + path + ": unknown field '" + fieldPath(e) + "'");
        } catch (JsonMappingException e) {
            throw new BadInputException("recipe " + path + ": " + describe(e, tree));
        } catch (JsonProcessingException e) {
            throw new BadInputException("recipe " + path + " is " + describe(e, null));
        } catch (FileNotFoundException e) {
            throw new NoSuchFileException(path.toString(), null, "no such recipe file");
        }
    }

    /**
     * A mapper that reads JSON strictly: no text after the value, no key twice in one
     * object, no unknown field, no null for a number, and no coercion between kinds (not
     * {@code "3"} for 3, not {@code 3.5} or {@code 3.0} for an integer, not {@code 3} for a
     * string). Jackson's default accepts all of these silently (the last duplicate wins).
     */
    public static ObjectMapper strictMapper() {
        ObjectMapper m = new ObjectMapper()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        for (LogicalType t : new LogicalType[] {LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
            m.coercionConfigFor(t).setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        m.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return m;
    }

    /**
     * A Jackson error in our words, never Jackson's ("coercion", "CoercionConfig", class
     * names): {@code field 'epochs': expected an integer, found the string "3"}, or for
     * text that is not JSON, {@code not valid JSON (line 3): the key 'epochs' appears twice}.
     */
    public static String describe(JsonProcessingException e, JsonNode tree) {
        if (e instanceof JsonMappingException && !((JsonMappingException) e).getPath().isEmpty()) {
            JsonMappingException m = (JsonMappingException) e;
            Class<?> target = m instanceof MismatchedInputException ? ((MismatchedInputException) m).getTargetType() : null;
            if (m.getCause() instanceof InputCoercionException) {
                target = ((InputCoercionException) m.getCause()).getTargetType();
            }
            boolean range = m.getCause() instanceof InputCoercionException;
            return "field '" + fieldPath(m) + "': expected " + kind(target) + ", found " + found(m, tree) + (range ? " (out of range)" : "");
        }
        String msg = firstLine(e.getOriginalMessage());
        if (msg.startsWith("Duplicate field ")) {
            msg = "the key " + msg.substring("Duplicate field ".length()) + " appears twice in one object";
        } else if (msg.startsWith("Trailing token")) {
            msg = "text after the end of the JSON value";
        }
        long line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
        return "not valid JSON" + (line > 0 ? " (line " + line + ")" : "") + ": " + msg;
    }

    private static String kind(Class<?> t) {
        if (t == null) {
            return "another value";
        } else if (t == int.class || t == Integer.class || t == long.class || t == Long.class || t == short.class) {
            return "an integer";
        } else if (t == double.class || t == Double.class || t == float.class || t == Float.class) {
            return "a number";
        } else if (t == boolean.class || t == Boolean.class) {
            return "true or false";
        } else if (t == String.class || t.isEnum()) {
            return "a string";
        } else if (java.util.Collection.class.isAssignableFrom(t) || t.isArray()) {
            return "a list";
        }
        return "an object";
    }

    /** The value at the error's path in {@code tree}, as written: {@code the string "3"}, {@code 3.0}, {@code a list}. */
    private static String found(JsonMappingException e, JsonNode tree) {
        JsonNode v = tree;
        for (JsonMappingException.Reference ref : e.getPath()) {
            v = v == null ? null : ref.getFieldName() != null ? v.get(ref.getFieldName()) : v.get(ref.getIndex());
        }
        if (v == null) {
            return "nothing";
        } else if (v.isTextual()) {
            return "the string " + v;
        } else if (v.isArray()) {
            return "a list";
        } else if (v.isObject()) {
            return "an object";
        }
        return v.toString();
    }

    /** The path of the field an error is about, as {@code a.b[2].c}. */
    public static String fieldPath(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                sb.append(sb.length() > 0 ? "." : "").append(ref.getFieldName());
            } else {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String firstLine(String s) {
        int nl = s == null ? -1 : s.indexOf('\n');
        return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
    }
}
