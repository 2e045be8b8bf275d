package dev.tern.runtime.internal;

import dev.tern.runtime.Backend;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.OpType;

import java.util.Arrays;

/**
 * One entry of the {@link KernelRegistry}: what a kernel computes (op, for a fused kernel also
 * the consumer's op; dtype), where it runs (backend), which of an op's variants it is, and how
 * to make it. Every kernel the plan can choose is one spec, so the property tests and the
 * benchmarks enumerate it by being listed. Names follow docs/KERNELS.md:
 * {@code <dtype>-<op>[-<variant>]-<backend>}, the op part being {@code sparse_<op>} for a
 * sparse kernel and {@code <first>+<second>} for a fused one, the variant one or more
 * {@code -}-separated tokens (for example {@code int8-conv2d-fma-pad6-fp32-vector}).
 */
public final class KernelSpec {
    /** A kernel for one node; a sparse-weight kernel for one node; a kernel for a node and its only consumer. */
    public enum Kind { PLAIN, SPARSE, FUSED }

    /**
     * Makes one kernel that runs two nodes, {@code first} and its only consumer {@code second}
     * (the plan has checked the graph); returns null when it does not support this pair's
     * configuration (the plan then runs the two nodes' own kernels), may throw
     * IllegalArgumentException as a {@link KernelFactory}.
     */
    public interface FusedFactory {
        Kernel create(OpContext first, OpContext second);
    }

    public final Kind kind;
    /** The op of the node the kernel runs (of the first node, for a fused kernel). */
    public final OpType op;
    /** The consumer's op of a fused kernel, else null. */
    public final OpType second;
    /** {@link DType#FLOAT32} (f32) or {@link DType#INT8}: the type of the activations the kernel reads. */
    public final DType dtype;
    public final Backend backend;
    /** The variant's tokens joined by '-', or "" where the op has one kernel of its kind on this backend. */
    public final String variant;
    /**
     * Whether the plan picks it where it applies without being asked: false for a variant that
     * is correct everywhere but pays only on some machines (six-pixel blocks without 32 vector
     * registers), which then runs only when {@code PlanOptions} names it.
     */
    public final boolean auto;
    public final String name;
    private final KernelFactory factory;
    private final FusedFactory fused;

    private KernelSpec(Kind kind, OpType op, OpType second, DType dtype, Backend backend, String variant, boolean auto,
                       KernelFactory factory, FusedFactory fused) {
        if (dtype != DType.FLOAT32 && dtype != DType.INT8) {
            throw new IllegalArgumentException("kernels are f32 or int8, not " + dtype);
        }
        this.kind = kind;
        this.op = op;
        this.second = second;
        this.dtype = dtype;
        this.backend = backend;
        this.variant = variant;
        this.auto = auto;
        this.factory = factory;
        this.fused = fused;
        String ops = kind == Kind.SPARSE ? "sparse_" + op.id() : kind == Kind.FUSED ? op.id() + "+" + second.id() : op.id();
        this.name = (dtype == DType.INT8 ? "int8" : "f32") + "-" + ops + (variant.isEmpty() ? "" : "-" + variant) + "-"
                + backend.id();
    }

    /** The only kernel of an op on its backend; the factory must take every valid node. */
    public static KernelSpec of(OpType op, DType dtype, Backend backend, KernelFactory factory) {
        return new KernelSpec(Kind.PLAIN, op, null, dtype, backend, "", true, factory, null);
    }

    /**
     * One variant of an op's kernel on its backend; its factory returns null for a node it does
     * not take. The plan tries an op's variants in list order, so the last must take every node.
     */
    public static KernelSpec variant(OpType op, DType dtype, Backend backend, String variant, boolean auto,
                                     KernelFactory factory) {
        return new KernelSpec(Kind.PLAIN, op, null, dtype, backend, variant, auto, factory, null);
    }

    /** The sparse-weight kernel of an op (Dense): chosen for weights with few non-zeros (see {@link KernelRegistry}). */
    public static KernelSpec sparse(OpType op, DType dtype, Backend backend, KernelFactory factory) {
        return new KernelSpec(Kind.SPARSE, op, null, dtype, backend, "", true, factory, null);
    }

    /** A kernel that runs a node and its only consumer in one pass; its factory may decline a pair (null). */
    public static KernelSpec fused(OpType first, OpType second, DType dtype, Backend backend, String variant, boolean auto,
                                   FusedFactory factory) {
        return new KernelSpec(Kind.FUSED, first, second, dtype, backend, variant, auto, null, factory);
    }

    /** The kernel of one node, or null where this variant does not take it (plain and sparse specs). */
    public Kernel create(OpContext ctx) {
        if (kind == Kind.FUSED) {
            throw new IllegalStateException(name + " runs two nodes");
        }
        if (backend != Backend.REFERENCE && ctx.needsReferenceWindow()) {
            return null; // dilated windows and counted padding: reference kernels only
        }
        return factory.create(ctx);
    }

    /** The kernel of a node and its only consumer, or null where it does not take them (fused specs). */
    public Kernel create(OpContext first, OpContext second) {
        if (kind != Kind.FUSED) {
            throw new IllegalStateException(name + " runs one node");
        }
        if (first.needsReferenceWindow() || second.needsReferenceWindow()) {
            return null;
        }
        return fused.create(first, second);
    }

    /** Whether {@code token} is one of the variant's tokens (e.g. {@code pad6}, {@code fp32}). */
    public boolean hasToken(String token) {
        return !variant.isEmpty() && Arrays.asList(variant.split("-")).contains(token);
    }

    @Override
    public String toString() {
        return name;
    }
}
