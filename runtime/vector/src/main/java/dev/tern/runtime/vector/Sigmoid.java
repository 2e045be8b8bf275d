package dev.tern.runtime.vector;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import static dev.tern.runtime.vector.Lanes.F;

/**
 * {@code f32-sigmoid-vector}: y = 1 / (1 + exp(-x)) in float lanes, exp by the Vector API's
 * lane-wise EXP (an intrinsic where the JVM has one, e.g. SVML on x86); the tail with Math.exp.
 * Within a few float ulps of the reference's double computation (outputs in (0, 1)).
 */
final class Sigmoid extends Kernel {
    final int n, xOff, yOff, stride;

    Sigmoid(OpContext c) {
        n = c.outSize();
        xOff = c.inOffset(0);
        yOff = c.outOffset();
        stride = c.sampleStride();
    }

    @Override
    public void run(Arena m, int from, int to) {
        final float[] a = m.f;
        final int lanes = F.length();
        final int body = n - n % lanes;
        for (int s = from; s < to; s++) {
            final int x = xOff + s * stride;
            final int y = yOff + s * stride;
            for (int i = 0; i < body; i += lanes) {
                FloatVector v = FloatVector.fromArray(F, a, x + i).neg().lanewise(VectorOperators.EXP);
                FloatVector.broadcast(F, 1f).div(v.add(1f)).intoArray(a, y + i);
            }
            for (int i = body; i < n; i++) {
                a[y + i] = (float) (1.0 / (1.0 + Math.exp(-a[x + i])));
            }
        }
    }
}
