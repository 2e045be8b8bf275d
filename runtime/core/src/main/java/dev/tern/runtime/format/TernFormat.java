package dev.tern.runtime.format;

/**
 * Constants of the {@code .tern} container; the normative description is docs/FORMAT.md.
 */
public final class TernFormat {
    private TernFormat() {
    }

    /** 0x89 'T' 'E' 'R' 'N' '\r' '\n' 0x1A: a high byte and CR LF catch text-mode transfers, as in PNG. */
    static final byte[] MAGIC = {(byte) 0x89, 'T', 'E', 'R', 'N', '\r', '\n', 0x1A};
    /** The major version this code reads and writes. A reader rejects other majors. */
    public static final int MAJOR = 1;
    /**
     * The newest minor version this code writes; it reads any minor of its major. 1.1 added
     * int8: the quantize/dequantize ops (16, 17), int8 activations (attributes scale and
     * zero_point), int8 weights and int32 biases in Dense and the convolutions; 1.2 added sparse
     * tensor storage (a bitmask and the non-zero elements); 1.3 the hard activations (ops 18 and 19);
     * 1.4 the ops of ONNX import; 1.5 the optional PREP section (an input's resize).
     */
    public static final int MINOR = 5;
    /**
     * The minor version that added the ops of ONNX import (codes 20 to 46), explicit padding with
     * dilations, ceil_mode and count_include_pad, and add with broadcasting or a constant operand.
     */
    static final int ONNX_OPS_MINOR = 4;
    /** The minor version that added the optional PREP section (input preprocessing beyond normalization: resize). */
    static final int PREP_MINOR = 5;
    /** The minor version that added sparse tensor storage (dtype code bit 7, docs/FORMAT.md). */
    static final int SPARSE_MINOR = 2;
    /** The minor version that added the ops from hard_sigmoid (code 18) on. */
    static final int HARD_OPS_MINOR = 3;
    /** Set in a tensor's dtype code when its blob is in sparse form ({@link SparseCodec}). */
    static final int SPARSE_BIT = 0x80;

    /** The lowest minor version that holds this model (writers write the lowest one that fits). */
    public static int minorFor(dev.tern.runtime.model.ModelDef def) {
        if (hasPrep(def)) {
            return PREP_MINOR;
        }
        for (dev.tern.runtime.model.Node n : def.nodes()) {
            if (n.op().code() >= dev.tern.runtime.model.OpType.TRANSPOSE.code()
                    || "explicit".equals(n.attributes().getString("padding", ""))) {
                return ONNX_OPS_MINOR;
            }
            if (n.op() == dev.tern.runtime.model.OpType.ADD && (def.shapeOf(n.input(0)) == null || def.shapeOf(n.input(1)) == null
                    || !java.util.Arrays.equals(def.shapeOf(n.input(0)), def.shapeOf(n.input(1))))) {
                return ONNX_OPS_MINOR;
            }
        }
        for (dev.tern.runtime.model.Node n : def.nodes()) {
            if (n.op().code() >= dev.tern.runtime.model.OpType.HARD_SIGMOID.code()) {
                return HARD_OPS_MINOR;
            }
        }
        for (dev.tern.runtime.model.Node n : def.nodes()) {
            if (n.op().code() > dev.tern.runtime.model.OpType.SOFTMAX.code()) {
                return 1;
            }
        }
        for (dev.tern.runtime.model.Tensor t : def.tensors().values()) {
            if (t.dtype() != dev.tern.runtime.model.DType.FLOAT32) {
                return 1;
            }
        }
        return 0;
    }

    /** Whether a model needs the PREP section: some input has preprocessing beyond normalization. */
    static boolean hasPrep(dev.tern.runtime.model.ModelDef def) {
        for (dev.tern.runtime.model.InputSpec in : def.inputs()) {
            if (!in.resize().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    static final int HEADER_SIZE = 64;
    static final int SECTION_ENTRY_SIZE = 32;
    /** Tensor blobs start at file offsets that are multiples of this (cache line, SIMD, mmap-friendly). */
    public static final int ALIGNMENT = 64;
    /** Section flag: a reader that does not know this section must reject the file. */
    static final int FLAG_REQUIRED = 1;
    /** More sections than this is not a file this code wrote or will write. */
    static final int MAX_SECTIONS = 1024;

    static final int META = fourcc("META");
    static final int GRPH = fourcc("GRPH");
    static final int TDIR = fourcc("TDIR");
    static final int DATA = fourcc("DATA");
    /** Optional (1.5): per input, preprocessing entries (key, value); a reader without it refuses mismatched images as before. */
    static final int PREP = fourcc("PREP");

    static int fourcc(String s) {
        return (s.charAt(0) & 0xff) | (s.charAt(1) & 0xff) << 8 | (s.charAt(2) & 0xff) << 16 | (s.charAt(3) & 0xff) << 24;
    }

    static String fourccName(int id) {
        StringBuilder sb = new StringBuilder(4);
        for (int i = 0; i < 4; i++) {
            int c = (id >>> (8 * i)) & 0xff;
            sb.append(c >= 32 && c < 127 ? (char) c : '?');
        }
        return sb.toString();
    }

    // attribute value types
    static final int ATTR_INT = 1;
    static final int ATTR_FLOAT = 2;
    static final int ATTR_STRING = 3;
    static final int ATTR_INTS = 4;
    static final int ATTR_FLOATS = 5;
}
