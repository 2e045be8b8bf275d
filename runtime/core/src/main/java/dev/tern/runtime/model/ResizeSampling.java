package dev.tern.runtime.model;

/**
 * Where each output position of a resize samples its input along one axis: ONNX Resize's
 * coordinate transforms and nearest rounding modes (docs/FORMAT.md, op resize). The one
 * definition the runtime's kernels and anything that rebuilds a Tern model elsewhere (the
 * TensorFlow graph that fine-tunes it) share.
 */
public final class ResizeSampling {
    private ResizeSampling() {
    }

    /**
     * Fills, per output position o of an axis of {@code in} inputs and {@code out} outputs, the
     * two source positions {@code i0[o]}, {@code i1[o]} and the weight {@code w[o]} of the second:
     * the output is (1 - w) x[i0] + w x[i1] (nearest: i1 = i0, w = 0).
     *
     * @param length  the output length align_corners divides by: {@code out}, or {@code in * scale}
     *                when the model gave scales (ONNX)
     * @param coord   half_pixel, asymmetric, align_corners or pytorch_half_pixel
     * @param nearest round_prefer_floor, round_prefer_ceil, floor or ceil (used when not {@code linear})
     * @throws IllegalArgumentException for another coordinate or rounding mode
     */
    public static void axis(int in, int out, double length, float scale, String coord, String nearest, boolean linear,
                            int[] i0, int[] i1, float[] w) {
        for (int o = 0; o < out; o++) {
            double x;
            switch (coord) {
                case "asymmetric": x = o / (double) scale; break;
                case "align_corners": x = length <= 1 ? 0 : o * (in - 1) / (length - 1); break;
                case "pytorch_half_pixel": x = out > 1 ? (o + 0.5) / scale - 0.5 : 0; break;
                case "half_pixel": x = (o + 0.5) / scale - 0.5; break;
                default: throw new IllegalArgumentException("resize coordinate '" + coord + "' is not one of half_pixel, "
                        + "asymmetric, align_corners, pytorch_half_pixel");
            }
            if (linear) {
                x = Math.max(0, Math.min(x, in - 1));
                int lo = (int) Math.floor(x);
                i0[o] = lo;
                i1[o] = Math.min(lo + 1, in - 1);
                w[o] = (float) (x - lo);
            } else {
                double r;
                switch (nearest) {
                    case "floor": r = Math.floor(x); break;
                    case "ceil": r = Math.ceil(x); break;
                    case "round_prefer_ceil": r = x - Math.floor(x) == 0.5 ? Math.ceil(x) : Math.round(x); break;
                    case "round_prefer_floor": r = x - Math.floor(x) == 0.5 ? Math.floor(x) : Math.round(x); break;
                    default: throw new IllegalArgumentException("resize nearest mode '" + nearest + "' is not one of "
                            + "round_prefer_floor, round_prefer_ceil, floor, ceil");
                }
                int i = (int) Math.max(0, Math.min(r, in - 1));
                i0[o] = i;
                i1[o] = i;
                w[o] = 0f;
            }
        }
    }
}
