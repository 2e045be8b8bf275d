package dev.tern.compress.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.tern.compress.onnx.proto.Onnx.ModelProto;
import dev.tern.compress.onnx.proto.Onnx.TensorProto;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fills the weights of a stripped ONNX fixture (models/families/README.md): every
 * initializer whose data was taken out carries its recipe in its doc_string,
 * {@code {"fill":"tern-fill-v1","seed":S,"lo":LO,"hi":HI}}, and gets back, as little-endian
 * float32 raw_data, exactly the values that models/families/export_families.py loaded into
 * the PyTorch model before exporting it:
 *
 * <pre>
 *   z = seed * 0x9E3779B97F4A7C15 + i                 (64-bit, wrapping)
 *   z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9
 *   z = (z ^ (z >>> 27)) * 0x94D049BB133111EB
 *   z =  z ^ (z >>> 31)
 *   u = (z >>> 40) * 2^-24                            (top 24 bits, exact)
 *   value i = (float) (lo + (hi - lo) * u)            (double arithmetic, one rounding)
 * </pre>
 *
 * Initializers that kept their data, and Constant nodes, are left as they are.
 */
public final class SeededOnnx {
    /** The fill scheme this class implements (the recipes' "fill" value). */
    public static final String SCHEME = "tern-fill-v1";

    private static final ObjectMapper JSON = new ObjectMapper();

    private SeededOnnx() {
    }

    /** Value {@code i} of the tensor with recipe (seed, lo, hi). */
    public static float value(long seed, long i, double lo, double hi) {
        long z = seed * 0x9E3779B97F4A7C15L + i;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        double u = (z >>> 40) * 0x1.0p-24;
        return (float) (lo + (hi - lo) * u);
    }

    /** The {@code n} values of the recipe, in flat (row-major) order. */
    public static float[] fill(long seed, int n, double lo, double hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = value(seed, i, lo, hi);
        }
        return v;
    }

    /** Reads a stripped model.onnx and fills it. */
    public static ModelProto read(Path stripped) throws IOException {
        try (InputStream in = Files.newInputStream(stripped)) {
            return fill(ModelProto.parseFrom(in));
        }
    }

    /** The filled model's bytes, e.g. for ONNX Runtime's {@code createSession(byte[])}. */
    public static byte[] readBytes(Path stripped) throws IOException {
        return read(stripped).toByteArray();
    }

    /** Is {@code t} a stripped initializer, one with a recipe instead of data? */
    public static boolean isStripped(TensorProto t) {
        return recipe(t) != null;
    }

    /** A copy of {@code model} in which every stripped initializer has its data back. */
    public static ModelProto fill(ModelProto model) {
        ModelProto.Builder m = model.toBuilder();
        for (TensorProto.Builder t : m.getGraphBuilder().getInitializerBuilderList()) {
            JsonNode r = recipe(t.build());
            if (r == null) {
                continue;
            }
            if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
                throw new IllegalArgumentException(t.getName() + ": a fill recipe on a tensor of data type " + t.getDataType());
            }
            if (!t.getRawData().isEmpty() || t.getFloatDataCount() > 0) {
                throw new IllegalArgumentException(t.getName() + ": a fill recipe on a tensor that has data");
            }
            long n = 1;
            for (long d : t.getDimsList()) {
                n = Math.multiplyExact(n, d);
            }
            if (n > (Integer.MAX_VALUE - 8) / 4) {
                throw new IllegalArgumentException(t.getName() + ": " + n + " values is too many for raw_data");
            }
            t.setRawData(rawData(fill(r.get("seed").asLong(), (int) n, r.get("lo").asDouble(), r.get("hi").asDouble())));
        }
        return m.build();
    }

    /** The recipe in {@code t}'s doc_string, or null when it has none; an unknown scheme is an error. */
    private static JsonNode recipe(TensorProto t) {
        if (!t.getDocString().startsWith("{")) {
            return null;
        }
        JsonNode r;
        try {
            r = JSON.readTree(t.getDocString());
        } catch (IOException e) {
            return null;
        }
        if (r == null || !r.isObject() || !r.has("fill")) {
            return null;
        }
        if (!SCHEME.equals(r.get("fill").asText())) {
            throw new IllegalArgumentException(t.getName() + ": fill scheme " + r.get("fill") + ", this reader knows " + SCHEME);
        }
        for (String k : new String[] {"seed", "lo", "hi"}) {
            if (!r.hasNonNull(k) || !r.get(k).isNumber()) {
                throw new IllegalArgumentException(t.getName() + ": fill recipe without a numeric " + k + ": " + t.getDocString());
            }
        }
        if (!r.get("seed").canConvertToLong() || !r.get("seed").isIntegralNumber()) {
            throw new IllegalArgumentException(t.getName() + ": fill seed is not a 64-bit integer: " + r.get("seed"));
        }
        return r;
    }

    /** Raw bytes of {@code v} as little-endian float32. */
    static ByteString rawData(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return UnsafeByteOperations.unsafeWrap(b.array());
    }
}
