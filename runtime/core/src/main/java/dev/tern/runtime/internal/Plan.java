package dev.tern.runtime.internal;

import dev.tern.runtime.Backend;
import dev.tern.runtime.InvalidModelException;
import dev.tern.runtime.PlanOptions;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.TaskSpec;
import dev.tern.runtime.model.ShapeInference;
import dev.tern.runtime.model.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model compiled for one backend: a kernel per node, the arena layout of one sample
 * (values whose lifetimes do not overlap share memory; Flatten and Reshape alias their
 * input), and for each task the nodes it needs. Immutable, shared by all sessions.
 */
public final class Plan {
    public final ModelDef def;
    public final Backend backend;
    private final Kernel[] kernels;
    private final KernelSpec[] specs;
    private final String[] kernelNames;
    private final Map<String, Integer> offsets;
    private final int stride;
    private final int int8Stride;
    private final int scratch;
    private final int scratchInts;
    private final int scratchLongs;
    private final boolean[][] taskNodes;
    private final boolean[] outputNodes;

    /** The plan of {@code def} on {@code backend}, kernels chosen from {@link KernelRegistry#all()} as {@code options} say. */
    public Plan(ModelDef def, Backend backend, PlanOptions options) {
        this(def, backend, options, KernelRegistry.all());
    }

