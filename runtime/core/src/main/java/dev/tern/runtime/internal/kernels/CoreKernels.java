package dev.tern.runtime.internal.kernels;

import dev.tern.runtime.Backend;
import dev.tern.runtime.internal.KernelFactory;
import dev.tern.runtime.internal.KernelRegistry;
import dev.tern.runtime.internal.kernels.reference.Add;
import dev.tern.runtime.internal.kernels.reference.Clamp;
import dev.tern.runtime.internal.kernels.reference.Concat;
import dev.tern.runtime.internal.kernels.reference.Copy;
import dev.tern.runtime.internal.kernels.reference.Dequantize;
import dev.tern.runtime.internal.kernels.reference.Int8Add;
import dev.tern.runtime.internal.kernels.reference.Int8Clamp;
import dev.tern.runtime.internal.kernels.reference.Int8Concat;
import dev.tern.runtime.internal.kernels.reference.Quantize;
import dev.tern.runtime.internal.kernels.reference.Sigmoid;
import dev.tern.runtime.internal.kernels.reference.Softmax;
import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.OpType;

/** The kernels of tern-runtime (reference and scalar), in one list. */
public final class CoreKernels {
    private CoreKernels() {
    }

    public static void register() {
        DType f = DType.FLOAT32;
        DType q = DType.INT8;
        Backend r = Backend.REFERENCE;
        Backend s = Backend.SCALAR;
        reg(OpType.DENSE, f, r, dev.tern.runtime.internal.kernels.reference.Dense::new);
        reg(OpType.CONV2D, f, r, dev.tern.runtime.internal.kernels.reference.Conv2d::new);
        reg(OpType.DEPTHWISE_CONV2D, f, r, dev.tern.runtime.internal.kernels.reference.DepthwiseConv2d::new);
        reg(OpType.MAX_POOL, f, r, c -> new dev.tern.runtime.internal.kernels.reference.Pool(c, true, false));
        reg(OpType.AVG_POOL, f, r, c -> new dev.tern.runtime.internal.kernels.reference.Pool(c, false, false));
        reg(OpType.GLOBAL_MAX_POOL, f, r, c -> new dev.tern.runtime.internal.kernels.reference.Pool(c, true, false));
        reg(OpType.GLOBAL_AVG_POOL, f, r, c -> new dev.tern.runtime.internal.kernels.reference.Pool(c, false, false));
        reg(OpType.ADD, f, r, Add::new);
        reg(OpType.CONCAT, f, r, Concat::new);
        reg(OpType.FLATTEN, f, r, c -> new Copy(c, false));
        reg(OpType.RESHAPE, f, r, c -> new Copy(c, false));
        reg(OpType.RELU, f, r, c -> new Clamp(c, 0f, Float.POSITIVE_INFINITY));
        reg(OpType.RELU6, f, r, c -> new Clamp(c, 0f, 6f));
        reg(OpType.SIGMOID, f, r, Sigmoid::new);
        reg(OpType.SOFTMAX, f, r, Softmax::new);

        reg(OpType.QUANTIZE, q, r, Quantize::new);
        reg(OpType.DEQUANTIZE, q, r, Dequantize::new);
        reg(OpType.DENSE, q, r, dev.tern.runtime.internal.kernels.reference.Int8Dense::new);
        reg(OpType.CONV2D, q, r, dev.tern.runtime.internal.kernels.reference.Int8Conv2d::new);
        reg(OpType.DEPTHWISE_CONV2D, q, r, dev.tern.runtime.internal.kernels.reference.Int8DepthwiseConv2d::new);
        reg(OpType.MAX_POOL, q, r, c -> new dev.tern.runtime.internal.kernels.reference.Pool(c, true, true));
        reg(OpType.AVG_POOL, q, r, c -> new dev.tern.runtime.internal.kernels.reference.Pool(c, false, true));
        reg(OpType.GLOBAL_MAX_POOL, q, r, c -> new dev.tern.runtime.internal.kernels.reference.Pool(c, true, true));
        reg(OpType.GLOBAL_AVG_POOL, q, r, c -> new dev.tern.runtime.internal.kernels.reference.Pool(c, false, true));
        reg(OpType.ADD, q, r, Int8Add::new);
        reg(OpType.CONCAT, q, r, Int8Concat::new);
        reg(OpType.FLATTEN, q, r, c -> new Copy(c, true));
        reg(OpType.RESHAPE, q, r, c -> new Copy(c, true));
        reg(OpType.RELU, q, r, c -> new Int8Clamp(c, Activation.RELU));
        reg(OpType.RELU6, q, r, c -> new Int8Clamp(c, Activation.RELU6));

        reg(OpType.DENSE, f, s, dev.tern.runtime.internal.kernels.scalar.Dense::new);
        reg(OpType.CONV2D, f, s, dev.tern.runtime.internal.kernels.scalar.Conv2d::new);
        reg(OpType.DEPTHWISE_CONV2D, f, s, dev.tern.runtime.internal.kernels.scalar.DepthwiseConv2d::new);
        reg(OpType.MAX_POOL, f, s, c -> new dev.tern.runtime.internal.kernels.scalar.Pool(c, true, false));
        reg(OpType.AVG_POOL, f, s, c -> new dev.tern.runtime.internal.kernels.scalar.Pool(c, false, false));
        reg(OpType.GLOBAL_MAX_POOL, f, s, c -> new dev.tern.runtime.internal.kernels.scalar.Pool(c, true, false));
        reg(OpType.GLOBAL_AVG_POOL, f, s, c -> new dev.tern.runtime.internal.kernels.scalar.Pool(c, false, false));
        reg(OpType.DENSE, q, s, dev.tern.runtime.internal.kernels.scalar.Int8Dense::new);
        reg(OpType.CONV2D, q, s, dev.tern.runtime.internal.kernels.scalar.Int8Conv2d::new);
        reg(OpType.DEPTHWISE_CONV2D, q, s, dev.tern.runtime.internal.kernels.scalar.Int8DepthwiseConv2d::new);
        reg(OpType.MAX_POOL, q, s, c -> new dev.tern.runtime.internal.kernels.scalar.Pool(c, true, true));
        reg(OpType.AVG_POOL, q, s, c -> new dev.tern.runtime.internal.kernels.scalar.Pool(c, false, true));
        reg(OpType.GLOBAL_MAX_POOL, q, s, c -> new dev.tern.runtime.internal.kernels.scalar.Pool(c, true, true));
        reg(OpType.GLOBAL_AVG_POOL, q, s, c -> new dev.tern.runtime.internal.kernels.scalar.Pool(c, false, true));

        KernelRegistry.registerSparse(OpType.DENSE, f, r, "f32-sparse_dense-reference",
                dev.tern.runtime.internal.kernels.reference.SparseDense::new);
        KernelRegistry.registerSparse(OpType.DENSE, f, s, "f32-sparse_dense-scalar",
                dev.tern.runtime.internal.kernels.scalar.SparseDense::new);
        KernelRegistry.registerSparse(OpType.DENSE, q, r, "int8-sparse_dense-reference",
                dev.tern.runtime.internal.kernels.reference.Int8SparseDense::new);
        KernelRegistry.registerSparse(OpType.DENSE, q, s, "int8-sparse_dense-scalar",
                dev.tern.runtime.internal.kernels.scalar.Int8SparseDense::new);
    }

    private static void reg(OpType op, DType dtype, Backend b, KernelFactory f) {
        KernelRegistry.register(op, dtype, b, (dtype == DType.INT8 ? "int8-" : "f32-") + op.id() + "-" + b.id(), f);
    }
}
