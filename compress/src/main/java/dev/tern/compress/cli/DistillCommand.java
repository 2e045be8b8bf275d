package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.compress.BadInputException;
import dev.tern.compress.TernVersion;
import dev.tern.compress.data.CanvasSet;
import dev.tern.compress.data.MultiFashion;
import dev.tern.compress.eval.Evaluator;
import dev.tern.compress.eval.TernPredictor;
import dev.tern.compress.tf.SavedModelImporter;
import dev.tern.compress.train.SavedModelExport;
import dev.tern.compress.train.Students;
import dev.tern.compress.train.TrainRecipe;
import dev.tern.compress.train.Trainer;
import dev.tern.runtime.Session;
import dev.tern.runtime.SessionOptions;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.format.TernWriter;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.TaskSpec;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code tern distill --teacher T (--student RECIPE | --width W) --data DIR [--temperature T]
 * [--alpha A] [--epochs N] [--control] --out S}: knowledge distillation of a Multi-Fashion
 * teacher into a smaller student (docs/DISTILLATION.md).
 */
@Command(name = "distill", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Knowledge distillation: train a smaller student in TensorFlow Java on the teacher's outputs.",
            "Per head, the loss is alpha x the hard-label loss + (1 - alpha) x T^2 x the soft loss: KL of "
                + "softmax(z / T) for the multiclass heads, sigmoid cross-entropy against sigmoid(z_teacher / T) for the "
                + "multilabel one. The teacher (a .tern file) runs in the Tern runtime on every training batch. "
                + "--width W builds the default edge student (a stride-2 conv, depthwise-separable blocks, MobileNet "
                + "style) with its channels scaled by W; --student takes a training recipe instead. --control trains "
                + "the same student from scratch on hard labels only (alpha 1), with the same budget, so a report can "
                + "say what distillation bought. The student is exported, imported and written as a .tern file."})
public final class DistillCommand implements Callable<Integer> {
    @Option(names = "--teacher", required = true, paramLabel = "T.tern", description = "The teacher (float32 or int8 .tern; never modified).")
    Path teacher;

    @ArgGroup(exclusive = true, multiplicity = "1")
    StudentChoice student;

    static final class StudentChoice {
        @Option(names = "--student", paramLabel = "RECIPE", description = "Student training recipe (JSON, as for tern train).")
        Path recipe;

        @Option(names = "--width", paramLabel = "W", description = "The default edge student at this width (e.g. 0.5, 0.25).")
        Double width;
    }

    @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST IDX folder (default: the repo's models/data/fashion-mnist).")
    Path data;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "4", description = "Softmax/sigmoid temperature (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--alpha", paramLabel = "A", defaultValue = "0.3", description = "Weight of the hard-label loss, in [0, 1] (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs (default: the recipe's; 8 for --width).")
    Integer epochs;

    @Option(names = "--train-samples", paramLabel = "N", description = "Canvases per epoch (default: 60000).")
    Integer trainSamples;

    @Option(names = "--control", description = "Train the same student on hard labels only (no teacher), the control run.")
    boolean control;

    @Option(names = "--eval-samples", paramLabel = "N", defaultValue = "10000", description = "Test canvases to score the student on (default: ${DEFAULT-VALUE}; 0: skip).")
    int evalSamples;

