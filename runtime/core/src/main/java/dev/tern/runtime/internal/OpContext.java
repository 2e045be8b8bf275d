package dev.tern.runtime.internal;

import dev.tern.runtime.model.Activation;
import dev.tern.runtime.model.Attributes;
import dev.tern.runtime.model.ModelDef;
import dev.tern.runtime.model.Node;
import dev.tern.runtime.model.OpType;
import dev.tern.runtime.model.Padding;
import dev.tern.runtime.model.ShapeInference;
import dev.tern.runtime.model.DType;
import dev.tern.runtime.model.QuantParams;
import dev.tern.runtime.model.Tensor;
import dev.tern.runtime.model.ValueType;

/**
 * What a kernel factory sees of one node: shapes (per sample), arena offsets, constants
 * and attributes. The graph was validated by {@link ShapeInference} before this exists.
 */
public final class OpContext {
    private final ModelDef def;
    private final Node node;
    private final int[] inOffsets;
    private final int outOffset;
    private final int sampleStride;
    private final int int8Stride;

    public OpContext(ModelDef def, Node node, int[] inOffsets, int outOffset, int sampleStride, int int8Stride) {
        this.def = def;
        this.node = node;
        this.inOffsets = inOffsets;
        this.outOffset = outOffset;
        this.sampleStride = sampleStride;
        this.int8Stride = int8Stride;
    }

    /** Distance in the int8 arena between sample s and s + 1 of any int8 value. */
    public int int8Stride() {
        return int8Stride;
    }

    /** Type of activation input i. */
    public ValueType inType(int i) {
        return def.typeOf(node.input(i));
    }

    public ValueType outType() {
        return def.typeOf(node.output());
    }

    /**
     * Constant input i (weights) as floats: float32 as stored, int8 dequantized
     * (scale[c] * q, symmetric) along its channel axis: weight-only int8 runs on float kernels.
     */
    public float[] weightFloats(int i) {
        Tensor t = constant(i);
        if (t.dtype() == DType.FLOAT32) {
            return t.floats();
        }
        QuantParams q = t.quant();
        int axis = q.axis();
        int[] shape = t.shape();
        int inner = 1;
        for (int d = axis + 1; axis >= 0 && d < shape.length; d++) {
            inner *= shape[d];
        }
        int channels = axis < 0 ? 1 : shape[axis];
        java.nio.ByteBuffer data = t.data();
        float[] out = new float[t.elementCount()];
        for (int k = 0; k < out.length; k++) {
            int c = axis < 0 ? 0 : (k / inner) % channels;
            out[k] = q.scale(c) * data.get(k);
        }
        return out;
    }

    /**
     * Distance in the arena between sample s and s + 1 of any value: the arena holds one
     * per-sample plan after another, so value v of sample s is at offset(v) + s * stride.
     */
    public int sampleStride() {
        return sampleStride;
    }

    public Node node() {
        return node;
    }

    public Attributes attrs() {
        return node.attributes();
    }

    public int inputCount() {
        return node.inputs().size();
    }

    /** Per-sample shape of activation input i. */
    public int[] inShape(int i) {
        return def.shapeOf(node.input(i));
    }

    public int inSize(int i) {
        return (int) Tensor.elementCount(inShape(i));
    }

    /** Arena offset of activation input i (sample 0). */
    public int inOffset(int i) {
        return inOffsets[i];
    }

    public int[] outShape() {
        return def.shapeOf(node.output());
    }

    public int outSize() {
        return (int) Tensor.elementCount(outShape());
    }

    public int outOffset() {
        return outOffset;
    }

    /** Whether input i is present (optional biases). */
    public boolean hasInput(int i) {
        return i < node.inputs().size();
    }

    /** The constant tensor at input i. */
    public Tensor constant(int i) {
        return def.tensor(node.input(i));
    }

    /** Int8 weights at input i with their per-channel scales expanded (per-tensor weights repeat their one scale). */
    public float[] weightScales(int i, int channelAxis) {
        Tensor t = constant(i);
        float[] s = new float[t.dim(channelAxis)];
        for (int c = 0; c < s.length; c++) {
            s[c] = t.quant().scale(t.quant().axis() < 0 ? 0 : c);
        }
        return s;
    }

    /** Constant input i as int8 values (a copy). */
    public byte[] int8s(int i) {
        Tensor t = constant(i);
        byte[] out = new byte[t.elementCount()];
        t.data().get(out);
        return out;
    }

