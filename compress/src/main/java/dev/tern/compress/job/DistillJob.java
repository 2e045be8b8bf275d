package dev.tern.compress.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.compress.BadInputException;
import dev.tern.compress.data.MultiFashion;
import dev.tern.compress.data.TrainingData;
import dev.tern.compress.prune.MaskedFineTuner;
import dev.tern.compress.prune.PolynomialSchedule;
import dev.tern.compress.train.DerivedStudent;
import dev.tern.compress.tf.SavedModelImporter;
import dev.tern.compress.train.SavedModelExport;
import dev.tern.compress.train.Students;
import dev.tern.compress.train.TrainRecipe;
import dev.tern.compress.train.Trainer;
import dev.tern.runtime.Session;
import dev.tern.runtime.SessionOptions;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.TaskSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Knowledge distillation: trains a student in TensorFlow Java on the teacher's outputs
 * (run by the Tern runtime on every batch), or, as the control, on hard labels only, then
 * brings it back as a Tern model.
 */
public final class DistillJob {
    private DistillJob() {
    }

    /** The student; {@code recipe}: the training recipe it was trained with. */
    public record Outcome(ModelDef model, Provenance.Step step, TrainRecipe recipe, double trainSeconds) {
    }

    /**
     * The student's training recipe, read and checked in full before any work: the width's
     * edge student, or the {@code student} recipe (relative to {@code dir}), with the
     * config's epochs and train_samples applied.
     */
    public static TrainRecipe recipe(DistillConfig c, Path dir) throws IOException {
        TrainRecipe r;
        if (c.student != null) {
            Path p = dir == null ? Path.of(c.student) : dir.resolve(c.student);
            try {
                r = TrainRecipe.read(p);
            } catch (BadInputException e) {
                throw new BadInputException(c.settings().where("student") + ": " + e.getMessage(), e);
            }
        } else {
            r = Students.edge(c.width, 8);
        }
        if (c.epochs != null) {
            r.epochs = c.epochs;
        }
        if (c.trainSamples != null) {
            if (c.trainSamples > EDGE_SAMPLES_MAX) {
                throw c.settings().bad("train_samples", "an edge student trains on at most " + EDGE_SAMPLES_MAX
                        + " canvases per epoch, got " + c.trainSamples);
            }
            r.trainSamples = c.trainSamples;
        }
        if (c.learningRate != null) {
            r.learningRate = c.learningRate;
            r.finalLearningRate = c.learningRate / 100;
        }
        if (c.batchSize != null) {
            r.batchSize = c.batchSize;
        }
        try {
            r.validate();
        } catch (BadInputException e) {
            throw new BadInputException(c.settings().where(c.student != null ? "student" : "width") + ": " + e.getMessage(), e);
        }
        if (!r.tasks.equals(TrainRecipe.ALL_TASKS)) {
            throw c.settings().bad("student", "the student must learn every task of the teacher " + TrainRecipe.ALL_TASKS
                    + ", its recipe has " + r.tasks);
        }
        return r;
    }

    /** Seed of a derived student's first weights (the distilled student and its control share them). */
    public static final long DERIVE_SEED = 1;
    /** Canvases per epoch of an edge student at most (the Multi-Fashion train split's images). */
    public static final int EDGE_SAMPLES_MAX = 60_000;
    /** Seed of the order in which a derived student sees a data set's train split. */
    public static final long DATA_SEED = 7;

    /** Whether Tern's edge student can learn from {@code teacher}: its three Multi-Fashion tasks and canvas input, on the built-in data. */
    public static boolean edgeFits(ModelDef teacher, boolean builtInData) {
        if (!builtInData) {
            return false;
        }
        try {
            checkTeacher(teacher);
            return true;
        } catch (BadInputException e) {
            return false;
        }
    }

    /**
     * Derives the student of a {@code width} config from {@code teacher} ({@link DerivedStudent}),
     * naming what blocks it before any training: an op the width cannot scale, an op TensorFlow
     * cannot train.
     */
    public static ModelDef derive(ModelDef teacher, DistillConfig c) {
        ModelDef student = DerivedStudent.derive(teacher, c.width, DERIVE_SEED);
        dev.tern.compress.prune.MaskedFineTuner.checkBuildable(student);
        return student;
    }