    public Plan(ModelDef def, Backend backend, PlanOptions options, KernelRegistry registry) {
        this.def = def;
        this.backend = backend;
        List<Node> nodes = def.nodes();
        int n = nodes.size();

        // Aliases: Flatten/Reshape outputs share their input's memory.
        Map<String, String> root = new HashMap<>();
        for (InputSpec in : def.inputs()) {
            root.put(in.name(), in.name());
        }
        for (Node node : nodes) {
            boolean alias = node.op() == OpType.FLATTEN || node.op() == OpType.RESHAPE;
            root.put(node.output(), alias ? root.get(node.input(0)) : node.output());
        }
        // Lifetimes per root value: [def, lastUse] in node indices; inputs are defined at -1,
        // graph and task outputs live to the end.
        Map<String, int[]> life = new LinkedHashMap<>();
        for (InputSpec in : def.inputs()) {
            life.put(in.name(), new int[] {-1, -1});
        }
        for (int i = 0; i < n; i++) {
            Node node = nodes.get(i);
            for (String in : node.inputs()) {
                String r = root.get(in);
                if (r != null) {
                    life.get(r)[1] = Math.max(life.get(r)[1], i);
                }
            }
            String r = root.get(node.output());
            if (r.equals(node.output())) {
                life.put(r, new int[] {i, i});
            } else {
                life.get(r)[1] = Math.max(life.get(r)[1], i);
            }
        }
        for (String out : def.outputs()) {
            life.get(root.get(out))[1] = n;
        }
        for (TaskSpec t : def.tasks()) {
            life.get(root.get(t.output()))[1] = n;
        }
        for (InputSpec in : def.inputs()) {
            life.get(in.name())[1] = Math.max(life.get(in.name())[1], 0);
        }
        // Fusion candidates: a fused kernel writes the second node's output when the first node
        // runs, so that value's lifetime starts there (nothing defined in between may share it).
        int[] fuseWith = fusionCandidates(def, backend, options, registry);
        for (int i = 0; i < n; i++) {
            if (fuseWith[i] >= 0) {
                int[] l = life.get(root.get(nodes.get(fuseWith[i]).output()));
                l[0] = Math.min(l[0], i);
            }
        }
        // Greedy first fit, in definition order, one arena per element type (float32 values in
        // a float[], int8 values in a byte[]); only values of one type compete for space.
        Map<String, Integer> rootOff = new HashMap<>();
        int[] tops = new int[2];
        for (int arenaType = 0; arenaType < 2; arenaType++) {
            List<String> placed = new ArrayList<>();
            long top = 0;
            for (Map.Entry<String, int[]> e : life.entrySet()) {
                String v = e.getKey();
                if ((def.typeOf(v).isInt8() ? 1 : 0) != arenaType) {
                    continue;
                }
                int[] lv = e.getValue();
                long size = Tensor.elementCount(def.shapeOf(v));
                List<long[]> busy = new ArrayList<>();
                for (String p : placed) {
                    int[] lp = life.get(p);
                    if (lp[0] <= lv[1] && lv[0] <= lp[1]) {
                        busy.add(new long[] {rootOff.get(p), rootOff.get(p) + Tensor.elementCount(def.shapeOf(p))});
                    }
                }
                busy.sort((x, y) -> Long.compare(x[0], y[0]));
                long off = 0;
                for (long[] b : busy) {
                    if (off + size <= b[0]) {
                        break;
                    }
                    off = Math.max(off, b[1]);
                }
                rootOff.put(v, (int) Math.min(off, Integer.MAX_VALUE));
                placed.add(v);
                top = Math.max(top, off + size);
                if (top > ShapeInference.MAX_VALUE_ELEMENTS * 4) {
                    throw new InvalidModelException("activations need " + top + " values per sample, more than the limit of "
                            + ShapeInference.MAX_VALUE_ELEMENTS * 4);
                }
            }
            tops[arenaType] = (int) Math.max(top, 1);
        }
        this.stride = tops[0];
        this.int8Stride = tops[1];
        this.offsets = new HashMap<>();
        for (Map.Entry<String, String> e : root.entrySet()) {
            offsets.put(e.getKey(), rootOff.get(e.getValue()));
        }

        // Kernels.
        kernels = new Kernel[n];
        specs = new KernelSpec[n];
        kernelNames = new String[n];
        int scratchMax = 0;
        int scratchIntMax = 0;
        int scratchLongMax = 0;
        for (int i = 0; i < n; i++) {
            if (kernels[i] != null) {
                continue; // the second node of a fused pair
            }
            Node node = nodes.get(i);
            DType dtype = kernelType(def, node);
            if (fuseWith[i] >= 0) {
                int j = fuseWith[i];
                for (KernelSpec fused : registry.candidates(KernelSpec.Kind.FUSED, node.op(), nodes.get(j).op(), dtype,
                        backend, options)) {
                    Kernel k;
                    try {
                        k = fused.create(context(def, node, stride, int8Stride), context(def, nodes.get(j), stride, int8Stride));
                    } catch (IllegalArgumentException e) {
                        throw new InvalidModelException("node '" + node.name() + "' (" + node.op().id() + ") fused with '"
                                + nodes.get(j).name() + "': " + e.getMessage());
                    }
                    if (k != null) {
                        kernels[i] = k;
                        specs[i] = fused;
                        kernelNames[i] = fused.name;
                        kernels[j] = NOTHING;
                        specs[j] = fused;
                        kernelNames[j] = "fused into " + node.name();
                        break;
                    }
                }
                // when no fused kernel takes this configuration, both nodes run their own
            }
            if (kernels[i] == null) {
                OpContext ctx = context(def, node, stride, int8Stride);
                KernelRegistry.Choice choice;
                try {
                    boolean constantWeights = node.inputs().size() > 1 && def.tensors().containsKey(node.input(1));
                    choice = registry.choose(ctx, node.op(), dtype, backend, options,
                            constantWeights ? () -> density(def.tensor(node.input(1))) : null);
                } catch (IllegalArgumentException e) {
                    throw new InvalidModelException("node '" + node.name() + "' (" + node.op().id() + "): " + e.getMessage());
                }
                if (choice == null) {
                    throw new InvalidModelException("node '" + node.name() + "': no kernel for " + node.op().id() + " on "
                            + dtype.id());
                }
                kernels[i] = choice.kernel;
                specs[i] = choice.spec;
                kernelNames[i] = choice.spec.name;
            }
            scratchMax = Math.max(scratchMax, kernels[i].scratchFloats());
            scratchIntMax = Math.max(scratchIntMax, kernels[i].scratchInts());
            scratchLongMax = Math.max(scratchLongMax, kernels[i].scratchLongs());
        }
        scratch = scratchMax;
        scratchInts = scratchIntMax;
        scratchLongs = scratchLongMax;

        // Nodes each task needs (walk back from its output).
        Map<String, Integer> producer = def.producers();
        taskNodes = new boolean[def.tasks().size()][];
        for (int t = 0; t < def.tasks().size(); t++) {
            taskNodes[t] = needed(def.tasks().get(t).output(), producer, nodes);
        }
        outputNodes = new boolean[n];
        for (String out : def.outputs()) {
            boolean[] need = needed(out, producer, nodes);
            for (int i = 0; i < n; i++) {
                outputNodes[i] |= need[i];
            }
        }
    }

    /** Whether node i's work is done by a fused kernel of the node before it (its own kernel does nothing). */
    public boolean isFusedAway(int i) {
        return kernels[i] == NOTHING;
    }

    private OpContext context(ModelDef def, Node node, int stride, int int8Stride) {
        int[] inOff = new int[node.inputs().size()];
        for (int k = 0; k < inOff.length; k++) {
            Integer o = offsets.get(node.input(k));
            inOff[k] = o == null ? -1 : o;
        }
        return new OpContext(def, node, inOff, offsets.get(node.output()), stride, int8Stride);
    }

    /** The kernel of a node whose work a fused kernel did (see {@link #fusionCandidates}). */
    private static final Kernel NOTHING = new Kernel() {
        @Override
        public void run(Arena m, int from, int to) {
        }
    };

