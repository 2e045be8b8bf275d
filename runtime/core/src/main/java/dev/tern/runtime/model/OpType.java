package dev.tern.runtime.model;

/**
 * The operators a graph may hold. {@link #code()} is stored in the file and never reused.
 * Activation layouts are NHWC; weight layouts are given per op (they follow TFLite:
 * Dense [out, in], Conv2D [out, kh, kw, in], DepthwiseConv2D [kh, kw, in * multiplier]).
 */
public enum OpType {
    /** y = act(W x + b); inputs x [in], W [out, in], optional b [out]; attr activation. */
    DENSE(1),
    /** NHWC convolution; inputs x [h, w, cin], filter [cout, kh, kw, cin], optional bias [cout]; attrs strides, padding, activation. */
    CONV2D(2),
    /** Depthwise convolution; inputs x [h, w, c], filter [kh, kw, c * m], optional bias; attrs strides, padding, multiplier, activation. */
    DEPTHWISE_CONV2D(3),
    /** attrs window [kh, kw], strides, padding. */
    MAX_POOL(4),
    /** attrs window, strides, padding; SAME padding averages over the in-bounds cells only (as TensorFlow). */
    AVG_POOL(5),
    /** [h, w, c] to [c]. */
    GLOBAL_AVG_POOL(6),
    /** [h, w, c] to [c]. */
    GLOBAL_MAX_POOL(7),
    /** Element-wise sum of two inputs of one shape; attr activation. */
    ADD(8),
    /** Concatenates inputs along attr axis (of the per-sample shape; negative counts from the end). */
    CONCAT(9),
    /** To [prod(shape)]. */
    FLATTEN(10),
    /** To attr shape (per sample; one entry may be -1). */
    RESHAPE(11),
    RELU(12),
    RELU6(13),
    SIGMOID(14),
    /** Softmax over the last axis. */
    SOFTMAX(15),
    /** float32 to int8: q = clamp(round(x / scale) + zero_point, -128, 127), ties away from zero; attrs scale, zero_point. */
    QUANTIZE(16),
    /** int8 to float32: x = scale * (q - zero_point), with the input's scale and zero point. */
    DEQUANTIZE(17),
    /**
     * y = max(0, min(1, alpha x + beta)) (ONNX HardSigmoid); attrs alpha (default 0.2), beta
     * (default 0.5), finite. Int8: the input dequantized, the function in float32, quantized to
     * the output's attributes scale and zero_point (1.3).
     */
    HARD_SIGMOID(18),
    /**
     * y = x max(0, min(1, x / 6 + 1/2)) (ONNX HardSwish: x HardSigmoid(x) with alpha 1/6, beta
     * 1/2); no attributes. Int8: as hard_sigmoid, the output's own scale and zero_point (1.3).
     */
    HARD_SWISH(19),
    // 1.4: the ops ONNX import needs (docs/FORMAT.md). Shapes are per sample and may have any
    // rank; binary ops broadcast as numpy does and take a constant tensor as either operand.
    /** Permutes the per-sample axes; attr perm (ints, a permutation of 0..rank-1). */
    TRANSPOSE(20),
    /** Element-wise product with numpy broadcasting; either operand may be a constant tensor. */
    MUL(21),
    /** Element-wise difference x0 - x1, broadcasting as mul. */
    SUB(22),
    /** Element-wise quotient x0 / x1 (IEEE: x / 0 is infinite or NaN), broadcasting as mul. */
    DIV(23),
    TANH(24),
    /** y = x for x >= 0, else alpha x; attr alpha (default 0.01). */
    LEAKY_RELU(25),
    /** y = x for x > 0, else alpha (exp(x) - 1); attr alpha (default 1). */
    ELU(26),
    /** y = x for x >= 0, else slope x; input 1 is the constant slope, broadcast to x. */
    PRELU(27),
    /** y = min(max(x, min), max); attrs min, max (default -inf, +inf). */
    CLIP(28),
    /** log(softmax(x)) along attr axis (default -1). */
    LOG_SOFTMAX(29),
    /** Mean over attr axes (all when absent); attr keepdims (default 1). */
    REDUCE_MEAN(30),
    /** Maximum over attr axes, as reduce_mean. */
    REDUCE_MAX(31),
    /** Sum over attr axes, as reduce_mean. */
    REDUCE_SUM(32),
    /** attrs starts, ends, steps (ints, one per axis, normalized: 0 <= start, end in [-1, dim], step != 0). */
    SLICE(33),
    /** attrs pads (ints: rank begins then rank ends, >= 0), mode (constant, reflect, edge), value (float). */
    PAD(34),
    /** Matrix product over the last two axes, numpy broadcasting over the leading ones; input 1 may be constant. */
    MATMUL(35),
    EXP(36),
    NEG(37),
    ABS(38),
    SQRT(39),
    RECIPROCAL(40),
    LOG(41),
    /** Minimum over attr axes, as reduce_mean. */
    REDUCE_MIN(42),
    /** Element-wise maximum of two operands, broadcasting as mul. */
    MAX(43),
    /** Element-wise minimum of two operands, broadcasting as mul. */
    MIN(44),
    /**
     * Resize of an image [h, w, c] to the output size; attrs size [oh, ow], mode (nearest, linear),
     * coordinate (half_pixel, asymmetric, align_corners, pytorch_half_pixel), nearest (round_prefer_floor,
     * round_prefer_ceil, floor, ceil).
     */
    RESIZE(45),
    /**
     * Transposed convolution, NHWC; inputs x [h, w, cin], filter [cout, kh, kw, cin], optional bias;
     * attrs strides, pads [top, left, bottom, right], dilations, output_padding [h, w].
     */
    CONV_TRANSPOSE(46);

    private final int code;

    OpType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The op with this file code, or null when the code is unknown. */
    public static OpType fromCode(int code) {
        for (OpType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