    /**
     * Distills {@code teacher} into the student derived from its own graph at the config's
     * width, trained in TensorFlow Java on {@code data} (any data set labeling the teacher's
     * tasks) with the per-task losses of fine-tuning plus the soft loss; the control
     * ({@code control}) trains the same student from the same weights on hard labels only.
     */
    public static Outcome runDerived(ModelInput teacher, DistillConfig c, TrainingData data, PrintWriter progress, boolean bar) {
        ModelDef student = derive(teacher.def(), c);
        dev.tern.compress.prune.MaskedFineTuner.check(student, data.first());
        MaskedFineTuner.Options o = new MaskedFineTuner.Options();
        o.epochs = c.epochs != null ? c.epochs : 8;
        o.samples = c.trainSamples != null ? c.trainSamples : data.size();
        o.batchSize = c.batchSize != null ? c.batchSize : 128;
        o.learningRate = c.learningRate != null ? c.learningRate : 0.002;
        o.decayFrom = 0;
        o.threads = 2;
        o.progress = bar;
        o.label = c.control ? "control" : "distill";
        if (progress != null) {
            progress.printf("%s %s (%,d params, the teacher's %,d) from %s: %d epochs of %d samples, batch %d%s%n",
                    c.control ? "training (control)" : "distilling", student.name(), student.parameterCount(),
                    teacher.def().parameterCount(), teacher.name(), o.epochs, Math.min(o.samples, data.size()), o.batchSize,
                    c.control ? "" : ", T " + fmt(c.temperature) + ", alpha " + fmt(c.alpha));
            progress.flush();
        }
        TernModel t = c.control ? null : TernModel.of(teacher.def());
        Session teacherSession = c.control ? null
                : t.newSession(SessionOptions.defaults().withMaxBatch(o.batchSize).withThreads(Math.max(1, Math.min(o.threads, o.batchSize))));
        MaskedFineTuner.Outcome r;
        try {
            o.distillation = c.control ? null : new Trainer.Distillation(teacherLogits(t, teacherSession), c.temperature, c.alpha);
            r = MaskedFineTuner.run(student, java.util.Set.of(), null, PolynomialSchedule.oneShot(0), data::epoch, o);
        } finally {
            if (teacherSession != null) {
                teacherSession.close();
            }
        }
        Map<String, String> inputs = new LinkedHashMap<>();
        inputs.put(teacher.name(), teacher.checksum());
        inputs.putAll(data.checksums());
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("mode", c.control ? "control (hard labels only)" : "distilled");
        results.put("student", "derived from " + teacher.name() + " at width " + c.width + " (" + student.parameterCount()
                + " params; the teacher's " + teacher.def().parameterCount() + ")");
        results.put("epochs", o.epochs);
        results.put("batch_size", o.batchSize);
        results.put("learning_rate", o.learningRate);
        results.put("epoch_loss", r.epochLoss());
        results.put("seconds", Math.round(r.seconds() * 10) / 10.0);
        Provenance.Step step = Provenance.Step.of("distill", c.settings().values(), inputs, data.describe(o.epochs, o.samples),
                data.seed(), results);
        return new Outcome(Provenance.append(r.model(), step), step, null, r.seconds());
    }

    /** Checks before any work that {@code teacher} can teach a Multi-Fashion student. */
    public static void checkTeacher(ModelDef teacher) {
        for (String task : TrainRecipe.ALL_TASKS) {
            TaskSpec ts = teacher.tasks().stream().filter(x -> x.name().equals(task)).findFirst().orElseThrow(
                    () -> new BadInputException("teacher " + teacher.name() + " has no task '" + task + "'; it has " + teacher.tasks()));
            if (ts.size() != MultiFashion.CLASSES) {
                throw new BadInputException("teacher task '" + task + "' must output " + MultiFashion.CLASSES
                        + " scores, it has " + ts.size());
            }
        }
        QuantizeJob.checkCanvasInput(teacher.inputs().get(0));
    }

