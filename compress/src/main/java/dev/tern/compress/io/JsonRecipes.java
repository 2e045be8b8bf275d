package dev.tern.compress.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.tern.compress.BadInputException;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a JSON recipe (training or compression) strictly: unknown fields, nulls for numbers
 * and floats for integers are errors, and every Jackson error becomes one
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
        ObjectMapper mapper = new ObjectMapper()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        try {
            return mapper.readValue(path.toFile(), type);
        } catch (InvalidTypeIdException e) {
            throw new BadInputException("recipe " + path + ": field '" + fieldPath(e) + "." + typeField + "' names an unknown "
                    + String.format(unknownType, e.getTypeId()));
        } catch (UnrecognizedPropertyException e) {
            throw new BadInputException("recipe " + path + ": unknown field '" + fieldPath(e) + "'");
        } catch (MismatchedInputException e) {
            throw new BadInputException("recipe " + path + ": field '" + fieldPath(e) + "' " + firstLine(e.getOriginalMessage()));
        } catch (JsonMappingException e) {
            throw new BadInputException("recipe " + path + ": " + firstLine(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw new BadInputException("recipe " + path + " is not valid JSON: " + firstLine(e.getOriginalMessage()));
        } catch (FileNotFoundException e) {
            throw new NoSuchFileException(path.toString(), null, "no such recipe file");
        }
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
