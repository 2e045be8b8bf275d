package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/** {@code f32-concat-reference}: copies each input's block of the concatenated axis into place. */
public final class Concat extends Kernel {
    final int stride;
    final int[] inOff, inAxis;
    final int outer, inner, outAxis, yOff;

    public Concat(OpContext c) {
        int[] out = c.outShape();
        int ax = axis(c);
        outer = outer(out, ax);
        inner = inner(out, ax);
        outAxis = out[ax];
        yOff = c.outOffset();
        stride = c.sampleStride();
        int k = c.inputCount();
        inOff = new int[k];
        inAxis = new int[k];
        for (int i = 0; i < k; i++) {
            inOff[i] = c.inOffset(i);
            inAxis[i] = c.inShape(i)[ax];
        }
    }

    /** The concatenated axis, non-negative. */
    static int axis(OpContext c) {
        int axis = c.attrs().getInt("axis", -1);
        return axis < 0 ? axis + c.outShape().length : axis;
    }

    /** Product of the dimensions before {@code ax}. */
    static int outer(int[] shape, int ax) {
        int o = 1;
        for (int d = 0; d < ax; d++) {
            o *= shape[d];
        }
        return o;
    }

    /** Product of the dimensions after {@code ax}. */
    static int inner(int[] shape, int ax) {
        int in = 1;
        for (int d = ax + 1; d < shape.length; d++) {
            in *= shape[d];
        }
        return in;
    }

    @Override
    public void run(Arena m, int from, int to) {
        float[] a = m.f;
        for (int s = from; s < to; s++) {
            for (int o = 0; o < outer; o++) {
                int pos = 0;
                for (int i = 0; i < inOff.length; i++) {
                    int len = inAxis[i] * inner;
                    System.arraycopy(a, inOff[i] + s * stride + o * len, a,
                            yOff + s * stride + (o * outAxis * inner) + pos, len);
                    pos += len;
                }
            }
        }
    }
}
