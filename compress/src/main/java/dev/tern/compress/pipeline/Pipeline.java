package dev.tern.compress.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.compress.BadInputException;
import dev.tern.compress.data.DataSets;
import dev.tern.compress.data.Dataset;
import dev.tern.compress.data.FashionMnist;
import dev.tern.compress.data.MultiFashion;
import dev.tern.compress.data.MultiFashionData;
import dev.tern.compress.data.TrainingData;
import dev.tern.compress.eval.Evaluator;
import dev.tern.compress.eval.Predictor;
import dev.tern.compress.eval.TernPredictor;
import dev.tern.compress.job.DistillConfig;
import dev.tern.compress.job.DistillJob;
import dev.tern.compress.job.EvaluateConfig;
import dev.tern.compress.job.EvaluateJob;
import dev.tern.compress.job.FinetuneConfig;
import dev.tern.compress.job.FinetuneJob;
import dev.tern.compress.job.ModelInput;
import dev.tern.compress.job.Provenance;
import dev.tern.compress.job.PruneConfig;
import dev.tern.compress.job.PruneJob;
import dev.tern.compress.job.QuantizeConfig;
import dev.tern.compress.job.QuantizeJob;
import dev.tern.compress.train.TrainRecipe;
import dev.tern.runtime.TernException;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.format.AtomicFiles;
import dev.tern.runtime.format.TernWriter;
import dev.tern.runtime.model.ModelDef;
import org.HdrHistogram.Histogram;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs a {@link CompressRecipe}: every stage of every variant, by calling its job
 * ({@link QuantizeJob}, {@link PruneJob}, {@link FinetuneJob}, {@link DistillJob},
 * {@link EvaluateJob}) on the model in memory, writing each stage's model under
 * {@code OUT/models/<variant>/} and a JSON log per stage under {@code OUT/logs/<variant>/}
 * (per-task metrics, size, params, wall time, the job's outcome and provenance), then
 * measures every variant's batch-1 latency in one interleaved run, and returns what the
 * report needs. A stage's result goes to the next stage in memory (the file is written for
 * the report, the latency probe and reruns, never read back in the same run). Models and
 * logs are written atomically, the model before its log, so a killed run leaves only
 * complete files and a rerun reuses every stage whose log exists (unless {@code fresh}).
 */
public final class Pipeline {
    /** One variant's outcome. */
    public static final class Result {
        public final String name;
        public final String from;
        public final List<String> stages = new ArrayList<>();
        public Path model;
        public long sizeBytes;
        public long params;
        public Map<String, Map<String, Double>> tasks = new LinkedHashMap<>();
        /** Per classification task, each class's (label's) recall by name, in label order; NaN: no sample of it. */
        public Map<String, Map<String, Double>> classRecall = new LinkedHashMap<>();
        public double p50;
        public double p99;
        /** The median of each latency round, µs, in round order: the spread the report calls noise. */
        public List<Double> roundMedians = new ArrayList<>();
        public double wallSeconds;
        public boolean reused = true;
        /** The steps the variant's model went through, oldest first (its typed provenance). */
        public List<Provenance.Step> provenance = List.of();
        /** The model in memory when this run made or read it (null: only on disk). */
        ModelInput memory;

        public Result(String name, String from) {
            this.name = name;
            this.from = from;
        }
    }

    private final CompressRecipe recipe;
    private final Path recipeDir;
    private final Path out;
    private final boolean fresh;
    private final PrintWriter progress;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Map<CompressRecipe.Stage, TrainRecipe> students = new IdentityHashMap<>();
    /** The built-in canvases (null with a user data set). */
    private MultiFashion data;
    /** A user data set's train/val/test parts (null with the built-in canvases). */
    private DataSets.Parts parts;
    /** What every stage is scored on: the first eval_samples of the test split. */
    private Dataset test;
    private Dataset fullTest;
    /** Every stage's log and the model it describes, for the latency written into each log. */
    private final Map<Path, Path> stageLogs = new LinkedHashMap<>();
    /** Rounds of the latency measurement; each visits every model once. */
    static final int LATENCY_ROUNDS = 3;
    /** Each model's per-round medians (µs), and the cores other processes used during each probe: for the report. */
    private final Map<Path, List<Double>> roundMedians = new LinkedHashMap<>();
    private final List<Double> loadSamples = new ArrayList<>();

