package dev.tern.runtime.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Immutable op attributes: each value is an {@code Integer}, {@code Float}, {@code String},
 * {@code int[]} or {@code float[]}. Arrays are copied in and out.
 */
public final class Attributes {
    public static final Attributes EMPTY = new Attributes(Collections.emptyMap());

    private final Map<String, Object> values;

    private Attributes(Map<String, Object> values) {
        this.values = values;
    }

    public static Builder builder() {
        return new Builder();
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** Keys in insertion order. */
    public Iterable<String> keys() {
        return values.keySet();
    }

    /** The raw value (arrays copied), or null. */
    public Object get(String key) {
        Object v = values.get(key);
        if (v instanceof int[]) {
            return ((int[]) v).clone();
        }
        if (v instanceof float[]) {
            return ((float[]) v).clone();
        }
        return v;
    }

    public int getInt(String key, int dflt) {
        Object v = values.get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Integer)) {
            throw new IllegalArgumentException("attribute '" + key + "' is " + kind(v) + ", expected int");
        }
        return (Integer) v;
    }

    public float getFloat(String key, float dflt) {
        Object v = values.get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Float)) {
            throw new IllegalArgumentException("attribute '" + key + "' is " + kind(v) + ", expected float");
        }
        return (Float) v;
    }

    public String getString(String key, String dflt) {
        Object v = values.get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof String)) {
            throw new IllegalArgumentException("attribute '" + key + "' is " + kind(v) + ", expected string");
        }
        return (String) v;
    }

    /** The int array under key (a copy), or {@code dflt} when absent. */
    public int[] getInts(String key, int[] dflt) {
        Object v = values.get(key);
        if (v == null) {
            return dflt == null ? null : dflt.clone();
        }
        if (!(v instanceof int[])) {
            throw new IllegalArgumentException("attribute '" + key + "' is " + kind(v) + ", expected int[]");
        }
        return ((int[]) v).clone();
    }

    public float[] getFloats(String key, float[] dflt) {
        Object v = values.get(key);
        if (v == null) {
            return dflt == null ? null : dflt.clone();
        }
        if (!(v instanceof float[])) {
            throw new IllegalArgumentException("attribute '" + key + "' is " + kind(v) + ", expected float[]");
        }
        return ((float[]) v).clone();
    }

    static String kind(Object v) {
        if (v instanceof Integer) {
            return "int";
        }
        if (v instanceof Float) {
            return "float";
        }
        if (v instanceof String) {
            return "string";
        }
        if (v instanceof int[]) {
            return "int[]";
        }
        if (v instanceof float[]) {
            return "float[]";
        }
        return v.getClass().getSimpleName();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            Object v = e.getValue();
            String s = v instanceof int[] ? Arrays.toString((int[]) v)
                    : v instanceof float[] ? Arrays.toString((float[]) v) : String.valueOf(v);
            sb.append(e.getKey()).append('=').append(s);
        }
        return sb.append('}').toString();
    }

    public static final class Builder {
        private final Map<String, Object> values = new LinkedHashMap<>();

        public Builder put(String key, int v) {
            values.put(key, v);
            return this;
        }

        public Builder put(String key, float v) {
            values.put(key, v);
            return this;
        }

        public Builder put(String key, String v) {
            values.put(key, v);
            return this;
        }

        public Builder put(String key, int[] v) {
            values.put(key, v.clone());
            return this;
        }

        public Builder put(String key, float[] v) {
            values.put(key, v.clone());
            return this;
        }

        /** Copies every attribute of {@code a} (later puts of the same key replace them). */
        public Builder putAll(Attributes a) {
            for (String k : a.keys()) {
                values.put(k, a.get(k));
            }
            return this;
        }

        /** Removes a key if present. */
        public Builder remove(String key) {
            values.remove(key);
            return this;
        }

        public Attributes build() {
            return values.isEmpty() ? EMPTY : new Attributes(Collections.unmodifiableMap(new LinkedHashMap<>(values)));
        }
    }
}
