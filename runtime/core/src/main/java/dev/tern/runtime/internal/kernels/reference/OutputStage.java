package dev.tern.runtime.internal.kernels.reference;

import dev.tern.runtime.internal.OpContext;
import dev.tern.runtime.internal.quant.FixedPoint;
import dev.tern.runtime.internal.quant.Int8;
import dev.tern.runtime.model.ValueType;

/**
 * What int8 Dense and the int8 convolutions share, in every backend: input zero point,
 * per-channel requantization (multiplier, shift), output zero point and the fused
 * activation's int8 bounds, and the int32 bias.
 */
public final class OutputStage {
    public final int inZero, outZero, min, max;
    public final int[] mult, shift;
    public final int[] bias;

    /** For the weights at input 1, per channel along {@code channelAxis}; the bias at input 2 (zeros when absent). */
    public OutputStage(OpContext c, int channelAxis) {
        ValueType x = c.inType(0);
        ValueType y = c.outType();
        float[] ws = c.weightScales(1, channelAxis);
        int[][] ms = Int8.channelMultipliers(x.scale(), ws, y.scale());
        mult = ms[0];
        shift = ms[1];
        inZero = x.zeroPoint();
        outZero = y.zeroPoint();
        int[] b = Int8.activationBounds(c.activation(), y.scale(), y.zeroPoint());
        min = b[0];
        max = b[1];
        bias = c.intsOrZeros(2, ws.length);
    }

    /** The output byte of an int32 sum (bias included) of one channel. */
    public byte out(int acc, int channel) {
        return (byte) FixedPoint.requantize(acc, mult[channel], shift[channel], outZero, min, max);
    }
}