    public Pipeline(CompressRecipe recipe, Path recipeDir, Path out, boolean fresh, PrintWriter progress) {
        this.recipe = recipe;
        this.recipeDir = recipeDir;
        this.out = out;
        this.fresh = fresh;
        this.progress = progress;
    }

    /** The cores other processes used during each latency probe (NaN where unknown; see {@link OtherCpu}). */
    public List<Double> loadSamples() {
        return List.copyOf(loadSamples);
    }

    public Path teacher() {
        return recipeDir.resolve(recipe.teacher).normalize();
    }

    public Path dataDir() {
        return recipeDir.resolve(recipe.data).normalize();
    }

    /** Whether the recipe's data is the built-in Multi-Fashion (a Fashion-MNIST folder), not a user data set. */
    boolean builtIn() throws IOException {
        return Files.isDirectory(dataDir()) && DataSets.kind(dataDir()) == DataSets.Kind.MULTI_FASHION;
    }

    /** The test samples the stages were scored on: name, split and checksum (after {@link #run}). */
    public String dataDescription() {
        return test == null ? null : test.name() + " (" + test.split() + "; " + test.checksum() + ")";
    }

    /**
     * Checks before any work what can be checked without running a stage: the recipe's files
     * exist, every distill stage's student recipe reads and validates in full, an evaluate
     * stage's reference exists, the teacher can teach, and the output folder can be written.
     */
    public void checkInputs() throws IOException {
        if (!Files.isRegularFile(teacher())) {
            throw new NoSuchFileException(teacher().toString(), null, "recipe field 'teacher': no such model file");
        }
        if (!Files.exists(dataDir())) {
            throw new NoSuchFileException(dataDir().toString(), null, "recipe field 'data': no such data set (a Fashion-MNIST "
                    + "folder, or docs/DATA.md: an .npz, a folder of train/test .npz, an image folder with labels.csv)");
        }
        boolean builtIn = builtIn();
        ModelDef t = ModelInput.read(teacher()).def();
        boolean edgeFits = DistillJob.edgeFits(t, builtIn);
        boolean distills = false;
        for (int v = 0; v < recipe.variants.size(); v++) {
            for (CompressRecipe.Stage s : recipe.variants.get(v).stages) {
                if (s.config instanceof DistillConfig) {
                    DistillConfig dc = (DistillConfig) s.config;
                    if (dc.derives(edgeFits)) {
                        continue; // the student comes from the stage's input model: checked with the first stages below
                    }
                    if (!builtIn) {
                        throw new BadInputException("variants[" + v + "] (" + recipe.variants.get(v).name + "): an edge student "
                                + "(architecture edge, or a student recipe) learns Multi-Fashion from the built-in data; with a "
                                + "data set in the recipe field 'data' derive the student from the teacher (width with "
                                + "architecture teacher)");
                    }
                    students.put(s, DistillJob.recipe(dc, recipeDir));
                    distills = true;
                } else if (s.config instanceof EvaluateConfig && ((EvaluateConfig) s.config).reference != null) {
                    Path ref = recipeDir.resolve(((EvaluateConfig) s.config).reference);
                    if (!Files.exists(ref)) {
                        throw new NoSuchFileException(ref.toString(), null, "variants[" + v + "]: no such reference model");
                    }
                }
            }
        }
        if (distills) {
            DistillJob.checkTeacher(t);
        }
        // a first stage on the teacher is checked against it now (layers, dtype, input shape);
        // later stages see a model that does not exist yet
        for (int v = 0; v < recipe.variants.size(); v++) {
            CompressRecipe.Variant variant = recipe.variants.get(v);
            if (variant.from == null && !variant.stages.isEmpty()) {
                try {
                    checkStage(variant.stages.get(0).config, t, builtIn);
                } catch (BadInputException e) {
                    String at = "variants[" + v + "].stages[0]";
                    throw new BadInputException((e.getMessage().startsWith(at) ? "" : at + ": ") + e.getMessage()
                            + " (checked against the teacher " + teacher().getFileName() + ")", e);
                }
            }
        }
        AtomicFiles.checkWritable(out.resolve("report.json"));
    }

