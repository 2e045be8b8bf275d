package dev.tern.runtime;

import dev.tern.runtime.format.TernReader;
import dev.tern.runtime.format.TernWriter;
import dev.tern.runtime.internal.Plan;
import dev.tern.runtime.internal.Platform;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.TaskSpec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A loaded model, compiled for one kernel backend. Immutable and thread-safe: share one
 * instance between threads and give each thread its own {@link Session}.
 *
 * <pre>{@code
 * TernModel model = TernModel.load(Path.of("hard.tern"));
 * try (Session session = model.newSession()) {
 *     Results r = session.run(pixels);                 // all tasks
 *     int left = r.multiclass("left").argmax(0);
 * }
 * }</pre>
 */
public final class TernModel {
    private final ModelDef def;
    private final Plan plan;
    private volatile long sizeBytes;
    private final List<TaskSet> single = new ArrayList<>();
    private final TaskSet all;

    private TernModel(ModelDef def, Backend backend, PlanOptions options, long sizeBytes) {
        this.def = def;
        this.plan = new Plan(def, Platform.check(backend), options);
        this.sizeBytes = sizeBytes;
        int[] allIdx = new int[def.tasks().size()];
        for (int t = 0; t < allIdx.length; t++) {
            allIdx[t] = t;
            single.add(new TaskSet(this, new int[] {t}));
        }
        this.all = new TaskSet(this, allIdx, true);
    }

    /** Loads (memory-maps) a {@code .tern} file with the default backend. */
    public static TernModel load(Path path) throws IOException {
        return load(path, Platform.defaultBackend());
    }

    public static TernModel load(Path path, Backend backend) throws IOException {
        return load(path, backend, PlanOptions.fromSystemProperties());
    }

    /** Loads a {@code .tern} file and compiles it for {@code backend} as {@code options} say (kernel choice). */
    public static TernModel load(Path path, Backend backend, PlanOptions options) throws IOException {
        ModelDef def = TernReader.read(path);
        return new TernModel(def, backend, options, java.nio.file.Files.size(path));
    }

    /** Loads a model from a buffer holding a whole {@code .tern} file; the buffer is not copied. */
    public static TernModel load(ByteBuffer file) {
        return load(file, Platform.defaultBackend());
    }

    public static TernModel load(ByteBuffer file, Backend backend) {
        int size = file.remaining();
        return new TernModel(TernReader.read(file), backend, PlanOptions.fromSystemProperties(), size);
    }

    /** Reads a whole {@code .tern} file from a stream (for example an Android asset). */
    public static TernModel load(InputStream in) throws IOException {
        return load(in, Platform.defaultBackend());
    }

    public static TernModel load(InputStream in, Backend backend) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) > 0; ) {
            if (out.size() > Integer.MAX_VALUE - 64 - n) {
                throw new ModelFormatException("stream is larger than any model this reader accepts (2 GiB)");
            }
            out.write(buf, 0, n);
        }
        return load(ByteBuffer.wrap(out.toByteArray()).asReadOnlyBuffer(), backend);
    }

    /** Compiles an in-memory model (for example one built with {@code ModelBuilder}). */
    public static TernModel of(ModelDef def) {
        return of(def, Platform.defaultBackend());
    }

    /** Compiles an in-memory model for {@code backend}, with the plan options of the {@code -Dtern.*} switches. */
    public static TernModel of(ModelDef def, Backend backend) {
        return of(def, backend, PlanOptions.fromSystemProperties());
    }

    /** Compiles an in-memory model for {@code backend} as {@code options} say (kernel choice). */
    public static TernModel of(ModelDef def, Backend backend, PlanOptions options) {
        return new TernModel(def, backend, options, -1);
    }

    /** The backend chosen when none is given: {@code -Dtern.kernels}, else vector if available, else scalar. */
    public static Backend defaultBackend() {
        return Platform.defaultBackend();
    }

    /** Whether the Vector API backend can run in this JVM, and if not, why. */
    public static String vectorBackendStatus() {
        return Platform.vectorAvailable() ? "available" : Platform.vectorProblem();
    }

    public ModelDef def() {
        return def;
    }

    public Backend backend() {
        return plan.backend;
    }

    /** Size of the model file in bytes (for an in-memory model: of its file image, computed once). */
    public long sizeBytes() {
        long s = sizeBytes;
        if (s < 0) {
            s = TernWriter.toBytes(def).length;
            sizeBytes = s;
        }
        return s;
    }

    public List<TaskSpec> tasks() {
        return def.tasks();
    }

    /** Every node's kernel name in graph order, e.g. {@code conv1 -> f32-conv2d-scalar}. */
    public Map<String, String> kernels() {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < plan.nodeCount(); i++) {
            m.put(def.nodes().get(i).name(), plan.kernelName(i));
        }
        return Collections.unmodifiableMap(m);
    }

    /** The backend each node's kernel actually comes from (differs from {@link #backend()} after a fallback). */
    public Map<String, Backend> kernelBackends() {
        Map<String, Backend> m = new LinkedHashMap<>();
        for (int i = 0; i < plan.nodeCount(); i++) {
            m.put(def.nodes().get(i).name(), plan.spec(i).backend);
        }
        return Collections.unmodifiableMap(m);
    }

    /** Floats of activation memory one sample needs (after sharing). */
    public int arenaFloatsPerSample() {
        return plan.stride();
    }

    /** All tasks, plus every node the graph outputs need. */
    public TaskSet allTasks() {
        return all;
    }

    /**
     * A reusable selection of tasks; running it computes only the nodes these heads need.
     * Resolve it once and pass it to {@link Session#run(float[], TaskSet)} for allocation-free runs.
     */
    public TaskSet taskSet(String... names) {
        if (names.length == 0) {
            return all;
        }
        int[] idx = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            idx[i] = taskIndex(names[i]);
            for (int j = 0; j < i; j++) {
                if (idx[j] == idx[i]) {
                    throw new InvalidInputException("task '" + names[i] + "' named twice");
                }
            }
        }
        return names.length == 1 ? single.get(idx[0]) : new TaskSet(this, idx);
    }

    int taskIndex(String name) {
        List<TaskSpec> tasks = def.tasks();
        for (int t = 0; t < tasks.size(); t++) {
            if (tasks.get(t).name().equals(name)) {
                return t;
            }
        }
        List<String> names = new ArrayList<>();
        for (TaskSpec t : tasks) {
            names.add(t.name());
        }
        throw new InvalidInputException("unknown task '" + name + "', the model has " + names);
    }

    Plan plan() {
        return plan;
    }

    /** A new session with batch size 1 and input checks on. */
    public Session newSession() {
        return new Session(this, SessionOptions.defaults());
    }

    public Session newSession(SessionOptions options) {
        return new Session(this, options);
    }

}
