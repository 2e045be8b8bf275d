package dev.tern.compress.onnx;

import dev.tern.compress.BadInputException;
import dev.tern.compress.onnx.proto.Onnx.TensorProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A constant of an imported ONNX graph (an initializer, a Constant node, or a value folded at
 * import): its ONNX shape, its element type and its values as doubles (exact for float32, and for
 * the int64 shape arithmetic the folding does).
 */
final class OnnxConst {
    static final int FLOAT = 1, UINT8 = 2, INT8 = 3, UINT16 = 4, INT16 = 5, INT32 = 6, INT64 = 7, BOOL = 9, FLOAT16 = 10,
            DOUBLE = 11, UINT32 = 12, UINT64 = 13;

    final int[] shape;
    final int dtype;
    final double[] v;

    OnnxConst(int[] shape, int dtype, double[] v) {
        this.shape = shape;
        this.dtype = dtype;
        this.v = v;
        if (count(shape) != v.length) {
            throw new IllegalStateException(Arrays.toString(shape) + " holds " + count(shape) + " values, got " + v.length);
        }
    }

    static OnnxConst scalar(int dtype, double x) {
        return new OnnxConst(new int[0], dtype, new double[] {x});
    }

    static OnnxConst ints(long... xs) {
        double[] d = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            d[i] = xs[i];
        }
        return new OnnxConst(new int[] {xs.length}, INT64, d);
    }

    static long count(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    int size() {
        return v.length;
    }

    boolean isFloat() {
        return dtype == FLOAT || dtype == DOUBLE || dtype == FLOAT16;
    }

    float[] floats() {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    long[] longs() {
        long[] l = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            l[i] = (long) v[i];
        }
        return l;
    }

    /** Values as ints (axes, sizes); a value outside the int range is bad input. */
    int[] ints(String what) {
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            double x = v[i];
            if (x != Math.rint(x)) {
                throw new BadInputException(what + ": expected integers, found " + x);
            }
            r[i] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, x));
        }
        return r;
    }

    static String typeName(int t) {
        switch (t) {
            case FLOAT: return "float32";
            case UINT8: return "uint8";
            case INT8: return "int8";
            case UINT16: return "uint16";
            case INT16: return "int16";
            case INT32: return "int32";
            case INT64: return "int64";
            case 8: return "string";
            case BOOL: return "bool";
            case FLOAT16: return "float16";
            case DOUBLE: return "float64";
            case UINT32: return "uint32";
            case UINT64: return "uint64";
            case 16: return "bfloat16";
            default: return "type " + t;
        }
    }

    /** Reads an initializer or a Constant's value; external data and strings are bad input naming the tensor. */
    static OnnxConst of(TensorProto t, String where) {
        String name = t.getName().isEmpty() ? where : "tensor '" + t.getName() + "'";
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
            throw new BadInputException(name + " keeps its data in an external file; Tern imports self-contained .onnx files "
                    + "(save the model with all tensors inside it, e.g. onnx.save(model, path, save_as_external_data=False))");
        }
        int[] shape = new int[t.getDimsCount()];
        for (int i = 0; i < shape.length; i++) {
            long d = t.getDims(i);
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw new BadInputException(name + ": dimension " + i + " is " + d);
            }
            shape[i] = (int) d;
        }
        long n = count(shape);
        if (n > (1L << 28)) {
            throw new BadInputException(name + " has " + n + " elements, more than 2^28");
        }
        int dt = t.getDataType();
        double[] v = new double[(int) n];
        boolean raw = !t.getRawData().isEmpty();
        ByteBuffer b = raw ? t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN) : null;
        int width;
        switch (dt) {
            case FLOAT: case INT32: case UINT32: width = 4; break;
            case INT64: case DOUBLE: case UINT64: width = 8; break;
            case UINT8: case INT8: case BOOL: width = 1; break;
            case UINT16: case INT16: case FLOAT16: width = 2; break;
            default:
                throw new BadInputException(name + " is " + typeName(dt) + "; Tern imports numeric tensors");
        }
        if (raw && b.remaining() != n * width) {
            throw new BadInputException(name + ": raw data holds " + b.remaining() + " bytes, expected " + (n * width) + " for "
                    + Arrays.toString(shape) + " " + typeName(dt));
        }
        int have;
        switch (dt) {
            case FLOAT: have = t.getFloatDataCount(); break;
            case DOUBLE: have = t.getDoubleDataCount(); break;
            case INT64: have = t.getInt64DataCount(); break;
            case UINT32: case UINT64: have = t.getUint64DataCount(); break;
            default: have = t.getInt32DataCount(); break;
        }
        if (!raw && have != n) {
            throw new BadInputException(name + " holds " + have + " values, expected " + n + " for " + Arrays.toString(shape));
        }
        for (int i = 0; i < n; i++) {
            double x;
            switch (dt) {
                case FLOAT: x = raw ? b.getFloat(i * 4) : t.getFloatData(i); break;
                case DOUBLE: x = raw ? b.getDouble(i * 8) : t.getDoubleData(i); break;
                case INT64: x = raw ? b.getLong(i * 8) : t.getInt64Data(i); break;
                case INT32: x = raw ? b.getInt(i * 4) : t.getInt32Data(i); break;
                case UINT32: x = raw ? Integer.toUnsignedLong(b.getInt(i * 4)) : t.getUint64Data(i); break;
                case UINT64: x = raw ? b.getLong(i * 8) : t.getUint64Data(i); break;
                case INT8: x = raw ? b.get(i) : t.getInt32Data(i); break;
                case UINT8: case BOOL: x = raw ? b.get(i) & 0xff : t.getInt32Data(i); break;
                case INT16: x = raw ? b.getShort(i * 2) : t.getInt32Data(i); break;
                case UINT16: x = raw ? b.getShort(i * 2) & 0xffff : t.getInt32Data(i); break;
                default: x = halfToFloat(raw ? b.getShort(i * 2) : t.getInt32Data(i)); break;
            }
            v[i] = x;
        }
        return new OnnxConst(shape, dt, v);
    }

    static float halfToFloat(int h) {
        int s = (h >>> 15) & 1;
        int e = (h >>> 10) & 0x1f;
        int m = h & 0x3ff;
        float f;
        if (e == 0) {
            f = (float) (m * Math.pow(2, -24));
        } else if (e == 31) {
            f = m == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else {
            f = (float) ((1 + m / 1024.0) * Math.pow(2, e - 15));
        }
        return s == 1 ? -f : f;
    }

    /** The value cast to an ONNX element type, as Cast does (float to int truncates toward zero). */
    OnnxConst cast(int to) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            double x = v[i];
            switch (to) {
                case FLOAT: r[i] = (float) x; break;
                case DOUBLE: case FLOAT16: r[i] = x; break;
                case BOOL: r[i] = x != 0 ? 1 : 0; break;
                default: r[i] = Double.isNaN(x) ? 0 : (x < 0 ? Math.ceil(x) : Math.floor(x)); break;
            }
        }
        return new OnnxConst(shape, to, r);
    }

    OnnxConst reshape(int[] s) {
        return new OnnxConst(s, dtype, v);
    }
}