    private static void checkStage(Object config, ModelDef def, boolean builtIn) {
        if (config instanceof PruneConfig) {
            if (builtIn) {
                PruneJob.check(def, (PruneConfig) config);
            }
        } else if (config instanceof QuantizeConfig) {
            QuantizeJob.check(def, (QuantizeConfig) config, !builtIn);
        } else if (config instanceof FinetuneConfig) {
            if (builtIn) {
                FinetuneJob.check(def);
            }
        } else if (config instanceof DistillConfig && ((DistillConfig) config).derives(DistillJob.edgeFits(def, builtIn))) {
            DistillJob.derive(def, (DistillConfig) config);
        }
    }

    /** Runs everything; returns the teacher's result and the variants', in recipe order. */
    public List<Result> run() throws Exception {
        checkInputs();
        if (builtIn()) {
            data = new MultiFashion(FashionMnist.load(dataDir()));
            fullTest = new MultiFashionData(data.test());
        } else {
            ModelDef t = ModelInput.read(teacher()).def();
            parts = DataSets.forTraining(dataDir(), t.inputs().get(0), t.tasks());
            fullTest = parts.test();
        }
        try {
            test = fullTest.head(Math.min(recipe.evalSamples, fullTest.size()));
            return runStages();
        } finally {
            if (parts != null) {
                parts.close();
            }
        }
    }

