package dev.tern.runtime.vector;

import dev.tern.runtime.Backend;
import dev.tern.runtime.internal.KernelProvider;
import dev.tern.runtime.internal.KernelSpec;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.OpType;

import java.util.ArrayList;
import java.util.List;

/**
 * The kernels of tern-runtime-vector, in one list: {@code Platform} loads this class by name
 * only off Android and when {@code jdk.incubator.vector} is readable, and adds the list to the
 * registry. Ops without a vector kernel fall back to the scalar ones. An op's variants are
 * listed in the order the plan tries them, the first that takes a node winning, so the order
 * below is what each node gets on each machine (docs/KERNELS.md):
 * <ul>
 * <li>f32 conv2d: the patch GEMM ({@link Conv2dPatches}) for pointwise convolutions and for
 *     small outputs whose pixels the direct kernel would run one at a time, else the direct
 *     kernel ({@link Conv2d});</li>
 * <li>int8 conv2d: the fma path over patches where the fp32 patch GEMM would take the node
 *     ({@link Int8Conv2dPatches}), then over a padded input copy in six-pixel blocks (automatic only
 *     with 32 vector registers, {@link Lanes#REGISTERS_32}), then in four-pixel blocks, then
 *     over an unpadded copy (outputs narrower than four pixels), each with the float
 *     requantization where it is proven exact ({@code fp32}), else the fixed-point one
 *     ({@code gemmlowp}); last the int32 path, which takes every node;</li>
 * <li>int8 depthwise: the fma path ({@link Int8DepthwiseConv2dFma}, float then fixed-point
 *     requantization), then the int32 one;</li>
 * <li>the fused int8 conv2d + 2x2 max pool the same way, for the padded fma path only.</li>
 * </ul>
 * The int8 kernels that widen bytes lane for lane exist only where {@link Lanes#WIDE_BYTES}.
 */
public final class VectorKernels implements KernelProvider {
    @Override
    public List<KernelSpec> kernels() {
        DType f = DType.FLOAT32;
        DType q = DType.INT8;
        Backend v = Backend.VECTOR;
        boolean six = Lanes.REGISTERS_32;
        List<KernelSpec> l = new ArrayList<>();
        l.add(KernelSpec.of(OpType.DENSE, f, v, Dense::new));
        l.add(KernelSpec.variant(OpType.CONV2D, f, v, "patches", true, Conv2dPatches::create));
        l.add(KernelSpec.of(OpType.CONV2D, f, v, Conv2d::new));
        l.add(KernelSpec.of(OpType.DEPTHWISE_CONV2D, f, v, DepthwiseConv2d::new));
        l.add(KernelSpec.of(OpType.MAX_POOL, f, v, Pool.Max::new));
        l.add(KernelSpec.of(OpType.SIGMOID, f, v, Sigmoid::new));
        l.add(KernelSpec.of(OpType.MATMUL, f, v, MatMul::new));
        l.add(KernelSpec.sparse(OpType.DENSE, f, v, SparseDense::new));
        l.add(KernelSpec.of(OpType.QUANTIZE, q, v, Quantize::new));
        l.add(KernelSpec.of(OpType.MAX_POOL, q, v, Pool.Int8Max::new));
        if (Lanes.WIDE_BYTES) {
            l.add(KernelSpec.of(OpType.DENSE, q, v, Int8Dense::new));
            l.add(KernelSpec.variant(OpType.DEPTHWISE_CONV2D, q, v, "fma-fp32", true,
                    c -> Int8DepthwiseConv2dFma.create(c, true)));
            l.add(KernelSpec.variant(OpType.DEPTHWISE_CONV2D, q, v, "fma-gemmlowp", true,
                    c -> Int8DepthwiseConv2dFma.create(c, false)));
            l.add(KernelSpec.of(OpType.DEPTHWISE_CONV2D, q, v, Int8DepthwiseConv2d::new));
            l.add(conv("fma-patches-fp32", true, c -> Int8Conv2dPatches.create(c, true)));
            l.add(conv("fma-patches-gemmlowp", true, c -> Int8Conv2dPatches.create(c, false)));
            l.add(conv("fma-pad6-fp32", six, c -> Int8Conv2d.create(c, true, 6, true)));
            l.add(conv("fma-pad6-gemmlowp", six, c -> Int8Conv2d.create(c, true, 6, false)));
            l.add(conv("fma-pad4-fp32", true, c -> Int8Conv2d.create(c, true, 4, true)));
            l.add(conv("fma-pad4-gemmlowp", true, c -> Int8Conv2d.create(c, true, 4, false)));
            l.add(conv("fma-edge-fp32", true, c -> Int8Conv2d.create(c, true, 0, true)));
            l.add(conv("fma-edge-gemmlowp", true, c -> Int8Conv2d.create(c, true, 0, false)));
            l.add(conv("i32-edge-gemmlowp", true, c -> Int8Conv2d.create(c, false, 0, false)));
            l.add(convPool("fma-pad6-fp32", six, (c, p) -> Int8Conv2dMaxPool.of(c, p, 6, true)));
            l.add(convPool("fma-pad6-gemmlowp", six, (c, p) -> Int8Conv2dMaxPool.of(c, p, 6, false)));
            l.add(convPool("fma-pad4-fp32", true, (c, p) -> Int8Conv2dMaxPool.of(c, p, 4, true)));
            l.add(convPool("fma-pad4-gemmlowp", true, (c, p) -> Int8Conv2dMaxPool.of(c, p, 4, false)));
        }
        return l;
    }

    private static KernelSpec conv(String variant, boolean auto, dev.tern.runtime.internal.KernelFactory factory) {
        return KernelSpec.variant(OpType.CONV2D, DType.INT8, Backend.VECTOR, variant, auto, factory);
    }

    private static KernelSpec convPool(String variant, boolean auto, KernelSpec.FusedFactory factory) {
        return KernelSpec.fused(OpType.CONV2D, OpType.MAX_POOL, DType.INT8, Backend.VECTOR, variant, auto, factory);
    }
}
