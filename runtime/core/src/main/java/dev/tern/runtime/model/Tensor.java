package dev.tern.runtime.model;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A named constant tensor (weights, biases). Immutable: the data is a read-only
 * little-endian buffer, which may be a slice of a memory-mapped file.
 */
public final class Tensor {
    private final String name;
    private final DType dtype;
    private final int[] shape;
    private final ByteBuffer data;
    private final QuantParams quant;
    private final Storage storage;

    /**
     * How a tensor's values lie in the file it was read from: {@link #DENSE}, every element, or
     * {@link #SPARSE}, a bitmask and the non-zero elements only (format 1.2, docs/FORMAT.md).
     * In memory a tensor is always dense; the writer picks the storage again when it writes.
     */
    public enum Storage {
        DENSE, SPARSE;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * @param data exactly {@code elementCount(shape) * dtype.size()} bytes, little-endian;
     *             copied unless it is already read-only
     */
    public Tensor(String name, DType dtype, int[] shape, ByteBuffer data, QuantParams quant) {
        this.name = Names.check(name, "tensor");
        this.dtype = dtype;
        this.shape = shape.clone();
        long count = elementCount(this.shape);
        long bytes = count * dtype.size();
        if (data.remaining() != bytes) {
            throw new IllegalArgumentException("tensor '" + name + "' of shape " + Arrays.toString(shape) + " and type "
                    + dtype.id() + " needs " + bytes + " bytes, got " + data.remaining());
        }
        if (quant != null && quant.axis() >= shape.length) {
            throw new IllegalArgumentException("tensor '" + name + "': quantization axis " + quant.axis()
                    + " outside rank " + shape.length);
        }
        if (quant != null && quant.axis() >= 0 && quant.count() != shape[quant.axis()]) {
            throw new IllegalArgumentException("tensor '" + name + "': " + quant.count() + " scales for axis "
                    + quant.axis() + " of size " + shape[quant.axis()]);
        }
        ByteBuffer d = data.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (!d.isReadOnly()) {
            ByteBuffer copy = ByteBuffer.allocate(d.remaining()).order(ByteOrder.LITTLE_ENDIAN);
            copy.put(d.duplicate());
            ((Buffer) copy).flip();
            d = copy.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
        this.data = d;
        this.quant = quant;
        this.storage = Storage.DENSE;
    }

    private Tensor(Tensor t, Storage storage) {
        this.name = t.name;
        this.dtype = t.dtype;
        this.shape = t.shape;
        this.data = t.data;
        this.quant = t.quant;
        this.storage = storage;
    }

    /** This tensor (same values, shared) recorded as stored in {@code storage} form. */
    public Tensor storedAs(Storage storage) {
        return storage == this.storage ? this : new Tensor(this, storage);
    }

    /** How the file this tensor was read from stored it ({@link Storage#DENSE} for tensors made in memory). */
    public Storage storage() {
        return storage;
    }

    /** A float32 tensor holding a copy of {@code values}. */
    public static Tensor ofFloats(String name, int[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        if (elementCount(shape) != values.length) {
            throw new IllegalArgumentException("tensor '" + name + "' of shape " + Arrays.toString(shape) + " needs "
                    + elementCount(shape) + " values, got " + values.length);
        }
        return new Tensor(name, DType.FLOAT32, shape, b.asReadOnlyBuffer(), null);
    }

    /** An int8 tensor holding a copy of {@code values}, quantized by {@code quant}. */
    public static Tensor ofInt8(String name, int[] shape, byte[] values, QuantParams quant) {
        return new Tensor(name, DType.INT8, shape, ByteBuffer.wrap(values.clone()).asReadOnlyBuffer(), quant);
    }

    /** An int32 tensor (e.g. a quantized bias) holding a copy of {@code values}. */
    public static Tensor ofInt32(String name, int[] shape, int[] values, QuantParams quant) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(values);
        return new Tensor(name, DType.INT32, shape, b.asReadOnlyBuffer(), quant);
    }

    /** The values as int8 (a copy); int8 only. */
    public byte[] int8s() {
        if (dtype != DType.INT8) {
            throw new IllegalStateException("tensor '" + name + "' is " + dtype.id() + ", not int8");
        }
        byte[] out = new byte[elementCount()];
        data().get(out);
        return out;
    }

    /** The values as int32 (a copy); int32 only. */
    public int[] ints() {
        if (dtype != DType.INT32) {
            throw new IllegalStateException("tensor '" + name + "' is " + dtype.id() + ", not int32");
        }
        int[] out = new int[elementCount()];
        data().asIntBuffer().get(out);
        return out;
    }

    /**
     * Number of elements of a shape; rejects negative dimensions and products past
     * {@link Integer#MAX_VALUE} (no Java array could hold them).
     */
    public static long elementCount(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has more than "
                        + Integer.MAX_VALUE + " elements");
            }
        }
        return n;
    }

    public String name() {
        return name;
    }

    public DType dtype() {
        return dtype;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return shape[i];
    }

    public int elementCount() {
        return (int) elementCount(shape);
    }

    /** Quantization parameters, or null for float tensors. */
    public QuantParams quant() {
        return quant;
    }

    /** A read-only little-endian view of the bytes (position 0). */
    public ByteBuffer data() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    public int byteSize() {
        return data.remaining();
    }

    /** The values as floats (a copy); float32 only. */
    public float[] floats() {
        if (dtype != DType.FLOAT32) {
            throw new IllegalStateException("tensor '" + name + "' is " + dtype.id() + ", not float32");
        }
        float[] out = new float[elementCount()];
        data().asFloatBuffer().get(out);
        return out;
    }

    @Override
    public String toString() {
        return "Tensor{" + name + " " + dtype.id() + Arrays.toString(shape) + "}";
    }
}