    /** Trains the student of recipe {@code r} (from {@link #recipe}) from {@code teacher}. */
    public static Outcome run(ModelInput teacher, DistillConfig c, TrainRecipe r, MultiFashion data, PrintWriter progress,
                              boolean bar) throws IOException {
        checkTeacher(teacher.def());
        if (progress != null) {
            progress.printf("%s %s (%s) from %s: %d epochs of %d canvases, T %s, alpha %s%n",
                    c.control ? "training (control)" : "distilling", r.name, String.join(" ", r.trunk), teacher.name(), r.epochs,
                    r.trainSamples, fmt(c.temperature), fmt(c.alpha));
            progress.flush();
        }
        TernModel t = c.control ? null : TernModel.of(teacher.def());
        // the teacher's batch is split over the training's threads (TensorFlow waits while it runs)
        Session teacherSession = c.control ? null : t.newSession(SessionOptions.defaults().withMaxBatch(r.batchSize)
                .withThreads(Math.max(1, Math.min(r.threads, r.batchSize))));
        Trainer.Outcome o;
        try {
            Trainer.Distillation kd = c.control ? null : new Trainer.Distillation(teacherLogits(t, teacherSession), c.temperature, c.alpha);
            o = new Trainer(r).train(e -> data.trainEpoch(r.seed, e).subset(r.trainSamples), null, bar, kd);
        } finally {
            if (teacherSession != null) {
                teacherSession.close();
            }
        }
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("recipe", r.name);
        training.put("distillation", c.control ? "none (control: hard labels only)"
                : "teacher " + teacher.name() + ", T " + c.temperature + ", alpha " + c.alpha);
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
        // the student is a new model: its chain starts here (the importer's record names a temporary folder)
        def = new ModelDef(def.name(), def.inputs(), new java.util.ArrayList<>(def.tensors().values()), def.nodes(), def.tasks(),
                def.outputs(), Map.of());
        Map<String, String> inputs = new LinkedHashMap<>();
        inputs.put(teacher.name(), teacher.checksum());
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("mode", c.control ? "control (hard labels only)" : "distilled");
        @SuppressWarnings("unchecked")
        Map<String, Object> recipeJson = new ObjectMapper().convertValue(r, Map.class);
        results.put("student_recipe", recipeJson);
        Provenance.Step step = Provenance.Step.of("distill", c.settings().values(), inputs,
                "multi-fashion train, epochs 0-" + (r.epochs - 1) + ", " + r.trainSamples + " canvases each", r.seed, results);
        return new Outcome(Provenance.append(def, step), step, r, o.seconds);
    }

    /**
     * The teacher's logits for a training batch, from session {@code s} of model {@code t}
     * (a regression head's outputs as they are). A
     * head that outputs probabilities (an imported model's softmax or sigmoid) gives them back
     * as logits: log p for a softmax (softmax(log p / T) = softmax(z / T): the shift by
     * logsumexp(z) cancels), log(p / (1 - p)) for a sigmoid (p clamped to [1e-7, 1 - 1e-7]).
     */
    public static Trainer.Distillation.Teacher teacherLogits(TernModel t, Session s) {
        return (images, count) -> {
            int sample = t.def().inputs().get(0).sampleSize();
            float[] x = images.length == count * sample ? images : Arrays.copyOf(images, count * sample);
            s.run(x, t.allTasks());
            Map<String, float[]> out = new LinkedHashMap<>();
            for (TaskSpec ts : t.def().tasks()) {
                int width = ts.size();
                float[] z = new float[count * width];
                for (int i = 0; i < count; i++) {
                    System.arraycopy(s.output(ts.output(), i), 0, z, i * width, width);
                }
                if (!ts.logits() && ts.kind() != dev.tern.runtime.model.TaskKind.REGRESSION) {
                    for (int k = 0; k < z.length; k++) {
                        float p = Math.min(Math.max(z[k], 1e-7f), 1f - 1e-7f);
                        z[k] = ts.kind() == dev.tern.runtime.model.TaskKind.MULTICLASS ? (float) Math.log(p)
                                : (float) Math.log(p / (1.0 - p));
                    }
                }
                out.put(ts.name(), z);
            }
            return out;
        };
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (java.util.stream.Stream<Path> s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
