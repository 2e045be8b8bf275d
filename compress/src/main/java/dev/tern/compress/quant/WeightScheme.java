package dev.tern.compress.quant;

import java.util.Objects;

/**
 * How weights are quantized: symmetric int8, zero point 0, one scale per output channel or
 * one per tensor, over the full 8-bit range [-127, 127] or a 7-bit range [-63, 63].
 *
 * <p>Why 7 bits: ONNX Runtime's integer kernels on x86 CPUs without VNNI (AVX2 only, such as
 * AMD Zen 2 and 3 or Intel Haswell to Comet Lake; AVX-512 without VNNI, such as Intel
 * Skylake-SP) multiply uint8 activations by int8 weights with {@code vpmaddubsw}, which adds
 * the two products of each pair of neighbouring inputs in a 16-bit lane with saturation: with
 * weights in [-127, 127] a pair can reach 2 x 255 x 127 = 64,770 and is clipped to 32,767.
 * With weights in [-63, 63] a pair stays within 2 x 255 x 63 = 32,130, so the exported model
 * computes exactly what Tern computes on every CPU (ONNX Runtime's quantizer calls this
 * {@code reduce_range}; docs/ONNX.md). The cost is one bit of weight resolution.
 * The values are still stored as int8, so the file size does not change.
 */
public final class WeightScheme {
    /** The default: per output channel, 8 bits. */
    public static final WeightScheme DEFAULT = new WeightScheme(false, 8);

    private final boolean perTensor;
    private final int bits;

    private WeightScheme(boolean perTensor, int bits) {
        this.perTensor = perTensor;
        this.bits = bits;
    }

    /**
     * A scheme.
     *
     * @param perTensor one scale for the whole tensor, else one per output channel
     * @param bits      7 or 8: the largest magnitude is {@code 2^(bits-1) - 1}
     * @throws IllegalArgumentException for another number of bits
     */
    public static WeightScheme of(boolean perTensor, int bits) {
        if (bits != 7 && bits != 8) {
            throw new IllegalArgumentException("weight bits must be 7 or 8, got " + bits);
        }
        return perTensor == DEFAULT.perTensor && bits == DEFAULT.bits ? DEFAULT : new WeightScheme(perTensor, bits);
    }

    public boolean perTensor() {
        return perTensor;
    }

    public int bits() {
        return bits;
    }

    /** The largest weight magnitude: 127 for 8 bits, 63 for 7. */
    public int maxMagnitude() {
        return (1 << (bits - 1)) - 1;
    }

    /** As recorded in provenance: "int8 symmetric per channel", "..., 7-bit range [-63, 63]". */
    public String describe() {
        return "int8 symmetric per " + (perTensor ? "tensor" : "channel")
                + (bits == 8 ? "" : ", " + bits + "-bit range [-" + maxMagnitude() + ", " + maxMagnitude() + "]");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WeightScheme && ((WeightScheme) o).perTensor == perTensor && ((WeightScheme) o).bits == bits;
    }

    @Override
    public int hashCode() {
        return Objects.hash(perTensor, bits);
    }

    @Override
    public String toString() {
        return describe();
    }
}
