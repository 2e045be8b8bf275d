package dev.tern.compress.train;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The distillation losses against the formulas computed by hand in double. */
class SoftLossTest {
    static final int N = 5;
    static final int C = 10;

    static double run(String task, float[] z, float[] zt, double t) {
        try (Graph g = new Graph(); Session s = new Session(g)) {
            Ops tf = Ops.create(g);
            Operand<TFloat32> a = tf.constant(Shape.of(N, C), DataBuffers.of(z, true, false));
            Operand<TFloat32> b = tf.constant(Shape.of(N, C), DataBuffers.of(zt, true, false));
            try (Result r = s.runner().fetch(Trainer.softLoss(tf, task, a, b, t)).run()) {
                return ((TFloat32) r.get(0)).getFloat();
            }
        }
    }

    static double[] softmax(float[] z, int row, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < C; c++) {
            max = Math.max(max, z[row * C + c] / t);
        }
        double sum = 0;
        double[] p = new double[C];
        for (int c = 0; c < C; c++) {
            p[c] = Math.exp(z[row * C + c] / t - max);
            sum += p[c];
        }
        for (int c = 0; c < C; c++) {
            p[c] /= sum;
        }
        return p;
    }

    @Test
    void multiclassIsTheMeanKlOfTheSoftenedDistributions() {
        Random rnd = new Random(3);
        for (double t : new double[] {1, 2, 4}) {
            float[] z = new float[N * C];
            float[] zt = new float[N * C];
            for (int i = 0; i < z.length; i++) {
                z[i] = (float) (rnd.nextGaussian() * 3);
                zt[i] = (float) (rnd.nextGaussian() * 3);
            }
            double kl = 0;
            for (int i = 0; i < N; i++) {
                double[] pt = softmax(zt, i, t);
                double[] ps = softmax(z, i, t);
                for (int c = 0; c < C; c++) {
                    kl += pt[c] * (Math.log(pt[c]) - Math.log(ps[c]));
                }
            }
            assertEquals(kl / N, run("left", z, zt, t), 1e-5, "T " + t);
            assertEquals(0, run("right", zt, zt, t), 1e-6, "a student equal to its teacher has no soft loss");
        }
    }

    @Test
    void regressionIsTheMeanSquaredDifferenceToTheTeacher() {
        float[] z = new float[N * C];
        float[] zt = new float[N * C];
        Random rnd = new Random(5);
        double sq = 0;
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) rnd.nextGaussian();
            zt[i] = (float) rnd.nextGaussian();
            sq += (double) (z[i] - zt[i]) * (z[i] - zt[i]);
        }
        for (double t : new double[] {1, 4}) {
            try (Graph g = new Graph(); Session s = new Session(g)) {
                Ops tf = Ops.create(g);
                Operand<TFloat32> a = tf.constant(Shape.of(N, C), DataBuffers.of(z, true, false));
                Operand<TFloat32> b = tf.constant(Shape.of(N, C), DataBuffers.of(zt, true, false));
                try (Result r = s.runner().fetch(Trainer.softLoss(tf, dev.tern.runtime.model.TaskKind.REGRESSION, a, b, t)).run()) {
                    // times T^2 in the loss: the plain MSE, whatever the temperature
                    assertEquals(sq / z.length, ((TFloat32) r.get(0)).getFloat() * t * t, 1e-5, "T " + t);
                }
            }
        }
    }

    @Test
    void multilabelIsTheCrossEntropyAgainstTheSoftenedTeacherSigmoids() {
        Random rnd = new Random(4);
        for (double t : new double[] {1, 3}) {
            float[] z = new float[N * C];
            float[] zt = new float[N * C];
            for (int i = 0; i < z.length; i++) {
                z[i] = (float) (rnd.nextGaussian() * 4);
                zt[i] = (float) (rnd.nextGaussian() * 4);
            }
            double ce = 0;
            for (int i = 0; i < z.length; i++) {
                double q = 1 / (1 + Math.exp(-zt[i] / t));
                double p = 1 / (1 + Math.exp(-z[i] / t));
                ce += -(q * Math.log(p) + (1 - q) * Math.log(1 - p));
            }
            assertEquals(ce / z.length, run("present", z, zt, t), 1e-5, "T " + t);
        }
    }
}
