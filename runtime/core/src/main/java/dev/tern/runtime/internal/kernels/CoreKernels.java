package dev.tern.runtime.internal.kernels;

import dev.tern.runtime.Backend;
import dev.tern.runtime.internal.KernelFactory;
import dev.tern.runtime.internal.KernelProvider;
import dev.tern.runtime.internal.KernelSpec;
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

import java.util.ArrayList;
import java.util.List;

/**
 * The kernels of tern-runtime, reference and scalar, in one list: a kernel exists for the plan,
 * the property tests and the benchmarks by being listed here (docs/KERNELS.md). Ops without a
 * scalar kernel run the reference one (already simple same-index loops or copies).
 */
public final class CoreKernels implements KernelProvider {
    @Override
    public List<KernelSpec> kernels() {
        List<KernelSpec> l = new ArrayList<>();
        DType f = DType.FLOAT32;
        DType q = DType.INT8;
        Backend r = Backend.REFERENCE;
        Backend s = Backend.SCALAR;
        l.add(spec(OpType.DENSE, f, r, dev.tern.runtime.internal.kernels.reference.Dense::new));
        l.add(spec(OpType.CONV2D, f, r, dev.tern.runtime.internal.kernels.reference.Conv2d::new));
        l.add(spec(OpType.DEPTHWISE_CONV2D, f, r, dev.tern.runtime.internal.kernels.reference.DepthwiseConv2d::new));
        l.add(spec(OpType.MAX_POOL, f, r, c -> new dev.tern.runtime.internal.kernels.reference.Pool(c, true, false)));
        l.add(spec(OpType.AVG_POOL, f, r, c -> new dev.tern.runtime.internal.kernels.reference.Pool(c, false, false)));
        l.add(spec(OpType.GLOBAL_MAX_POOL, f, r, c -> new dev.tern.runtime.internal.kernels.reference.Pool(c, true, false)));
        l.add(spec(OpType.GLOBAL_AVG_POOL, f, r, c -> new dev.tern.runtime.internal.kernels.reference.Pool(c, false, false)));
        l.add(spec(OpType.ADD, f, r, Add::new));
        l.add(spec(OpType.CONCAT, f, r, Concat::new));
        l.add(spec(OpType.FLATTEN, f, r, c -> new Copy(c, false)));
        l.add(spec(OpType.RESHAPE, f, r, c -> new Copy(c, false)));
        l.add(spec(OpType.RELU, f, r, c -> new Clamp(c, 0f, Float.POSITIVE_INFINITY)));
        l.add(spec(OpType.RELU6, f, r, c -> new Clamp(c, 0f, 6f)));
        l.add(spec(OpType.SIGMOID, f, r, Sigmoid::new));
        l.add(spec(OpType.SOFTMAX, f, r, Softmax::new));
        l.add(spec(OpType.HARD_SIGMOID, f, r, dev.tern.runtime.internal.kernels.reference.HardSigmoid::new));
        l.add(spec(OpType.HARD_SWISH, f, r, dev.tern.runtime.internal.kernels.reference.HardSwish::new));

        // 1.4, the ops of ONNX import (float32 only); their scalar kernels are listed below
        l.add(spec(OpType.TRANSPOSE, f, r, dev.tern.runtime.internal.kernels.reference.Transpose::new));
        l.add(spec(OpType.MUL, f, r, dev.tern.runtime.internal.kernels.reference.Mul::new));
        l.add(spec(OpType.SUB, f, r, dev.tern.runtime.internal.kernels.reference.Sub::new));
        l.add(spec(OpType.DIV, f, r, dev.tern.runtime.internal.kernels.reference.Div::new));
        l.add(spec(OpType.MAX, f, r, dev.tern.runtime.internal.kernels.reference.Max::new));
        l.add(spec(OpType.MIN, f, r, dev.tern.runtime.internal.kernels.reference.Min::new));
        l.add(spec(OpType.PRELU, f, r, dev.tern.runtime.internal.kernels.reference.PRelu::new));
        l.add(spec(OpType.TANH, f, r, dev.tern.runtime.internal.kernels.reference.Tanh::new));
        l.add(spec(OpType.EXP, f, r, dev.tern.runtime.internal.kernels.reference.Exp::new));
        l.add(spec(OpType.LOG, f, r, dev.tern.runtime.internal.kernels.reference.Log::new));
        l.add(spec(OpType.NEG, f, r, dev.tern.runtime.internal.kernels.reference.Neg::new));
        l.add(spec(OpType.ABS, f, r, dev.tern.runtime.internal.kernels.reference.Abs::new));
        l.add(spec(OpType.SQRT, f, r, dev.tern.runtime.internal.kernels.reference.Sqrt::new));
        l.add(spec(OpType.RECIPROCAL, f, r, dev.tern.runtime.internal.kernels.reference.Reciprocal::new));
        l.add(spec(OpType.LEAKY_RELU, f, r, dev.tern.runtime.internal.kernels.reference.LeakyRelu::new));
        l.add(spec(OpType.ELU, f, r, dev.tern.runtime.internal.kernels.reference.Elu::new));
        l.add(spec(OpType.CLIP, f, r, dev.tern.runtime.internal.kernels.reference.Clip::new));
        l.add(spec(OpType.LOG_SOFTMAX, f, r, dev.tern.runtime.internal.kernels.reference.LogSoftmax::new));
        l.add(spec(OpType.REDUCE_MEAN, f, r, dev.tern.runtime.internal.kernels.reference.ReduceMean::new));
        l.add(spec(OpType.REDUCE_SUM, f, r, dev.tern.runtime.internal.kernels.reference.ReduceSum::new));
        l.add(spec(OpType.REDUCE_MAX, f, r, dev.tern.runtime.internal.kernels.reference.ReduceMax::new));
        l.add(spec(OpType.REDUCE_MIN, f, r, dev.tern.runtime.internal.kernels.reference.ReduceMin::new));
        l.add(spec(OpType.SLICE, f, r, dev.tern.runtime.internal.kernels.reference.Slice::new));
        l.add(spec(OpType.PAD, f, r, dev.tern.runtime.internal.kernels.reference.Pad::new));
        l.add(spec(OpType.MATMUL, f, r, dev.tern.runtime.internal.kernels.reference.MatMul::new));
        l.add(spec(OpType.RESIZE, f, r, dev.tern.runtime.internal.kernels.reference.Resize::new));
        l.add(spec(OpType.CONV_TRANSPOSE, f, r, dev.tern.runtime.internal.kernels.reference.ConvTranspose::new));

        l.add(spec(OpType.QUANTIZE, q, r, Quantize::new));
        l.add(spec(OpType.DEQUANTIZE, q, r, Dequantize::new));
        l.add(spec(OpType.DENSE, q, r, dev.tern.runtime.internal.kernels.reference.Int8Dense::new));
        l.add(spec(OpType.CONV2D, q, r, dev.tern.runtime.internal.kernels.reference.Int8Conv2d::new));
        l.add(spec(OpType.DEPTHWISE_CONV2D, q, r, dev.tern.runtime.internal.kernels.reference.Int8DepthwiseConv2d::new));
        l.add(spec(OpType.MAX_POOL, q, r, c -> new dev.tern.runtime.internal.kernels.reference.Pool(c, true, true)));
        l.add(spec(OpType.AVG_POOL, q, r, c -> new dev.tern.runtime.internal.kernels.reference.Pool(c, false, true)));
        l.add(spec(OpType.GLOBAL_MAX_POOL, q, r, c -> new dev.tern.runtime.internal.kernels.reference.Pool(c, true, true)));
        l.add(spec(OpType.GLOBAL_AVG_POOL, q, r, c -> new dev.tern.runtime.internal.kernels.reference.Pool(c, false, true)));
        l.add(spec(OpType.ADD, q, r, Int8Add::new));
        l.add(spec(OpType.CONCAT, q, r, Int8Concat::new));
        l.add(spec(OpType.FLATTEN, q, r, c -> new Copy(c, true)));
        l.add(spec(OpType.RESHAPE, q, r, c -> new Copy(c, true)));
        l.add(spec(OpType.RELU, q, r, c -> new Int8Clamp(c, Activation.RELU)));
        l.add(spec(OpType.RELU6, q, r, c -> new Int8Clamp(c, Activation.RELU6)));
        l.add(spec(OpType.HARD_SIGMOID, q, r, dev.tern.runtime.internal.kernels.reference.Int8HardSigmoid::new));
        l.add(spec(OpType.HARD_SWISH, q, r, dev.tern.runtime.internal.kernels.reference.Int8HardSwish::new));

        l.add(spec(OpType.DENSE, f, s, dev.tern.runtime.internal.kernels.scalar.Dense::new));
        l.add(spec(OpType.CONV2D, f, s, dev.tern.runtime.internal.kernels.scalar.Conv2d::new));
        l.add(spec(OpType.DEPTHWISE_CONV2D, f, s, dev.tern.runtime.internal.kernels.scalar.DepthwiseConv2d::new));
        l.add(spec(OpType.MAX_POOL, f, s, c -> new dev.tern.runtime.internal.kernels.scalar.Pool(c, true, false)));
        l.add(spec(OpType.AVG_POOL, f, s, c -> new dev.tern.runtime.internal.kernels.scalar.Pool(c, false, false)));
        l.add(spec(OpType.GLOBAL_MAX_POOL, f, s, c -> new dev.tern.runtime.internal.kernels.scalar.Pool(c, true, false)));
        l.add(spec(OpType.GLOBAL_AVG_POOL, f, s, c -> new dev.tern.runtime.internal.kernels.scalar.Pool(c, false, false)));
        l.add(spec(OpType.DENSE, q, s, dev.tern.runtime.internal.kernels.scalar.Int8Dense::new));
        l.add(spec(OpType.CONV2D, q, s, dev.tern.runtime.internal.kernels.scalar.Int8Conv2d::new));
        l.add(spec(OpType.DEPTHWISE_CONV2D, q, s, dev.tern.runtime.internal.kernels.scalar.Int8DepthwiseConv2d::new));
        l.add(spec(OpType.MAX_POOL, q, s, c -> new dev.tern.runtime.internal.kernels.scalar.Pool(c, true, true)));
        l.add(spec(OpType.AVG_POOL, q, s, c -> new dev.tern.runtime.internal.kernels.scalar.Pool(c, false, true)));
        l.add(spec(OpType.GLOBAL_MAX_POOL, q, s, c -> new dev.tern.runtime.internal.kernels.scalar.Pool(c, true, true)));
        l.add(spec(OpType.GLOBAL_AVG_POOL, q, s, c -> new dev.tern.runtime.internal.kernels.scalar.Pool(c, false, true)));
        l.add(spec(OpType.HARD_SIGMOID, f, s, dev.tern.runtime.internal.kernels.scalar.HardSigmoid::new));
        l.add(spec(OpType.HARD_SIGMOID, q, s, dev.tern.runtime.internal.kernels.scalar.Int8HardSigmoid::new));
        l.add(spec(OpType.HARD_SWISH, f, s, dev.tern.runtime.internal.kernels.scalar.HardSwish::new));
        l.add(spec(OpType.HARD_SWISH, q, s, dev.tern.runtime.internal.kernels.scalar.Int8HardSwish::new));
        l.add(spec(OpType.ADD, q, s, dev.tern.runtime.internal.kernels.scalar.Int8Add::new));

        l.add(spec(OpType.ADD, f, s, dev.tern.runtime.internal.kernels.scalar.Add::new));
        l.add(spec(OpType.SUB, f, s, dev.tern.runtime.internal.kernels.scalar.Sub::new));
        l.add(spec(OpType.MUL, f, s, dev.tern.runtime.internal.kernels.scalar.Mul::new));
        l.add(spec(OpType.DIV, f, s, dev.tern.runtime.internal.kernels.scalar.Div::new));
        l.add(spec(OpType.MAX, f, s, dev.tern.runtime.internal.kernels.scalar.Max::new));
        l.add(spec(OpType.MIN, f, s, dev.tern.runtime.internal.kernels.scalar.Min::new));
        l.add(spec(OpType.TRANSPOSE, f, s, dev.tern.runtime.internal.kernels.scalar.Transpose::new));
        l.add(spec(OpType.SLICE, f, s, dev.tern.runtime.internal.kernels.scalar.Slice::new));
        l.add(spec(OpType.PAD, f, s, dev.tern.runtime.internal.kernels.scalar.Pad::new));
        l.add(spec(OpType.MATMUL, f, s, dev.tern.runtime.internal.kernels.scalar.MatMul::new));
        l.add(spec(OpType.PRELU, f, s, dev.tern.runtime.internal.kernels.scalar.PRelu::new));
        l.add(spec(OpType.TANH, f, s, dev.tern.runtime.internal.kernels.scalar.Tanh::new));
        l.add(spec(OpType.EXP, f, s, dev.tern.runtime.internal.kernels.scalar.Exp::new));
        l.add(spec(OpType.LOG, f, s, dev.tern.runtime.internal.kernels.scalar.Log::new));
        l.add(spec(OpType.NEG, f, s, dev.tern.runtime.internal.kernels.scalar.Neg::new));
        l.add(spec(OpType.ABS, f, s, dev.tern.runtime.internal.kernels.scalar.Abs::new));
        l.add(spec(OpType.SQRT, f, s, dev.tern.runtime.internal.kernels.scalar.Sqrt::new));
        l.add(spec(OpType.RECIPROCAL, f, s, dev.tern.runtime.internal.kernels.scalar.Reciprocal::new));
        l.add(spec(OpType.LEAKY_RELU, f, s, dev.tern.runtime.internal.kernels.scalar.LeakyRelu::new));
        l.add(spec(OpType.ELU, f, s, dev.tern.runtime.internal.kernels.scalar.Elu::new));
        l.add(spec(OpType.CLIP, f, s, dev.tern.runtime.internal.kernels.scalar.Clip::new));
        l.add(spec(OpType.LOG_SOFTMAX, f, s, dev.tern.runtime.internal.kernels.scalar.LogSoftmax::new));
        l.add(spec(OpType.REDUCE_MEAN, f, s, dev.tern.runtime.internal.kernels.scalar.ReduceMean::new));
        l.add(spec(OpType.REDUCE_SUM, f, s, dev.tern.runtime.internal.kernels.scalar.ReduceSum::new));
        l.add(spec(OpType.REDUCE_MAX, f, s, dev.tern.runtime.internal.kernels.scalar.ReduceMax::new));
        l.add(spec(OpType.REDUCE_MIN, f, s, dev.tern.runtime.internal.kernels.scalar.ReduceMin::new));
        l.add(spec(OpType.RESIZE, f, s, dev.tern.runtime.internal.kernels.scalar.Resize::new));
        l.add(spec(OpType.CONV_TRANSPOSE, f, s, dev.tern.runtime.internal.kernels.scalar.ConvTranspose::new));

        l.add(KernelSpec.sparse(OpType.DENSE, f, r, dev.tern.runtime.internal.kernels.reference.SparseDense::new));
        l.add(KernelSpec.sparse(OpType.DENSE, f, s, dev.tern.runtime.internal.kernels.scalar.SparseDense::new));
        l.add(KernelSpec.sparse(OpType.DENSE, q, r, dev.tern.runtime.internal.kernels.reference.Int8SparseDense::new));
        l.add(KernelSpec.sparse(OpType.DENSE, q, s, dev.tern.runtime.internal.kernels.scalar.Int8SparseDense::new));
        return l;
    }

    private static KernelSpec spec(OpType op, DType dtype, Backend b, KernelFactory f) {
        return KernelSpec.of(op, dtype, b, f);
    }
}
