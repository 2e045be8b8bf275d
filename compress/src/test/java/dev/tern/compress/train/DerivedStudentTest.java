package dev.tern.compress.train;

import dev.tern.compress.BadInputException;
import dev.tern.compress.data.FashionMnist;
import dev.tern.compress.data.MultiFashion;
import dev.tern.compress.data.MultiFashionData;
import dev.tern.compress.job.ImportJob;
import dev.tern.compress.prune.MaskedFineTuner;
import dev.tern.compress.prune.PolynomialSchedule;
import dev.tern.runtime.Session;
import dev.tern.runtime.SessionOptions;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.ModelBuilder;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.TaskSpec;
import dev.tern.runtime.model.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Students derived from a teacher's own graph: the shipped PyTorch model (an imported ResNet
 * with residual adds, a flatten and three heads) at width 0.5, hand-made graphs for the
 * rules, and distillation into such a student in TensorFlow Java.
 */
class DerivedStudentTest {
    static final Path REPO = Paths.get(System.getProperty("tern.repo", ".."));
    static ModelDef pytorch;

    @BeforeAll
    static void load() throws Exception {
        pytorch = ImportJob.run(REPO.resolve("models/pytorch/multitask.onnx"), null).model;
    }

    @Test
    void channelsRoundToMultiplesOfFour() {
        assertEquals(32, DerivedStudent.channels(64, 0.5));
        assertEquals(8, DerivedStudent.channels(32, 0.25));
        assertEquals(4, DerivedStudent.channels(16, 0.1)); // at least 4
        assertEquals(12, DerivedStudent.channels(24, 0.5));
        assertEquals(16, DerivedStudent.channels(24, 0.6)); // 14.4 -> 16
        assertEquals(2, DerivedStudent.channels(3, 0.5)); // narrower than 4: round(1.5)
        assertEquals(128, DerivedStudent.channels(64, 2));
    }

    @Test
    void theImportedResNetScalesEveryLayerButTheHeads() {
        ModelDef s = DerivedStudent.derive(pytorch, 0.5, 1);
        assertEquals(pytorch.nodes().size(), s.nodes().size());
        Set<String> heads = DerivedStudent.heads(pytorch);
        assertEquals(Set.of("/net/left/Gemm", "/net/right/Gemm", "/net/present/Gemm"), heads);
        for (int i = 0; i < pytorch.nodes().size(); i++) {
            Node t = pytorch.nodes().get(i);
            Node n = s.nodes().get(i);
            assertEquals(t.op(), n.op());
            if (t.op() == OpType.CONV2D || t.op() == OpType.DENSE) {
                int before = pytorch.tensor(t.input(1)).dim(0);
                int after = s.tensor(n.input(1)).dim(0);
                assertEquals(heads.contains(t.name()) ? before : DerivedStudent.channels(before, 0.5), after, t.name());
                // the weights are new: He normal, not the teacher's
                assertFalse(Arrays.equals(pytorch.tensor(t.input(1)).floats(), s.tensor(n.input(1)).floats()));
            }
        }
        for (String out : pytorch.outputs()) {
            assertArrayEquals(pytorch.shapeOf(out), s.shapeOf(out), out);
        }
        assertEquals(pytorch.tasks(), s.tasks());
        assertEquals(pytorch.inputs().get(0).name(), s.inputs().get(0).name());
        // about a quarter of the weights (the conv and dense weights scale by width on both sides)
        double ratio = s.parameterCount() / (double) pytorch.parameterCount();
        assertTrue(ratio > 0.2 && ratio < 0.3, "params " + s.parameterCount() + " of " + pytorch.parameterCount());
        // a fixed seed: the same student every time; another seed, other weights
        ModelDef again = DerivedStudent.derive(pytorch, 0.5, 1);
        ModelDef other = DerivedStudent.derive(pytorch, 0.5, 2);
        for (Tensor t : s.tensors().values()) {
            assertArrayEquals(t.floats(), again.tensor(t.name()).floats(), t.name());
        }
        String w = s.nodes().get(1).input(1);
        assertFalse(Arrays.equals(s.tensor(w).floats(), other.tensor(w).floats()));
        // and it runs in the runtime and in TensorFlow
        MaskedFineTuner.checkBuildable(s);
        TernModel sm = TernModel.of(s);
        try (Session session = sm.newSession(SessionOptions.defaults())) {
            session.run(new float[36 * 36], sm.allTasks());
        }
    }