    @Option(names = "--out", required = true, paramLabel = "S.tern", description = "The student .tern file to write (atomically).")
    Path out;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new UsageException("--temperature must be > 0, got " + temperature);
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new UsageException("--alpha must lie in [0, 1], got " + alpha);
        }
        TrainRecipe r = student.recipe != null ? TrainRecipe.read(student.recipe) : Students.edge(student.width, 8);
        if (epochs != null) {
            r.epochs = epochs;
        }
        if (trainSamples != null) {
            r.trainSamples = trainSamples;
        }
        r.validate();
        if (!r.tasks.equals(TrainRecipe.ALL_TASKS)) {
            throw new BadInputException("the student must learn every task of the teacher " + TrainRecipe.ALL_TASKS + ", its recipe has " + r.tasks);
        }
        TernModel t = ModelFiles.load(teacher);
        for (String task : r.tasks) {
            TaskSpec ts = t.def().tasks().stream().filter(x -> x.name().equals(task)).findFirst().orElseThrow(
                    () -> new BadInputException("teacher " + teacher + " has no task '" + task + "'; it has " + t.def().tasks()));
            if (!ts.logits() || ts.size() != MultiFashion.CLASSES) {
                throw new BadInputException("teacher task '" + task + "' must output " + MultiFashion.CLASSES
                        + " logits (the head applies softmax/sigmoid), it has " + ts.size() + (ts.logits() ? " logits" : " probabilities"));
            }
        }
        QuantizeCommand.checkCanvasInput(t.def().inputs().get(0));
        MultiFashion mf = new MultiFashion(DataOption.load(data));
        PrintWriter err = spec.commandLine().getErr();
        if (!quiet && !json) {
            err.printf("%s %s (%s) from %s: %d epochs of %d canvases, T %s, alpha %s%n", control ? "training (control)" : "distilling",
                    r.name, String.join(" ", r.trunk), teacher, r.epochs, r.trainSamples, fmt(temperature), fmt(alpha));
            err.flush();
        }
        // the teacher's batch is split over the training's threads (TensorFlow waits while it runs)
        Session teacherSession = control ? null : t.newSession(SessionOptions.defaults().withMaxBatch(r.batchSize)
                .withThreads(Math.max(1, Math.min(r.threads, r.batchSize))));
        Trainer.Outcome o;
        try {
            Trainer.Distillation kd = control ? null : new Trainer.Distillation(teacherLogits(t, teacherSession), temperature, alpha);
            o = new Trainer(r).train(e -> mf.trainEpoch(r.seed, e).subset(r.trainSamples), null, !quiet && !json, kd);
        } finally {
            if (teacherSession != null) {
                teacherSession.close();
            }
        }
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("recipe", r.name);
        training.put("distillation", control ? "none (control: hard labels only)"
                : "teacher " + teacher.getFileName() + ", T " + temperature + ", alpha " + alpha);
        training.put("epochs", r.epochs);
        training.put("train_samples_per_epoch", r.trainSamples);
        training.put("seconds", Math.round(o.seconds * 10) / 10.0);
        training.put("params", o.params);
        Path tmp = Files.createTempDirectory("tern-distill");
        ModelDef def;
        try {
            SavedModelExport.export(r, o, tmp.resolve("student"), training);
            def = SavedModelImporter.importModel(tmp.resolve("student"));
        } finally {
            deleteTree(tmp);
        }
        Map<String, String> prov = new LinkedHashMap<>(def.provenance());
        prov.put("source", r.name);
        prov.put("distill.teacher", teacher.getFileName().toString());
        prov.put("distill.mode", control ? "control (hard labels only)" : "distilled");
        prov.put("distill.temperature", String.valueOf(temperature));
        prov.put("distill.alpha", String.valueOf(control ? 1.0 : alpha));
        prov.put("distill.epochs", String.valueOf(r.epochs));
        prov.put("distill.trunk", String.join(" ", r.trunk) + " | dense " + r.dense);
        prov.put("tern.version", TernVersion.version());
        def = def.withProvenance(prov);
        TernWriter.write(def, out);

        Evaluator.Report rep = null;
        if (evalSamples > 0) {
            CanvasSet test = mf.test().subset(Math.min(evalSamples, mf.test().size()));
            rep = Evaluator.evaluate(new TernPredictor(TernModel.of(def)), test);
        }
        PrintWriter pw = spec.commandLine().getOut();
        if (json) {
            ObjectNode j = Json.object();
            j.put("model", out.toString());
            j.put("teacher", teacher.toString());
            j.put("mode", control ? "control" : "distilled");
            j.put("temperature", temperature);
            j.put("alpha", control ? 1.0 : alpha);
            j.put("epochs", r.epochs);
            j.put("train_samples_per_epoch", r.trainSamples);
            j.put("params", def.parameterCount());
            j.put("size_bytes", Files.size(out));
            j.put("train_seconds", Math.round(o.seconds * 10) / 10.0);
            if (rep != null) {
                ObjectNode tasks = j.putObject("tasks");
                for (Map.Entry<String, Map<String, Double>> e : rep.tasks.entrySet()) {
                    ObjectNode m = tasks.putObject(e.getKey());
                    e.getValue().forEach(m::put);
                }
            }
            Json.print(j, pw);
        } else {
            pw.printf("wrote %s: %,d params, %,d bytes, trained in %.1f s%n", out, def.parameterCount(), Files.size(out), o.seconds);
            if (rep != null) {
                for (Map.Entry<String, Map<String, Double>> e : rep.tasks.entrySet()) {
                    pw.printf("  %-8s %s%n", e.getKey(), metrics(e.getValue()));
                }
            }
        }
        pw.flush();
        return 0;
    }

    /** The teacher's logits for a training batch, from session {@code s} of model {@code t}. */
    static Trainer.Distillation.Teacher teacherLogits(TernModel t, Session s) {
        return (images, count) -> {
            float[] x = images.length == count * MultiFashion.PIXELS ? images : java.util.Arrays.copyOf(images, count * MultiFashion.PIXELS);
            s.run(x, t.allTasks());
            Map<String, float[]> out = new LinkedHashMap<>();
            for (TaskSpec ts : t.def().tasks()) {
                float[] z = new float[count * MultiFashion.CLASSES];
                for (int i = 0; i < count; i++) {
                    System.arraycopy(s.output(ts.output(), i), 0, z, i * MultiFashion.CLASSES, MultiFashion.CLASSES);
                }
                out.put(ts.name(), z);
            }
            return out;
        };
    }

    static String metrics(Map<String, Double> m) {
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : "  ").append(k).append(' ').append(String.format(Locale.ROOT, "%.4f", v)));
        return sb.toString();
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    static void deleteTree(Path p) throws java.io.IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (java.util.stream.Stream<Path> s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
