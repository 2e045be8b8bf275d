package dev.tern.runtime;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Plan;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.TaskSpec;
import dev.tern.runtime.model.Tensor;
import dev.tern.runtime.model.ValueType;

import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a {@link TernModel}. A session owns all memory inference needs, allocated once when
 * it is created; {@link #run(float[], TaskSet)} allocates nothing. Not thread-safe: use one
 * session per thread (sessions of one model share its weights). A run that starts while
 * another thread's run of the same session is under way throws
 * {@link ConcurrentModificationException} instead of mixing both inputs' activations into
 * wrong outputs (fail-fast and best-effort, as the JDK's collections: a run that does not
 * overlap another is not caught, nor are results read while another thread runs).
 *
 * <p>With the finite check on (the default), NaN or infinite inputs are rejected, and so are
 * outputs that came out NaN or infinite from finite inputs (values near the float range, such
 * as 3e38, overflow inside the network): a run never returns non-finite scores as a prediction.
 *
 * <p>The returned {@link Results} belong to the session and are overwritten by the next run.
 */
public final class Session implements AutoCloseable {
    private final TernModel model;
    private final Plan plan;
    private final SessionOptions options;
    private final int inputOffset;
    private final int inputSize;
    /** Per input (model order): values per sample, and the fixed batch or -1; cached so run() allocates nothing. */
    private final int[] sampleSizes;
    private final int[] fixedBatch;
    private final int[] taskOffsets;
    /** Values per sample of each task's output, for the finite check of the outputs. */
    private final int[] taskSizes;
    /** The thread whose run is under way, or null: one compare-and-set per run. */
    private final AtomicReference<Thread> runner = new AtomicReference<>();
    private float[] arena;
    private Arena memory;
    /** With threads > 1: one arena view (shared activations, own scratch) and one worker per extra thread. */
    private final Arena[] workerMemory;
    private final java.util.concurrent.ExecutorService workers;
    private final Results results;
    /** Node that writes each value (absent for inputs), and the nodes the last run computed. */
    private final java.util.Map<String, Integer> producers;
    private boolean[] lastNodes;

    Session(TernModel model, SessionOptions options) {
        this.model = model;
        this.plan = model.plan();
        this.options = options;
        ModelDef def = model.def();
        InputSpec in = def.inputs().get(0);
        this.inputOffset = plan.offset(in.name());
        this.inputSize = in.sampleSize();
        this.sampleSizes = new int[def.inputs().size()];
        this.fixedBatch = new int[def.inputs().size()];
        for (int i = 0; i < sampleSizes.length; i++) {
            sampleSizes[i] = def.inputs().get(i).sampleSize();
            fixedBatch[i] = def.inputs().get(i).shape()[0];
        }
        this.taskOffsets = new int[def.tasks().size()];
        this.taskSizes = new int[def.tasks().size()];
        for (int t = 0; t < taskOffsets.length; t++) {
            taskOffsets[t] = plan.offset(def.tasks().get(t).output());
            taskSizes[t] = (int) Tensor.elementCount(def.shapeOf(def.tasks().get(t).output()));
        }
        long arenaSize = (long) plan.stride() * options.maxBatch();
        if (arenaSize > Integer.MAX_VALUE - 8) {
            throw new InvalidInputException("batch " + options.maxBatch() + " needs " + arenaSize
                    + " floats of activations, more than one array holds");
        }
        long int8Size = (long) plan.int8Stride() * options.maxBatch();
        if (int8Size > Integer.MAX_VALUE - 8) {
            throw new InvalidInputException("batch " + options.maxBatch() + " needs " + int8Size
                    + " bytes of int8 activations, more than one array holds");
        }
        this.arena = new float[(int) arenaSize];
        this.memory = new Arena(arena, new byte[(int) int8Size], new float[Math.max(plan.scratchFloats(), 1)],
                new int[Math.max(plan.scratchInts(), 1)], new long[Math.max(plan.scratchLongs(), 1)]);
        int threads = Math.min(options.threads(), options.maxBatch());
        this.workerMemory = new Arena[threads - 1];
        for (int w = 0; w < workerMemory.length; w++) {
            workerMemory[w] = new Arena(memory.f, memory.q, new float[Math.max(plan.scratchFloats(), 1)],
                    new int[Math.max(plan.scratchInts(), 1)], new long[Math.max(plan.scratchLongs(), 1)]);
        }
        this.workers = threads > 1 ? java.util.concurrent.Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "tern-session-worker");
            t.setDaemon(true);
            return t;
        }) : null;
        this.results = new Results(def.tasks(), options.maxBatch());
        this.producers = def.producers();
    }

    public TernModel model() {
        return model;
    }

    public SessionOptions options() {
        return options;
    }

    /** Runs every task on the input (one sample or a batch of whole samples, flattened). */
    public Results run(float[] input) {
        return run(input, model.allTasks());
    }

    /**
     * Runs the named tasks only (all tasks when none are named). Resolving names costs a
     * little allocation; for allocation-free runs resolve a {@link TaskSet} once.
     */
    public Results run(float[] input, String... tasks) {
        return run(input, model.taskSet(tasks));
    }

    /**
     * Runs the given tasks: only the nodes their heads need are computed.
     *
     * @param input the model's single input, normalized, {@code batch * sampleSize} values in the
     *              input's layout (NHWC for images); batch is at most {@link SessionOptions#maxBatch()}
     * @throws InvalidInputException on a wrong length, NaN or infinite values (unless the
     *                               session's finite check is off), or a task set of another model
     */
    public Results run(float[] input, TaskSet tasks) {
        enter();
        try {
            return execute(tasks, load(input));
        } finally {
            runner.set(null);
        }
    }

    /** Tests only: marks a run as under way on this thread, as {@link #run} does. */
    void enterForTest() {
        enter();
    }

    /** Tests only: ends what {@link #enterForTest} started. */
    void exitForTest() {
        runner.set(null);
    }

    /** Marks a run as under way on this thread; fails if another thread's run is. */
    private void enter() {
        Thread me = Thread.currentThread();
        if (!runner.compareAndSet(null, me)) {
            Thread other = runner.get();
            throw new ConcurrentModificationException("session used by two threads at once: thread '" + me.getName()
                    + "' started a run while thread '" + (other == null ? "?" : other.getName())
                    + "' was running it; a session is not thread-safe, give each thread its own (TernModel.newSession)");
        }
    }

    /** Checks the single input and copies it into the arena; returns the batch. */
    private int load(float[] input) {
        float[] a = arena;
        if (a == null) {
            throw new IllegalStateException("session is closed");
        }
        if (model.def().inputs().size() != 1) {
            throw new InvalidInputException("model has " + model.def().inputs().size()
                    + " inputs; use run(Map, TaskSet)");
        }
        int batch = checkInput(0, input);
        System.arraycopy(input, 0, a, inputOffset, inputSize);
        for (int s = 1; s < batch; s++) {
            System.arraycopy(input, s * inputSize, a, inputOffset + s * plan.stride(), inputSize);
        }
        return batch;
    }

    /**
     * Op profiling, as TFLite's benchmark tool and ONNX Runtime's profiler give it: runs the
     * tasks on {@code input} {@code warmup} times, then {@code runs} times timing each node's
     * kernel, on this thread only (the session's worker threads are not used). Returns, per
     * node in graph order ({@link TernModel#kernels()}'s order), the median nanoseconds of its
     * kernel over the timed runs: -1 for a node the tasks do not need, 0 for one whose work a
     * fused kernel did with the node before it. Each timing adds a few tens of nanoseconds;
     * the sum is close to, not equal to, the time of {@link #run}. Afterwards the session holds
     * the last run's outputs, as after {@link #run(float[], TaskSet)}.
     */
    public long[] profileNodes(float[] input, TaskSet tasks, int warmup, int runs) {
        if (tasks.model() != model) {
            throw new InvalidInputException("task set belongs to another model");
        }
        if (warmup < 0 || runs < 1) {
            throw new IllegalArgumentException("warmup must be >= 0 and runs >= 1, got " + warmup + " and " + runs);
        }
        enter();
        try {
            return profile(input, tasks, warmup, runs);
        } finally {
            runner.set(null);
        }
    }

    private long[] profile(float[] input, TaskSet tasks, int warmup, int runs) {
        boolean[] need = tasks.nodes();
        long[][] t = new long[need.length][runs];
        int batch = 0;
        for (int r = -warmup; r < runs; r++) {
            batch = load(input);
            for (int i = 0; i < need.length; i++) {
                if (need[i]) {
                    long t0 = System.nanoTime();
                    plan.kernel(i).run(memory, 0, batch);
                    if (r >= 0) {
                        t[i][r] = System.nanoTime() - t0;
                    }
                }
            }
        }
        finish(need, tasks, batch);
        long[] p50 = new long[need.length];
        for (int i = 0; i < need.length; i++) {
            if (!need[i]) {
                p50[i] = -1;
            } else if (plan.isFusedAway(i)) {
                p50[i] = 0;
            } else {
                Arrays.sort(t[i]);
                p50[i] = t[i][(runs - 1) / 2];
            }
        }
        return p50;
    }

    /** Runs a model with several inputs, given by name. */
    public Results run(Map<String, float[]> inputs, TaskSet tasks) {
        enter();
        try {
            return runInputs(inputs, tasks);
        } finally {
            runner.set(null);
        }
    }

    private Results runInputs(Map<String, float[]> inputs, TaskSet tasks) {
        float[] a = arena;
        if (a == null) {
            throw new IllegalStateException("session is closed");
        }
        List<InputSpec> specs = model.def().inputs();
        if (inputs.size() != specs.size()) {
            throw new InvalidInputException("model expects inputs " + names(specs) + ", got " + inputs.keySet());
        }
        int batch = -1;
        for (int i = 0; i < specs.size(); i++) {
            InputSpec spec = specs.get(i);
            float[] x = inputs.get(spec.name());
            if (x == null) {
                throw new InvalidInputException("missing input '" + spec.name() + "', model expects " + names(specs));
            }
            int b = checkInput(i, x);
            if (batch >= 0 && b != batch) {
                throw new InvalidInputException("inputs hold different batch sizes: " + batch + " and " + b);
            }
            batch = b;
            int off = plan.offset(spec.name());
            int size = sampleSizes[i];
            for (int s = 0; s < b; s++) {
                System.arraycopy(x, s * size, a, off + s * plan.stride(), size);
            }
        }
        return execute(tasks, batch);
    }

    private Results execute(TaskSet tasks, int batch) {
        if (tasks.model() != model) {
            throw new InvalidInputException("task set belongs to another model");
        }
        float[] a = arena;
        if (a == null) {
            throw new IllegalStateException("session is closed");
        }
        boolean[] need = tasks.nodes();
        int parts = Math.min(workerMemory.length + 1, batch);
        if (parts <= 1) {
            runNodes(memory, need, 0, batch);
        } else {
            // Samples are independent: each part runs the whole graph on its own sample range.
            java.util.List<java.util.concurrent.Future<?>> pending = new java.util.ArrayList<>(parts - 1);
            for (int p = 1; p < parts; p++) {
                Arena m = workerMemory[p - 1];
                int from = batch * p / parts;
                int to = batch * (p + 1) / parts;
                pending.add(workers.submit(() -> runNodes(m, need, from, to)));
            }
            runNodes(memory, need, 0, batch / parts);
            for (java.util.concurrent.Future<?> f : pending) {
                try {
                    f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while the session's workers ran", e);
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof RuntimeException) {
                        throw (RuntimeException) c;
                    }
                    throw new IllegalStateException(c);
                }
            }
        }
        return finish(need, tasks, batch);
    }

    /** Records what the run computed and fills the results of its tasks. */
    private Results finish(boolean[] need, TaskSet tasks, int batch) {
        lastNodes = need;
        results.clear(batch);
        for (int t : tasks.taskIndices()) {
            if (options.checkFinite()) {
                checkFiniteOutput(t, batch);
            }
            results.fill(t, arena, taskOffsets[t], plan.stride(), batch);
        }
        return results;
    }

    /** Finite inputs can still overflow inside the network; such scores are not a prediction. */
    private void checkFiniteOutput(int task, int batch) {
        float[] a = arena;
        int size = taskSizes[task];
        for (int s = 0; s < batch; s++) {
            int off = taskOffsets[task] + s * plan.stride();
            for (int i = 0; i < size; i++) {
                float v = a[off + i];
                if (v != v || v == Float.POSITIVE_INFINITY || v == Float.NEGATIVE_INFINITY) {
                    TaskSpec spec = model.def().tasks().get(task);
                    throw new InvalidInputException("task '" + spec.name() + "' computed " + v + " (output '"
                            + spec.output() + "', sample " + s + ", index " + i + ") from finite inputs: the input's values"
                            + " overflow inside the network; inputs must be normalized as the model expects"
                            + " (see SessionOptions.withFiniteCheck)");
                }
            }
        }
    }

    private void runNodes(Arena m, boolean[] need, int from, int to) {
        for (int i = 0; i < need.length; i++) {
            if (need[i]) {
                plan.kernel(i).run(m, from, to);
            }
        }
    }

    private int checkInput(int input, float[] x) {
        InputSpec spec = model.def().inputs().get(input);
        int size = sampleSizes[input];
        if (x == null || x.length == 0 || x.length % size != 0) {
            throw new InvalidInputException("input '" + spec.name() + "' expects " + shape(spec, 1) + " (" + size
                    + " values per sample), got " + (x == null ? "null" : x.length + " values"));
        }
        int batch = x.length / size;
        if (batch > options.maxBatch()) {
            throw new InvalidInputException("input '" + spec.name() + "' holds a batch of " + batch
                    + " but the session was made for at most " + options.maxBatch() + " (SessionOptions.withMaxBatch)");
        }
        int fixed = fixedBatch[input];
        if (fixed > 0 && batch != fixed) {
            throw new InvalidInputException("input '" + spec.name() + "' expects batch " + fixed + ", got " + batch);
        }
        if (options.checkFinite() && !allFinite(x)) {
            for (int i = 0; i < x.length; i++) {
                float v = x[i];
                if (v != v || v == Float.POSITIVE_INFINITY || v == Float.NEGATIVE_INFINITY) {
                    throw new InvalidInputException("input '" + spec.name() + "' holds " + v + " at index " + i
                            + "; inputs must be finite (NaN/Inf are rejected, see SessionOptions.withFiniteCheck)");
                }
            }
        }
        return batch;
    }

    /**
     * True when no value is NaN or infinite: their exponent bits are all ones, the largest
     * exponent field there is. A branch-free max over the fields, a loop C2 (and ART) vectorize;
     * the scan that names the first bad index runs only when this fails.
     */
    static boolean allFinite(float[] x) {
        int max = 0;
        for (int i = 0; i < x.length; i++) {
            max = Math.max(max, Float.floatToRawIntBits(x[i]) & 0x7F800000);
        }
        return max != 0x7F800000;
    }

    private static String shape(InputSpec spec, int batch) {
        int[] s = spec.shape();
        s[0] = batch;
        return Arrays.toString(s);
    }

    private static String names(List<InputSpec> specs) {
        StringBuilder sb = new StringBuilder("[");
        for (InputSpec s : specs) {
            sb.append(sb.length() > 1 ? ", " : "").append(s.name());
        }
        return sb.append(']').toString();
    }

    /**
     * A copy of graph output or task output {@code name} for one sample of the last run.
     * Asking for an output whose nodes the last run skipped (another task set) throws.
     */
    public float[] output(String name, int sample) {
        List<String> outs = model.def().outputs();
        boolean ok = outs.contains(name);
        for (TaskSpec t : model.def().tasks()) {
            ok |= t.output().equals(name);
        }
        if (!ok) {
            throw new InvalidInputException("'" + name + "' is not a graph or task output; outputs are " + outs);
        }
        Integer producer = producers.get(name);
        if (lastNodes == null || producer != null && !lastNodes[producer]) {
            throw new InvalidInputException("'" + name + "' was not computed by the last run"
                    + (lastNodes == null ? " (no run yet)" : "; run the tasks that need it"));
        }
        if (sample < 0 || sample >= results.batch()) {
            throw new InvalidInputException("sample " + sample + " outside the last batch of " + results.batch());
        }
        int n = (int) Tensor.elementCount(model.def().shapeOf(name));
        int off = plan.offset(name) + sample * plan.stride();
        return Arrays.copyOfRange(arena, off, off + n);
    }

    /**
     * The arena's current content for a value, computed or not (int8 values dequantized):
     * for white-box tests only.
     */
    float[] peek(String name, int sample) {
        int n = (int) Tensor.elementCount(model.def().shapeOf(name));
        ValueType t = model.def().typeOf(name);
        if (t.isInt8()) {
            int off = plan.offset(name) + sample * plan.int8Stride();
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                out[i] = t.scale() * (memory.q[off + i] - t.zeroPoint());
            }
            return out;
        }
        int off = plan.offset(name) + sample * plan.stride();
        return Arrays.copyOfRange(arena, off, off + n);
    }

    /** Releases the session's buffers; later runs throw IllegalStateException. */
    @Override
    public void close() {
        arena = null;
        memory = null;
        if (workers != null) {
            workers.shutdownNow();
        }
    }
}
