package dev.tern.compress.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Named float parameters with TensorFlow shapes, in creation order. Plain Java: moved between graphs. */
final class Weights {
    final Map<String, float[]> values = new LinkedHashMap<>();
    final Map<String, long[]> shapes = new LinkedHashMap<>();

    void put(String name, long[] shape, float[] v) {
        if (values.put(name, v) != null) {
            throw new IllegalStateException("parameter " + name + " defined twice");
        }
        shapes.put(name, shape);
    }

    /** He-uniform weights: U(-sqrt(6 / fanIn), sqrt(6 / fanIn)). */
    void heUniform(String name, long[] shape, int fanIn, Random rnd) {
        float[] v = new float[count(shape)];
        double lim = Math.sqrt(6.0 / fanIn);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((rnd.nextDouble() * 2 - 1) * lim);
        }
        put(name, shape, v);
    }

    void constant(String name, long[] shape, float c) {
        float[] v = new float[count(shape)];
        java.util.Arrays.fill(v, c);
        put(name, shape, v);
    }

    Map<String, float[]> view() {
        return Collections.unmodifiableMap(values);
    }

    long params() {
        long n = 0;
        for (float[] v : values.values()) {
            n += v.length;
        }
        return n;
    }

    static int count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return Math.toIntExact(n);
    }
}
