package dev.tern.runtime.format;

import dev.tern.runtime.model.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The sparse tensor storage of format 1.2: a bitmask of ceil(n / 8) bytes, padded with zero
 * bytes to a multiple of 8 (bit {@code i % 8} of byte {@code i / 8} set when element i is
 * stored), then the stored elements in order, little-endian. An element is stored when any
 * of its bytes is non-zero, so -0.0f is kept and a sparse tensor reads back bit for bit.
 * For 2:4 weights this costs 4 bits per group of 4, as much as two 2-bit indices per group,
 * so N:M patterns use the same form.
 */
final class SparseCodec {
    private SparseCodec() {
    }

    /** Bytes of the bitmask (with its padding) for {@code count} elements. */
    static long maskBytes(long count) {
        return (count + 63) / 64 * 8;
    }

    /** Elements of {@code t} that are stored (any byte non-zero). */
    static long storedCount(Tensor t) {
        ByteBuffer d = t.data();
        int size = t.dtype().size();
        int n = t.elementCount();
        long nnz = 0;
        for (int i = 0; i < n; i++) {
            nnz += isZero(d, i * size, size) ? 0 : 1;
        }
        return nnz;
    }

    /** Bytes of {@code t} in sparse form. */
    static long sparseBytes(Tensor t) {
        return maskBytes(t.elementCount()) + storedCount(t) * t.dtype().size();
    }

    /**
     * Whether the writer stores {@code t} sparse: when that saves at least an eighth of its
     * bytes. Nearly dense tensors stay dense, so they are used in place from a memory map.
     */
    static boolean prefersSparse(Tensor t) {
        return t.elementCount() > 0 && sparseBytes(t) * 8 <= (long) t.byteSize() * 7;
    }

    /** Writes {@code t}'s sparse form at {@code dst}'s position. */
    static void encode(Tensor t, ByteBuffer dst) {
        ByteBuffer d = t.data();
        int size = t.dtype().size();
        int n = t.elementCount();
        int maskAt = dst.position();
        int valuesAt = (int) (maskAt + maskBytes(n));
        int v = valuesAt;
        for (int i = 0; i < n; i++) {
            if (!isZero(d, i * size, size)) {
                dst.put(maskAt + (i >>> 3), (byte) (dst.get(maskAt + (i >>> 3)) | 1 << (i & 7)));
                for (int b = 0; b < size; b++) {
                    dst.put(v++, d.get(i * size + b));
                }
            }
        }
        ((java.nio.Buffer) dst).position(v);
    }

    /**
     * The dense bytes of a sparse blob of {@code count} elements of {@code size} bytes, or a
     * message (thrown as {@link IllegalArgumentException}) naming what is wrong: a blob too
     * short for its bitmask, bits or padding set past the last element, or a length that is
     * not the bitmask plus the stored elements.
     */
    static ByteBuffer decode(ByteBuffer blob, int count, int size) {
        long maskLen = maskBytes(count);
        if (blob.remaining() < maskLen) {
            throw new IllegalArgumentException("its sparse blob of " + blob.remaining() + " bytes is shorter than the "
                    + maskLen + "-byte bitmask of " + count + " elements");
        }
        long stored = 0;
        for (int i = 0; i < maskLen; i++) {
            int b = blob.get(i) & 0xff;
            int valid = (long) i * 8 >= count ? 0 : (int) Math.min(8, count - (long) i * 8);
            if ((b >>> valid) != 0) {
                throw new IllegalArgumentException("its bitmask has bits set past the last of " + count + " elements (byte "
                        + i + " is 0x" + Integer.toHexString(b) + ")");
            }
            stored += Integer.bitCount(b);
        }
        long expected = maskLen + stored * size;
        if (blob.remaining() != expected) {
            throw new IllegalArgumentException("its bitmask marks " + stored + " stored elements, which need "
                    + expected + " bytes with the mask; the directory says " + blob.remaining());
        }
        ByteBuffer out = ByteBuffer.allocate(count * size).order(ByteOrder.LITTLE_ENDIAN);
        int v = (int) maskLen;
        for (int i = 0; i < count; i++) {
            if ((blob.get(i >>> 3) >>> (i & 7) & 1) != 0) {
                for (int b = 0; b < size; b++) {
                    out.put(i * size + b, blob.get(v++));
                }
            }
        }
        return out.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static boolean isZero(ByteBuffer d, int at, int size) {
        for (int b = 0; b < size; b++) {
            if (d.get(at + b) != 0) {
                return false;
            }
        }
        return true;
    }
}
