package dev.tern.compress.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.runtime.TernException;
import dev.tern.compress.data.CanvasSet;
import dev.tern.compress.data.FashionMnist;
import dev.tern.compress.data.MultiFashion;
import dev.tern.compress.eval.Evaluator;
import dev.tern.compress.eval.TernPredictor;
import dev.tern.compress.prune.MaskedFineTuner;
import dev.tern.compress.prune.PolynomialSchedule;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.format.TernWriter;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import org.HdrHistogram.Histogram;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Runs a {@link CompressRecipe}: every stage of every variant, writing each stage's model
 * under {@code OUT/models/<variant>/} and a JSON log per stage under {@code OUT/logs/<variant>/}
 * (per-task metrics, size, params, wall time, what the stage's command reported), then
 * measures every variant's batch-1 latency in one interleaved run, and returns what the
 * report needs. Models and logs are written atomically, the model before its log, so a
 * killed run leaves only complete files and a rerun reuses every stage whose log exists
 * (unless {@code fresh}).
 */
public final class Pipeline {
    /** Runs one {@code tern} command in-process: exit code, with its stdout captured. */
    public interface Cli {
        int run(String[] args, PrintStream out, PrintStream err);
    }

    /** One variant's outcome. */
    public static final class Result {
        public final String name;
        public final String from;
        public final List<String> stages = new ArrayList<>();
        public Path model;
        public long sizeBytes;
        public long params;
        public Map<String, Map<String, Double>> tasks = new LinkedHashMap<>();
        public double p50;
        public double p99;
        /** The median of each latency round, µs, in round order: the spread the report calls noise. */
        public List<Double> roundMedians = new ArrayList<>();
        public double wallSeconds;
        public boolean reused = true;

        Result(String name, String from) {
            this.name = name;
            this.from = from;
        }
    }

    private final CompressRecipe recipe;
    private final Path recipeDir;
    private final Path out;
    private final boolean fresh;
    private final PrintWriter progress;
    private final Cli cli;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private MultiFashion data;
    private CanvasSet test;
    /** Every stage's log and the model it describes, for the latency written into each log. */
    private final Map<Path, Path> stageLogs = new LinkedHashMap<>();
    /** Rounds of the latency measurement; each visits every model once. */
    static final int LATENCY_ROUNDS = 3;
    /** Each model's per-round medians (µs), and the system load average after each probe: for the report. */
    private final Map<Path, List<Double>> roundMedians = new LinkedHashMap<>();
    private final List<Double> loadSamples = new ArrayList<>();

    public Pipeline(CompressRecipe recipe, Path recipeDir, Path out, boolean fresh, PrintWriter progress, Cli cli) {
        this.recipe = recipe;
        this.recipeDir = recipeDir;
        this.out = out;
        this.fresh = fresh;
        this.progress = progress;
        this.cli = cli;
    }

    /** The system load average sampled after each latency probe (negative where the OS has none). */
    public List<Double> loadSamples() {
        return List.copyOf(loadSamples);
    }

    public Path teacher() {
        return recipeDir.resolve(recipe.teacher).normalize();
    }

    public Path dataDir() {
        return recipeDir.resolve(recipe.data).normalize();
    }

    /** Checks that the recipe's files exist before any work starts. */
    public void checkInputs() throws IOException {
        if (!Files.isRegularFile(teacher())) {
            throw new java.nio.file.NoSuchFileException(teacher().toString(), null, "recipe field 'teacher': no such model file");
        }
        if (!Files.isDirectory(dataDir())) {
            throw new java.nio.file.NoSuchFileException(dataDir().toString(), null, "recipe field 'data': no such data folder");
        }
        for (CompressRecipe.Variant v : recipe.variants) {
            for (CompressRecipe.Stage s : v.stages) {
                if (s instanceof CompressRecipe.Distill && ((CompressRecipe.Distill) s).student != null) {
                    Path p = recipeDir.resolve(((CompressRecipe.Distill) s).student);
                    if (!Files.isRegularFile(p)) {
                        throw new java.nio.file.NoSuchFileException(p.toString(), null, "variant " + v.name + ": no such student recipe");
                    }
                }
            }
        }
    }

    /** Runs everything; returns the teacher's result and the variants', in recipe order. */
    public List<Result> run() throws Exception {
        checkInputs();
        data = new MultiFashion(FashionMnist.load(dataDir()));
        test = data.test().subset(Math.min(recipe.evalSamples, data.test().size()));
        int total = 1;
        for (CompressRecipe.Variant v : recipe.variants) {
            total += Math.max(1, v.stages.size());
        }
        int step = 0;
        List<Result> results = new ArrayList<>();
        Result teacher = stage("teacher", null, teacher(), null, 0, ++step, total);
        results.add(teacher);
        Map<String, Result> byName = new LinkedHashMap<>();
        for (CompressRecipe.Variant v : recipe.variants) {
            Path cur = v.from == null ? teacher() : byName.get(v.from).model;
            Result r;
            if (v.stages.isEmpty()) {
                r = stage(v.name, v.from, cur, null, 0, ++step, total);
            } else {
                r = null;
                double wall = v.from == null ? 0 : byName.get(v.from).wallSeconds;
                List<String> descs = new ArrayList<>(v.from == null ? List.of() : byName.get(v.from).stages);
                boolean reused = true;
                for (int i = 0; i < v.stages.size(); i++) {
                    r = stage(v.name, v.from, cur, v.stages.get(i), i + 1, ++step, total);
                    cur = r.model;
                    wall += r.wallSeconds;
                    descs.add(v.stages.get(i).describe());
                    reused &= r.reused;
                }
                r.wallSeconds = wall;
                r.stages.clear();
                r.stages.addAll(descs);
                r.reused = reused;
            }
            byName.put(v.name, r);
            results.add(r);
        }
        Map<Path, double[]> lat = measureLatency(results);
        for (Result r : results) {
            r.p50 = lat.get(r.model)[0];
            r.p99 = lat.get(r.model)[1];
            r.roundMedians = new ArrayList<>(roundMedians.get(r.model));
        }
        // every stage's log gets its model's latency from this run (the machine of the day)
        for (Map.Entry<Path, Path> e : stageLogs.entrySet()) {
            ObjectNode j = (ObjectNode) json.readTree(e.getKey().toFile());
            ObjectNode l = j.putObject("latency_us");
            l.put("p50", Math.round(lat.get(e.getValue())[0] * 10) / 10.0);
            l.put("p99", Math.round(lat.get(e.getValue())[1] * 10) / 10.0);
            TernWriter.writeAtomically(e.getKey(), json.writeValueAsBytes(j));
        }
        return results;
    }

    /** Runs (or reuses) one stage; {@code stage} null scores the input model as it is. */
    private Result stage(String variant, String from, Path in, CompressRecipe.Stage stage, int index, int step, int total)
            throws Exception {
        String kind = stage == null ? "evaluate" : stage.kind();
        Path model = stage == null || stage instanceof CompressRecipe.Evaluate ? in
                : out.resolve("models").resolve(variant).resolve(index + "-" + kind + ".tern");
        Path log = out.resolve("logs").resolve(variant).resolve(index + "-" + kind + ".json");
        Result r = new Result(variant, from);
        stageLogs.put(log, model);
        String what = stage == null ? "score " + in.getFileName() : stage.describe();
        JsonNode config = stage == null ? json.createObjectNode() : json.valueToTree(stage);
        String inputCrc = crc(in);
        if (!fresh && Files.isRegularFile(log) && Files.isRegularFile(model)) {
            JsonNode j = json.readTree(log.toFile());
            // reused only when made from the same input with the same settings
            if (j.path("input").asText().equals(in.toString()) && j.path("input_crc32c").asText().equals(inputCrc)
                    && config.equals(j.path("config"))) {
                progress.printf("[%d/%d] %s: %s (reused %s)%n", step, total, variant, what, out.relativize(log));
                progress.flush();
                return fromLog(r, j, model);
            }
        }
        progress.printf("[%d/%d] %s: %s%n", step, total, variant, what);
        progress.flush();
        long t0 = System.nanoTime();
        JsonNode command = null;
        if (stage instanceof CompressRecipe.Finetune) {
            finetune(in, model, (CompressRecipe.Finetune) stage);
        } else if (stage != null && !(stage instanceof CompressRecipe.Evaluate)) {
            command = runCommand(args(stage, in, model), variant, kind);
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        TernModel m = TernModel.load(model);
        Evaluator.Report rep = Evaluator.evaluate(new TernPredictor(m), test);
        ObjectNode j = json.createObjectNode();
        j.put("variant", variant);
        j.put("stage", kind);
        j.put("index", index);
        j.put("description", what);
        j.set("config", config);
        j.put("input", in.toString());
        j.put("input_crc32c", inputCrc);
        j.put("model", model.toString());
        j.put("size_bytes", Files.size(model));
        j.put("params", m.def().parameterCount());
        ObjectNode tasks = j.putObject("tasks");
        rep.tasks.forEach((t, ms) -> {
            ObjectNode o = tasks.putObject(t);
            ms.forEach(o::put);
        });
        j.put("eval_samples", rep.samples);
        j.put("wall_seconds", Math.round(wall * 10) / 10.0);
        if (command != null) {
            j.set("command", command);
        }
        TernWriter.writeAtomically(log, json.writeValueAsBytes(j));
        progress.printf("      %s%n", summary(rep.tasks, Files.size(model), wall));
        progress.flush();
        r.reused = false;
        return fromLog(r, j, model);
    }

    /** CRC32C of a file, as hex: a stage is reused only if its input is byte for byte the same. */
    static String crc(Path file) throws IOException {
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        byte[] buf = new byte[1 << 16];
        try (java.io.InputStream is = Files.newInputStream(file)) {
            for (int n; (n = is.read(buf)) > 0; ) {
                c.update(buf, 0, n);
            }
        }
        return Long.toHexString(c.getValue());
    }

    private Result fromLog(Result r, JsonNode j, Path model) {
        r.model = model;
        r.sizeBytes = j.get("size_bytes").asLong();
        r.params = j.get("params").asLong();
        r.wallSeconds = j.get("wall_seconds").asDouble();
        r.stages.add(j.get("description").asText());
        j.get("tasks").fields().forEachRemaining(t -> {
            Map<String, Double> ms = new LinkedHashMap<>();
            t.getValue().fields().forEachRemaining(e -> ms.put(e.getKey(), e.getValue().asDouble()));
            r.tasks.put(t.getKey(), ms);
        });
        return r;
    }

    static String summary(Map<String, Map<String, Double>> tasks, long size, double wall) {
        StringBuilder sb = new StringBuilder();
        tasks.forEach((t, m) -> sb.append(t).append(' ').append(String.format(Locale.ROOT, "%.4f",
                Report.headline(t, m))).append("  "));
        return sb + String.format(Locale.ROOT, "%,d bytes  %.1f s", size, wall);
    }

    private String[] args(CompressRecipe.Stage stage, Path in, Path model) {
        List<String> a = new ArrayList<>();
        String data = dataDir().toString();
        if (stage instanceof CompressRecipe.Distill) {
            CompressRecipe.Distill d = (CompressRecipe.Distill) stage;
            a.addAll(List.of("distill", "--teacher", in.toString()));
            if (d.width != null) {
                a.addAll(List.of("--width", String.valueOf(d.width)));
            } else {
                a.addAll(List.of("--student", recipeDir.resolve(d.student).toString()));
            }
            a.addAll(List.of("--temperature", String.valueOf(d.temperature), "--alpha", String.valueOf(d.alpha),
                    "--epochs", String.valueOf(d.epochs), "--train-samples", String.valueOf(d.trainSamples), "--eval-samples", "0"));
            if (d.control) {
                a.add("--control");
            }
        } else if (stage instanceof CompressRecipe.Prune) {
            CompressRecipe.Prune p = (CompressRecipe.Prune) stage;
            a.addAll(List.of("prune", in.toString(), "--kind", p.kind, "--sparsity", String.valueOf(p.sparsity), "--schedule",
                    p.schedule, "--epochs", String.valueOf(p.epochs), "--samples", String.valueOf(p.samples), "--lr",
                    String.valueOf(p.lr), "--eval-samples", "0"));
        } else if (stage instanceof CompressRecipe.Quantize) {
            CompressRecipe.Quantize q = (CompressRecipe.Quantize) stage;
            a.addAll(List.of("quantize", in.toString(), "--method", q.method, "--calib-samples", String.valueOf(q.calibSamples),
                    "--weight-bits", String.valueOf(q.weightBits)));
        } else {
            throw new IllegalStateException("no command for stage " + stage.kind());
        }
        a.addAll(List.of("--data", data, "--json", "--quiet", "--out", model.toString()));
        return a.toArray(new String[0]);
    }

    private JsonNode runCommand(String[] args, String variant, String kind) throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code;
        try (PrintStream po = new PrintStream(o, true, StandardCharsets.UTF_8); PrintStream pe = new PrintStream(e, true, StandardCharsets.UTF_8)) {
            code = cli.run(args, po, pe);
        }
        if (code != 0) {
            String err = e.toString(StandardCharsets.UTF_8).trim();
            throw new TernException("variant " + variant + ", stage " + kind + " failed (tern " + String.join(" ", args)
                    + "): " + (err.isEmpty() ? "exit " + code : err.split("\n")[0]));
        }
        return json.readTree(o.toByteArray());
    }

    /** Fine-tunes with every zero weight of every dense and conv layer held at zero. */
    private void finetune(Path in, Path model, CompressRecipe.Finetune f) throws IOException {
        ModelDef def = TernModel.load(in).def();
        if (def.isQuantized()) {
            throw new TernException("finetune works on float32 models (fine-tune, then quantize); " + in + " is int8");
        }
        Set<String> weights = new LinkedHashSet<>();
        for (Node n : def.nodes()) {
            if ((n.op() == OpType.DENSE || n.op() == OpType.CONV2D || n.op() == OpType.DEPTHWISE_CONV2D)
                    && def.tensors().containsKey(n.input(1))) {
                weights.add(n.input(1));
            }
        }
        MaskedFineTuner.Options o = new MaskedFineTuner.Options();
        o.epochs = f.epochs;
        o.samples = f.samples;
        o.learningRate = f.lr;
        o.decayFrom = 0;
        o.threads = 2;
        MaskedFineTuner.Outcome r = MaskedFineTuner.run(def, weights, (w, s) -> {
            Map<String, boolean[]> m = new LinkedHashMap<>();
            w.forEach((name, v) -> {
                boolean[] keep = new boolean[v.length];
                for (int i = 0; i < v.length; i++) {
                    keep[i] = v[i] != 0f;
                }
                m.put(name, keep);
            });
            return m;
        }, PolynomialSchedule.oneShot(0), e -> data.trainEpoch(0xF17E_70AEL, e).subset(Math.min(f.samples, 60_000)), o);
        Map<String, String> prov = new LinkedHashMap<>();
        prov.put("finetune.epochs", String.valueOf(f.epochs));
        prov.put("finetune.lr", String.valueOf(f.lr));
        TernWriter.write(r.model().withProvenance(prov), model);
    }

    /**
     * Batch-1 latency of every result's model, each in a fresh JVM ({@link LatencyProbe}):
     * {@code latency_warmup} warm-up runs, then {@code latency_runs / 3} timed runs, in 3 rounds that visit
     * every model in turn, so a shared machine's drifts fall on all of them alike and no
     * model's JIT profile shapes another's code; p50 and p99 over all timed runs.
     */
    private Map<Path, double[]> measureLatency(List<Result> results) throws IOException, InterruptedException {
        int rounds = LATENCY_ROUNDS;
        int per = Math.max(10, recipe.latencyRuns / rounds);
        float[] x = new float[MultiFashion.PIXELS];
        test.fill(0, x, 0);
        StringBuilder px = new StringBuilder();
        for (float v : x) {
            px.append(px.length() == 0 ? "" : ",").append(v);
        }
        Map<Path, Histogram> hist = new LinkedHashMap<>();
        for (Result r : results) {
            hist.putIfAbsent(r.model, new Histogram(3_600_000_000_000L, 3));
        }
        for (Path m : stageLogs.values()) {
            hist.putIfAbsent(m, new Histogram(3_600_000_000_000L, 3));
        }
        progress.printf("latency: %d batch-1 runs per model in %d fresh JVMs each, %d models, interleaved%n",
                per * rounds, rounds, hist.size());
        progress.flush();
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        for (int round = 0; round < rounds; round++) {
            for (Map.Entry<Path, Histogram> e : hist.entrySet()) {
                ProcessBuilder pb = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp", cp,
                        LatencyProbe.class.getName(), e.getKey().toString(), String.valueOf(recipe.latencyWarmup), String.valueOf(per),
                        px.toString());
                pb.redirectError(ProcessBuilder.Redirect.DISCARD);
                Process p = pb.start();
                String line;
                try (java.io.BufferedReader br = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    line = br.readLine();
                }
                int code = p.waitFor();
                if (code != 0 || line == null) {
                    throw new TernException("latency of " + e.getKey() + ": the probe JVM exited with " + code);
                }
                String[] vs = line.trim().split(" ");
                long[] ns = new long[vs.length];
                for (int i = 0; i < vs.length; i++) {
                    ns[i] = Math.max(1, Long.parseLong(vs[i]));
                    e.getValue().recordValue(ns[i]);
                }
                Arrays.sort(ns);
                roundMedians.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add((ns[(ns.length - 1) / 2] + ns[ns.length / 2]) / 2e3);
                loadSamples.add(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            }
        }
        Map<Path, double[]> out = new LinkedHashMap<>();
        hist.forEach((m, h) -> out.put(m, new double[] {h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3}));
        return out;
    }
}
