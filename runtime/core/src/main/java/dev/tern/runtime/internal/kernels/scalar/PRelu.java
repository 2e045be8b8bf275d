package dev.tern.runtime.internal.kernels.scalar;

import dev.tern.runtime.internal.OpContext;

/**
 * {@code f32-prelu-scalar}: y = x0 for x0 >= 0, else x0 x1 (x1 the slope, typically one per
 * channel: a block repeated along the leading axes), bit for bit the reference ({@link Binary}).
 */
public final class PRelu extends Binary {
    public PRelu(OpContext c) {
        super(c, PRELU, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    }
}