    /** Constant input i as int32 values, or zeros when absent. */
    public int[] intsOrZeros(int i, int size) {
        int[] out = new int[size];
        if (hasInput(i)) {
            constant(i).data().asIntBuffer().get(out);
        }
        return out;
    }

    /** Constant input i as floats, or an array of {@code size} zeros when the input is absent. */
    public float[] floatsOrZeros(int i, int size) {
        return hasInput(i) ? constant(i).floats() : new float[size];
    }

    public Activation activation() {
        return Activation.parse(attrs().getString("activation", "none"));
    }

    public Padding padding() {
        return Padding.parse(attrs().getString("padding", "valid"));
    }

    public int[] strides() {
        return attrs().getInts("strides", new int[] {1, 1});
    }

    /** Geometry of a windowed op (conv, depthwise, pooling) with kernel size kh x kw. */
    public Window window(int kh, int kw) {
        int[] x = inShape(0);
        int[] y = outShape();
        int[] st = strides();
        Padding p = padding();
        if (p == Padding.EXPLICIT) {
            int[] pads = attrs().getInts("pads", null);
            int[] dil = attrs().getInts("dilations", new int[] {1, 1});
            return new Window(x[0], x[1], x[2], kh, kw, st[0], st[1], pads[0], pads[1], y[0], y[1], y[2], pads[2], pads[3],
                    dil[0], dil[1], attrs().getInt("count_include_pad", 0) != 0);
        }
        int padTop = ShapeInference.padBefore(x[0], kh, st[0], p);
        int padLeft = ShapeInference.padBefore(x[1], kw, st[1], p);
        return new Window(x[0], x[1], x[2], kh, kw, st[0], st[1], padTop, padLeft, y[0], y[1], y[2],
                Math.max((y[0] - 1) * st[0] + kh - x[0] - padTop, 0), Math.max((y[1] - 1) * st[1] + kw - x[1] - padLeft, 0),
                1, 1, false);
    }

    /**
     * Whether this node's window needs what only the reference kernels do: dilations other than 1,
     * or average pooling that counts padding cells (the optimized kernels decline such nodes).
     */
    public boolean needsReferenceWindow() {
        if (padding() != Padding.EXPLICIT) {
            return false;
        }
        int[] dil = attrs().getInts("dilations", new int[] {1, 1});
        return dil[0] != 1 || dil[1] != 1 || attrs().getInt("count_include_pad", 0) != 0;
    }

    /**
     * The geometry of a global pool as a window over the whole image: one output pixel, the
     * window as large as the input, stride 1, no padding (the pooling kernels run both alike).
     */
    public Window globalWindow() {
        int[] x = inShape(0);
        return new Window(x[0], x[1], x[2], x[0], x[1], 1, 1, 0, 0, 1, 1, x[2], 0, 0, 1, 1, false);
    }

    /**
     * The geometry of a pooling node: {@link #globalWindow()} for the global pools, else the
     * window of its {@code window} attribute.
     */
    public Window poolWindow() {
        OpType op = node.op();
        if (op == OpType.GLOBAL_MAX_POOL || op == OpType.GLOBAL_AVG_POOL) {
            return globalWindow();
        }
        int[] win = attrs().getInts("window", null);
        return window(win[0], win[1]);
    }

    /**
     * Spatial geometry of a windowed op; all values per sample, NHWC. Window cell (ky, kx) of
     * output (oy, ox) reads input row oy * strideH - padTop + ky * dilH (columns alike); padBottom
     * and padRight bound the padded input (count_include_pad averages count cells inside it).
     */
    public static final class Window {
        public final int inH, inW, inC, kh, kw, strideH, strideW, padTop, padLeft, outH, outW, outC;
        public final int padBottom, padRight, dilH, dilW;
        public final boolean countIncludePad;

        Window(int inH, int inW, int inC, int kh, int kw, int strideH, int strideW, int padTop, int padLeft,
               int outH, int outW, int outC, int padBottom, int padRight, int dilH, int dilW, boolean countIncludePad) {
            this.padBottom = padBottom;
            this.padRight = padRight;
            this.dilH = dilH;
            this.dilW = dilW;
            this.countIncludePad = countIncludePad;
            this.inH = inH;
            this.inW = inW;
            this.inC = inC;
            this.kh = kh;
            this.kw = kw;
            this.strideH = strideH;
            this.strideW = strideW;
            this.padTop = padTop;
            this.padLeft = padLeft;
            this.outH = outH;
            this.outW = outW;
            this.outC = outC;
        }
    }
}