    private List<Result> runStages() throws Exception {
        int total = 1;
        for (CompressRecipe.Variant v : recipe.variants) {
            total += Math.max(1, v.stages.size());
        }
        int step = 0;
        List<Result> results = new ArrayList<>();
        Result teacher = stage("teacher", null, teacher(), ModelInput.read(teacher()), null, 0, ++step, total);
        results.add(teacher);
        Map<String, Result> byName = new LinkedHashMap<>();
        for (CompressRecipe.Variant v : recipe.variants) {
            Result start = v.from == null ? teacher : byName.get(v.from);
            Path cur = start.model;
            ModelInput mem = start.memory;
            Result r;
            if (v.stages.isEmpty()) {
                r = stage(v.name, v.from, cur, mem, null, 0, ++step, total);
            } else {
                r = null;
                double wall = v.from == null ? 0 : start.wallSeconds;
                List<String> descs = new ArrayList<>(v.from == null ? List.of() : start.stages);
                boolean reused = true;
                for (int i = 0; i < v.stages.size(); i++) {
                    r = stage(v.name, v.from, cur, mem, v.stages.get(i), i + 1, ++step, total);
                    cur = r.model;
                    mem = r.memory;
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
            r.memory = null;
            r.roundMedians = new ArrayList<>(roundMedians.get(r.model));
        }
        // every stage's log gets its model's latency from this run (the machine of the day)
        for (Map.Entry<Path, Path> e : stageLogs.entrySet()) {
            ObjectNode j = (ObjectNode) json.readTree(e.getKey().toFile());
            ObjectNode l = j.putObject("latency_us");
            l.put("p50", Math.round(lat.get(e.getValue())[0] * 10) / 10.0);
            l.put("p99", Math.round(lat.get(e.getValue())[1] * 10) / 10.0);
            l.set("round_medians", json.valueToTree(roundMedians.get(e.getValue())));
            AtomicFiles.write(e.getKey(), json.writeValueAsBytes(j));
        }
        return results;
    }

    /**
     * Runs (or reuses) one stage on the model at {@code in} ({@code mem}: the same model in
     * memory, or null to read it once from the file); {@code stage} null scores it as it is.
     */
    private Result stage(String variant, String from, Path in, ModelInput mem, CompressRecipe.Stage stage, int index, int step,
                         int total) throws Exception {
        String kind = stage == null ? "evaluate" : stage.kind();
        boolean evaluate = stage == null || stage.config instanceof EvaluateConfig;
        Path model = evaluate ? in : out.resolve("models").resolve(variant).resolve(index + "-" + kind + ".tern");
        Path log = out.resolve("logs").resolve(variant).resolve(index + "-" + kind + ".json");
        Result r = new Result(variant, from);
        stageLogs.put(log, model);
        String what = stage == null ? "score " + in.getFileName() : stage.describe();
        JsonNode config = stage == null ? json.createObjectNode() : json.valueToTree(stage.settings());
        String inputCrc = mem != null ? mem.checksum() : crc(in);
        if (!fresh && Files.isRegularFile(log) && Files.isRegularFile(model)) {
            JsonNode j = json.readTree(log.toFile());
            // reused only when made from the same input with the same settings
            if (j.path("input").asText().equals(in.toString()) && j.path("input_crc32c").asText().equals(inputCrc)
                    && config.equals(j.path("config"))) {
                progress.printf("[%d/%d] %s: %s (reused %s)%n", step, total, variant, what, out.relativize(log));
                progress.flush();
                if (!j.has("class_recall")) {
                    // a log from before per-class recall: the model is reused, scored again for it
                    ModelDef def = ModelInput.read(model).def();
                    Dataset set = stage != null && evaluate && ((EvaluateConfig) stage.config).limit != null
                            ? EvaluateJob.samples((EvaluateConfig) stage.config, fullTest) : test;
                    ((ObjectNode) j).set("class_recall", classRecall(EvaluateJob.score(TernModel.of(def), set), def));
                    AtomicFiles.write(log, json.writeValueAsBytes(j));
                }
                fromLog(r, j, model);
                r.memory = evaluate ? mem : null;
                return r;
            }
        }
        progress.printf("[%d/%d] %s: %s%n", step, total, variant, what);
        progress.flush();
        ModelInput input = mem != null ? mem : ModelInput.read(in);
        long t0 = System.nanoTime();
        ObjectNode outcome = json.createObjectNode();
        TernModel compiled = null;
        ModelDef made = input.def();
        if (stage != null && !evaluate) {
            Object c = stage.config;
            if (c instanceof QuantizeConfig) {
                QuantizeJob.Outcome o;
                if (data != null) {
                    o = QuantizeJob.run(input, (QuantizeConfig) c, data, null, true);
                } else {
                    QuantizeJob.check(input.def(), (QuantizeConfig) c, true);
                    o = QuantizeJob.run(input, (QuantizeConfig) c, QuantizeJob.fromParts(parts.train(), parts.val(),
                            (QuantizeConfig) c, List.of()), true);
                }
                made = o.model();
                compiled = o.compiled();
                outcome.put("calibration_seconds", Math.round(o.calibrationSeconds() * 100) / 100.0);
                o.floatLayers().forEach(outcome.putArray("float_layers")::add);
                if (o.validationDrop() != null) {
                    o.validationDrop().forEach(outcome.putObject("validation_drop")::put);
                }
            } else if (c instanceof PruneConfig) {
                PruneJob.Outcome o = data != null ? PruneJob.run(input, (PruneConfig) c, data, progress)
                        : PruneJob.run(input, (PruneConfig) c, TrainingData.of(parts.train(), PruneJob.FINETUNE_SEED), progress);
                made = o.model();
                outcome.put("pruned_layer_sparsity", o.prunedSparsity());
                o.epochLoss().forEach(outcome.putArray("epoch_loss")::add);
            } else if (c instanceof FinetuneConfig) {
                FinetuneJob.Outcome o = data != null ? FinetuneJob.run(input, (FinetuneConfig) c, data, true)
                        : FinetuneJob.run(input, (FinetuneConfig) c, TrainingData.of(parts.train(), FinetuneJob.SEED), true);
                made = o.model();
                o.epochLoss().forEach(outcome.putArray("epoch_loss")::add);
            } else {
                DistillJob.Outcome o = students.containsKey(stage)
                        ? DistillJob.run(input, (DistillConfig) c, students.get(stage), data, progress, true)
                        : DistillJob.runDerived(input, (DistillConfig) c, data != null ? TrainingData.multiFashion(data, DistillJob.DATA_SEED)
                        : TrainingData.of(parts.train(), DistillJob.DATA_SEED), progress, true);
                made = o.model();
                outcome.put("train_seconds", Math.round(o.trainSeconds() * 10) / 10.0);
            }
            List<Provenance.Step> chain = Provenance.chain(made);
            outcome.set("provenance", json.valueToTree(chain.get(chain.size() - 1)));
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        ModelInput result = input;
        long size;
        if (!evaluate) {
            byte[] bytes = TernWriter.toBytes(made);
            AtomicFiles.write(model, bytes);
            result = new ModelInput(made, model.getFileName().toString(), ModelInput.crc32c(bytes));
            size = bytes.length;
        } else {
            size = Files.size(model);
        }
        TernModel m = compiled != null ? compiled : TernModel.of(made);
        Evaluator.Report rep;
        if (stage != null && evaluate) {
            EvaluateConfig ec = (EvaluateConfig) stage.config;
            Dataset set = ec.limit == null ? test : EvaluateJob.samples(ec, fullTest);
            try (Predictor ref = ec.reference == null ? null : EvaluateJob.open(recipeDir.resolve(ec.reference))) {
                EvaluateJob.Outcome eo = EvaluateJob.run(new TernPredictor(m), ref, set);
                rep = eo.report();
                if (eo.agreement() != null) {
                    eo.agreement().forEach(outcome.putObject("agreement")::put);
                }
            }
        } else {
            rep = EvaluateJob.score(m, test);
        }
        ObjectNode j = json.createObjectNode();
        j.put("variant", variant);
        j.put("stage", kind);
        j.put("index", index);
        j.put("description", what);
        j.set("config", config);
        j.put("input", in.toString());
        j.put("input_crc32c", inputCrc);
        j.put("model", model.toString());
        j.put("size_bytes", size);
        j.put("params", made.parameterCount());
        ObjectNode tasks = j.putObject("tasks");
        rep.tasks.forEach((t, ms) -> ms.forEach(tasks.putObject(t)::put));
        j.set("class_recall", classRecall(rep, made));
        j.put("eval_samples", rep.samples);
        j.put("wall_seconds", Math.round(wall * 10) / 10.0);
        if (!outcome.isEmpty()) {
            j.set("outcome", outcome);
        }
        j.set("provenance", json.valueToTree(Provenance.chain(made)));
        AtomicFiles.write(log, json.writeValueAsBytes(j));
        progress.printf("      %s%n", summary(rep.tasks, size, wall));
        progress.flush();
        r.reused = false;
        fromLog(r, j, model);
        r.memory = result;
        return r;
    }

    /** Each classification task's per-class recall by class name (null: no test sample of the class). */
    private ObjectNode classRecall(Evaluator.Report rep, ModelDef def) {
        ObjectNode recall = json.createObjectNode();
        rep.classRecall.forEach((t, rs) -> {
            ObjectNode o = recall.putObject(t);
            List<String> names = def.task(t).labels();
            for (int c = 0; c < rs.length; c++) {
                String name = c < names.size() ? names.get(c) : String.valueOf(c);
                if (Double.isNaN(rs[c])) {
                    o.putNull(name);
                } else {
                    o.put(name, rs[c]);
                }
            }
        });
        return recall;
    }

    /** CRC32C of a file ({@code crc32c:HEX}): a stage is reused only if its input is byte for byte the same. */
    static String crc(Path file) throws IOException {
        return ModelInput.crc32c(Files.readAllBytes(file));
    }

    private void fromLog(Result r, JsonNode j, Path model) throws IOException {
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
        j.path("class_recall").fields().forEachRemaining(t -> {
            Map<String, Double> ms = new LinkedHashMap<>();
            t.getValue().fields().forEachRemaining(e -> ms.put(e.getKey(), e.getValue().isNull() ? Double.NaN : e.getValue().asDouble()));
            r.classRecall.put(t.getKey(), ms);
        });
        JsonNode p = j.get("provenance");
        r.provenance = p == null ? List.of() : List.of(json.treeToValue(p, Provenance.Step[].class));
    }

    static String summary(Map<String, Map<String, Double>> tasks, long size, double wall) {
        StringBuilder sb = new StringBuilder();
        tasks.forEach((t, m) -> sb.append(t).append(' ').append(String.format(Locale.ROOT, "%.4f",
                Report.headline(t, m))).append("  "));
        return sb + String.format(Locale.ROOT, "%,d bytes  %.1f s", size, wall);
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
        float[] x = new float[test.sampleSize()];
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
                OtherCpu others = OtherCpu.start();
                Process p = pb.start();
                String line;
                String cpuLine;
                try (java.io.BufferedReader br = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    line = br.readLine();
                    cpuLine = br.readLine();
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
                long probeCpu = -1;
                try {
                    probeCpu = cpuLine == null ? -1 : Long.parseLong(cpuLine.trim());
                } catch (NumberFormatException ignored) {
                    // an unknown probe CPU time makes this sample unknown
                }
                loadSamples.add(others.end(probeCpu));
            }
        }
        Map<Path, double[]> out = new LinkedHashMap<>();
        hist.forEach((m, h) -> out.put(m, new double[] {h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3}));
        return out;
    }
}