    /**
     * Per node i, the index of the node it may be fused with, or -1: node i's output is read
     * by exactly one input of one node j, is neither a graph nor a task output, keeps its type
     * (scale and zero point) through j, and a fused kernel for (op i, op j) on {@code backend}
     * is a candidate ({@link KernelRegistry#candidates}); none when fusion is off
     * ({@link PlanOptions#fusion()}). The fused kernels may still decline the pair's
     * configuration when the plan asks them.
     */
    static int[] fusionCandidates(ModelDef def, Backend backend, PlanOptions options, KernelRegistry registry) {
        List<Node> nodes = def.nodes();
        int n = nodes.size();
        int[] with = new int[n];
        java.util.Arrays.fill(with, -1);
        if (!options.fusion()) {
            return with;
        }
        Map<String, Integer> reads = new HashMap<>();
        Map<String, Integer> reader = new HashMap<>();
        for (int j = 0; j < n; j++) {
            for (String in : nodes.get(j).inputs()) {
                reads.merge(in, 1, Integer::sum);
                reader.put(in, j);
            }
        }
        java.util.Set<String> outs = new java.util.HashSet<>(def.outputs());
        for (TaskSpec t : def.tasks()) {
            outs.add(t.output());
        }
        boolean[] taken = new boolean[n];
        for (int i = 0; i < n; i++) {
            Node node = nodes.get(i);
            String v = node.output();
            Integer j = reader.get(v);
            if (taken[i] || j == null || reads.get(v) != 1 || outs.contains(v) || taken[j]) {
                continue;
            }
            Node next = nodes.get(j);
            if (!def.typeOf(v).equals(def.typeOf(next.output()))
                    || registry.candidates(KernelSpec.Kind.FUSED, node.op(), next.op(), kernelType(def, node), backend,
                    options).isEmpty()) {
                continue;
            }
            with[i] = j;
            taken[i] = true;
            taken[j] = true;
        }
        return with;
    }

    /**
     * Which kernel family runs a node: int8 when it reads or writes int8 activations
     * (quantize, dequantize, and every op on int8 inputs), else float32 (including Dense and
     * convolutions with int8 weights on float32 inputs, whose weights are expanded at load).
     */
    static DType kernelType(ModelDef def, Node node) {
        if (node.op() == OpType.QUANTIZE || node.op() == OpType.DEQUANTIZE) {
            return DType.INT8;
        }
        for (String in : node.inputs()) {
            // the first activation decides (a binary op's first operand may be a constant tensor)
            dev.tern.runtime.model.ValueType t = def.typeOf(in);
            if (t != null) {
                return t.isInt8() ? DType.INT8 : DType.FLOAT32;
            }
        }
        return DType.FLOAT32;
    }

    /** Fraction of non-zero elements of a weight tensor (float32 or int8). */
    static double density(Tensor t) {
        int n = t.elementCount();
        if (n == 0) {
            return 0;
        }
        long nnz = 0;
        if (t.dtype() == DType.FLOAT32) {
            java.nio.FloatBuffer f = t.data().asFloatBuffer();
            for (int i = 0; i < n; i++) {
                nnz += f.get(i) != 0f ? 1 : 0;
            }
        } else {
            java.nio.ByteBuffer b = t.data();
            int size = t.dtype().size();
            for (int i = 0; i < n; i++) {
                boolean zero = true;
                for (int k = 0; k < size; k++) {
                    zero &= b.get(i * size + k) == 0;
                }
                nnz += zero ? 0 : 1;
            }
        }
        return (double) nnz / n;
    }

    private static boolean[] needed(String value, Map<String, Integer> producer, List<Node> nodes) {
        boolean[] need = new boolean[nodes.size()];
        List<String> stack = new ArrayList<>();
        stack.add(value);
        while (!stack.isEmpty()) {
            Integer p = producer.get(stack.remove(stack.size() - 1));
            if (p == null || need[p]) {
                continue;
            }
            need[p] = true;
            stack.addAll(nodes.get(p).inputs());
        }
        return need;
    }

    public int nodeCount() {
        return kernels.length;
    }

    public Kernel kernel(int i) {
        return kernels[i];
    }

    /** The kernel spec that runs node i (after fallback; for both nodes of a fused pair, the fused kernel's). */
    public KernelSpec spec(int i) {
        return specs[i];
    }

    /** The name of node i's kernel, {@code fused into <first>} for the second node of a fused pair. */
    public String kernelName(int i) {
        return kernelNames[i];
    }

    /** Offset of a value for sample 0 in the arena of its type, or -1 for unknown names. */
    public int offset(String value) {
        Integer o = offsets.get(value);
        return o == null ? -1 : o;
    }

    /** Floats of arena per sample. */
    public int stride() {
        return stride;
    }

    /** Bytes of int8 arena per sample. */
    public int int8Stride() {
        return int8Stride;
    }

    public int scratchFloats() {
        return scratch;
    }

    public int scratchInts() {
        return scratchInts;
    }

    public int scratchLongs() {
        return scratchLongs;
    }

    /** Nodes task t needs (shared array: do not modify). */
    public boolean[] taskNodes(int t) {
        return taskNodes[t];
    }

    /** Nodes the graph outputs need (shared array: do not modify). */
    public boolean[] outputNodes() {
        return outputNodes;
    }
}
