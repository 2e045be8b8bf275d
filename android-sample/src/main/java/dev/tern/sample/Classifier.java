package dev.tern.sample;

import dev.tern.runtime.Backend;
import dev.tern.runtime.MulticlassResult;
import dev.tern.runtime.MultilabelResult;
import dev.tern.runtime.Results;
import dev.tern.runtime.Session;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.InputSpec;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A Multi-Fashion model and its session: uint8 canvas in, {@link Prediction} out. Plain Java
 * (no Android classes) so that the app and the JVM tests run the very same code. Not thread
 * safe: the app calls it from one worker thread.
 */
public final class Classifier implements Closeable {
    private final String name;
    private final TernModel model;
    private final Session session;
    private final InputSpec input;
    private final float[] x;

    private Classifier(String name, TernModel model) {
        this.name = name;
        this.model = model;
        this.input = model.def().inputs().get(0);
        java.util.List<String> tasks = Arrays.asList(model.allTasks().names());
        for (String task : new String[] {"left", "right", "present"}) {
            if (!tasks.contains(task)) {
                throw new IllegalArgumentException(name + " has no task '" + task + "' (tasks: " + tasks + ")");
            }
        }
        this.x = new float[input.sampleSize()];
        this.session = model.newSession();
    }

    /** Reads a .tern model from a stream (an app asset) with the platform's default backend. */
    public static Classifier load(String name, InputStream in) throws IOException {
        return new Classifier(name, TernModel.load(in));
    }

    /** The same, on a chosen backend (the JVM tests use the vector backend as the reference). */
    public static Classifier load(String name, InputStream in, Backend backend) throws IOException {
        return new Classifier(name, TernModel.load(in, backend));
    }

    public String name() {
        return name;
    }

    public TernModel model() {
        return model;
    }

    public Backend backend() {
        return model.backend();
    }

    /** Runs one canvas of uint8 pixels through the model. */
    public Prediction predict(byte[] pixels) {
        Results r = run(pixels);
        MulticlassResult left = r.multiclass("left");
        MulticlassResult right = r.multiclass("right");
        MultilabelResult present = r.multilabel("present");
        int l = left.argmax(0);
        int rt = right.argmax(0);
        int n = present.size();
        float[] p = new float[n];
        boolean[] flags = new boolean[n];
        for (int c = 0; c < n; c++) {
            p[c] = present.probability(0, c);
            flags[c] = present.isPresent(0, c);
        }
        return new Prediction(name, l, left.probability(0, l), rt, right.probability(0, rt), p, flags, left.labels());
    }

    /** The median wall time of one inference in nanoseconds over {@code runs} runs, after {@code runs / 4 + 1} warm-up runs. */
    public long p50Nanos(byte[] pixels, int runs) {
        if (runs < 1) {
            throw new IllegalArgumentException("runs must be at least 1, got " + runs);
        }
        for (int i = 0; i < runs / 4 + 1; i++) {
            run(pixels);
        }
        long[] t = new long[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            run(pixels);
            t[i] = System.nanoTime() - t0;
        }
        Arrays.sort(t);
        return t[(runs - 1) / 2];
    }

    private Results run(byte[] pixels) {
        if (pixels.length != x.length) {
            throw new IllegalArgumentException("a canvas of " + x.length + " pixels is expected, found " + pixels.length);
        }
        int channels = input.sampleShape()[input.sampleShape().length - 1];
        for (int i = 0; i < x.length; i++) {
            x[i] = input.normalize(pixels[i] & 0xFF, i % channels);
        }
        return session.run(x);
    }

    @Override
    public void close() {
        session.close();
    }
}