    @Test
    void perChannelConstantsAreCutAlongTheScaledAxis() {
        Tensor scale = Tensor.ofFloats("scale", new int[] {8}, new float[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertArrayEquals(new float[] {1, 2, 3, 4}, DerivedStudent.resized(scale, new int[] {3, 3, 8}, new int[] {3, 3, 4}).floats());
        // tiled when the width grows; an axis of 1 broadcasts and stays
        assertArrayEquals(new float[] {1, 2, 1, 2}, DerivedStudent.resized(Tensor.ofFloats("s", new int[] {2}, new float[] {1, 2}),
                new int[] {2}, new int[] {4}).floats());
        Tensor one = Tensor.ofFloats("one", new int[] {1, 1, 1}, new float[] {3});
        assertEquals(one, DerivedStudent.resized(one, new int[] {3, 3, 8}, new int[] {3, 3, 4}));
        // [2, 4] against x [2, 4] -> [2, 2]: only the last axis scaled
        Tensor m = Tensor.ofFloats("m", new int[] {2, 4}, new float[] {1, 2, 3, 4, 5, 6, 7, 8});
        Tensor r = DerivedStudent.resized(m, new int[] {2, 4}, new int[] {2, 2});
        assertArrayEquals(new int[] {2, 2}, r.shape());
        assertArrayEquals(new float[] {1, 2, 5, 6}, r.floats());
    }

    @Test
    void aScaleShiftFollowsItsLayerAndAReshapeNamingAScaledWidthIsRefused() {
        Random rnd = new Random(3);
        ModelBuilder b = new ModelBuilder("mlp").input("x", -1, 6);
        String h = b.dense("fc1", "x", 8, 6, ModelBuilder.random(rnd, 48, 0.3f), new float[8], Activation.RELU);
        String sc = b.constant("bn_scale", new int[] {8}, new float[] {1, 1, 1, 1, 2, 2, 2, 2});
        h = b.op("bn", OpType.MUL, Attributes.EMPTY, h, sc);
        b.multiclass("y", b.dense("head", h, 3, 8, ModelBuilder.random(rnd, 24, 0.3f), new float[3], Activation.NONE), "a", "b", "c");
        ModelDef s = DerivedStudent.derive(b.build(), 0.5, 1);
        assertArrayEquals(new int[] {4, 6}, s.tensor(s.nodes().get(0).input(1)).shape());
        assertArrayEquals(new float[] {1, 1, 1, 1}, s.tensor("bn_scale").floats());
        assertArrayEquals(new int[] {3, 4}, s.tensor(s.nodes().get(2).input(1)).shape());

        ModelBuilder r = new ModelBuilder("reshaper").input("x", -1, 6);
        String v = r.dense("fc1", "x", 8, 6, ModelBuilder.random(rnd, 48, 0.3f), new float[8], Activation.RELU);
        v = r.reshape("to_2x4", v, 2, 4);
        v = r.flatten("flat", v);
        r.multiclass("y", r.dense("head", v, 3, 8, ModelBuilder.random(rnd, 24, 0.3f), new float[3], Activation.NONE), "a", "b", "c");
        BadInputException e = assertThrows(BadInputException.class, () -> DerivedStudent.derive(r.build(), 0.5, 1));
        assertTrue(e.getMessage().contains("node 'to_2x4' (reshape)") && e.getMessage().contains("[2, 4]"), e.getMessage());
        assertThrows(BadInputException.class, () -> DerivedStudent.derive(pytorch, 0, 1));
    }

    /**
     * Distillation reaches the student: on labels that say nothing (every left label is class
     * 0), a student trained with alpha 0 (the teacher's soft targets only) learns to agree with
     * the teacher; the same student trained on those labels alone (alpha 1) does not. With
     * alpha 1 the teacher's term is weighted 0 and the run equals the control's exactly.
     */
    @Test
    void theStudentLearnsFromTheTeacherNotFromTheLabels() throws Exception {
        MultiFashion mf = new MultiFashion(FashionMnist.load(REPO.resolve(FashionMnist.REPO_DIR)));
        ModelDef teacher = pytorch;
        ModelDef student = DerivedStudent.derive(teacher, 0.5, 1);
        TernModel tm = TernModel.of(teacher);
        MultiFashionData test = new MultiFashionData(mf.test().subset(500));
        float[] agreeDistilled;
        float[] agreeLabels;
        float[] agreeZero;
        try (Session ts = tm.newSession(SessionOptions.defaults().withMaxBatch(64))) {
            Trainer.Distillation.Teacher logits = dev.tern.compress.job.DistillJob.teacherLogits(tm, ts);
            java.util.function.IntFunction<dev.tern.compress.data.Dataset> epochs =
                    e -> new ConstantLeft(new MultiFashionData(mf.trainEpoch(5, e).subset(1536)));
            ModelDef distilled = train(student, epochs, new Trainer.Distillation(logits, 2.0, 0.0));
            ModelDef labelsOnly = train(student, epochs, null);
            ModelDef alphaOne = train(student, epochs, new Trainer.Distillation(logits, 2.0, 1.0));
            for (Tensor t : labelsOnly.tensors().values()) {
                assertArrayEquals(t.floats(), alphaOne.tensor(t.name()).floats(), t.name());
            }
            agreeDistilled = agreement(tm, distilled, test);
            agreeLabels = agreement(tm, labelsOnly, test);
            agreeZero = agreement(tm, student, test);
        }
        assertTrue(agreeDistilled[0] > 0.35, "distilled student agrees with the teacher on " + agreeDistilled[0]);
        assertTrue(agreeLabels[0] < 0.2, "label-only student agrees with the teacher on " + agreeLabels[0]);
        assertTrue(agreeDistilled[0] > agreeZero[0] + 0.2, agreeDistilled[0] + " vs untrained " + agreeZero[0]);
    }

    private static ModelDef train(ModelDef student, java.util.function.IntFunction<dev.tern.compress.data.Dataset> epochs,
                                  Trainer.Distillation kd) {
        MaskedFineTuner.Options o = new MaskedFineTuner.Options();
        o.epochs = 2;
        o.samples = 1536;
        o.batchSize = 64;
        o.learningRate = 0.003;
        o.threads = 1;
        o.distillation = kd;
        return MaskedFineTuner.run(student, Set.of(), null, PolynomialSchedule.oneShot(0), epochs, o).model();
    }

    /** Top-1 agreement of {@code m} with the teacher on the left task, per test canvas. */
    private static float[] agreement(TernModel teacher, ModelDef m, MultiFashionData test) {
        TernModel s = TernModel.of(m);
        int agree = 0;
        float[] x = new float[test.sampleSize()];
        try (Session a = teacher.newSession(SessionOptions.defaults()); Session b = s.newSession(SessionOptions.defaults())) {
            for (int i = 0; i < test.size(); i++) {
                test.fill(i, x, 0);
                a.run(x, teacher.allTasks());
                b.run(x, s.allTasks());
                TaskSpec left = m.task("left");
                agree += argmax(a.output(left.output(), 0)) == argmax(b.output(left.output(), 0)) ? 1 : 0;
            }
        }
        return new float[] {agree / (float) test.size()};
    }

    private static int argmax(float[] v) {
        int k = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[k]) {
                k = i;
            }
        }
        return k;
    }

    /** A data set whose left labels all say class 0 (the other tasks as they are). */
    private static final class ConstantLeft implements dev.tern.compress.data.Dataset {
        private final dev.tern.compress.data.Dataset d;
        private final dev.tern.compress.data.TaskLabels left;

        ConstantLeft(dev.tern.compress.data.Dataset d) {
            this.d = d;
            this.left = dev.tern.compress.data.TaskLabels.multiclass(10, new int[d.size()]);
        }

        public String name() {
            return "constant-left";
        }

        public String split() {
            return d.split();
        }

        public String checksum() {
            return "none";
        }

        public int size() {
            return d.size();
        }

        public int sampleSize() {
            return d.sampleSize();
        }

        public void fill(int i, float[] dst, int off) {
            d.fill(i, dst, off);
        }

        public Set<String> tasks() {
            return d.tasks();
        }

        public dev.tern.compress.data.TaskLabels labels(String task) {
            return task.equals("left") ? left : d.labels(task);
        }

        public dev.tern.compress.data.Dataset slice(int from, int n) {
            return new ConstantLeft(d.slice(from, n));
        }
    }
}
