package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.Arena;
import dev.tern.runtime.internal.Kernel;
import dev.tern.runtime.internal.OpContext;

/**
 * {@code int8-add-scalar}: a table of the 65,536 outputs, one per pair of input bytes, built at
 * load with the reference's steps ({@link dev.tern.runtime.internal.kernels.reference.Int8Add#add}),
 * then one load per element: the reference's bytes. The reference's three fixed-point
 * multiplies per element took 432 µs of an int8 ResNet-18 at 64x64 (about 7 ns an element);
 * the table costs 64 KiB per add node and about a millisecond at load.
 */
public final class Int8Add extends Kernel {
    final int n, x0, x1, yOff, stride;
    /** Output of bytes (a, b) at [(a + 128) << 8 | (b + 128)]. */
    final byte[] table = new byte[1 << 16];

    public Int8Add(OpContext c) {
        dev.tern.runtime.internal.kernels.reference.Int8Add r = new dev.tern.runtime.internal.kernels.reference.Int8Add(c);
        for (int a = -128; a < 128; a++) {
            for (int b = -128; b < 128; b++) {
                table[(a + 128) << 8 | (b + 128)] = (byte) r.add(a, b);
            }
        }
        n = c.outSize();
        x0 = c.inOffset(0);
        x1 = c.inOffset(1);
        yOff = c.outOffset();
        stride = c.int8Stride();
    }

    @Override
    public void run(Arena m, int from, int to) {
        final byte[] q = m.q;
        final byte[] t = table;
        for (int s = from; s < to; s++) {
            final int o = s * stride;
            for (int i = 0; i < n; i++) {
                q[yOff + o + i] = t[(q[x0 + o + i] + 128) << 8 | (q[x1 + o + i] + 128)];
            }
        }
    }
}
