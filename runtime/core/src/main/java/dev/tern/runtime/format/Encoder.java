package dev.tern.runtime.format;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Little-endian primitive writer for the metadata sections. */
final class Encoder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Encoder u8(int v) {
        out.write(v);
        return this;
    }

    Encoder u16(int v) {
        out.write(v);
        out.write(v >>> 8);
        return this;
    }

    Encoder i32(int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
        return this;
    }

    Encoder i64(long v) {
        i32((int) v);
        i32((int) (v >>> 32));
        return this;
    }

    Encoder f32(float v) {
        return i32(Float.floatToRawIntBits(v));
    }

    Encoder str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        i32(b.length);
        out.write(b, 0, b.length);
        return this;
    }

    Encoder ints(int[] v) {
        i32(v.length);
        for (int x : v) {
            i32(x);
        }
        return this;
    }

    Encoder floats(float[] v) {
        i32(v.length);
        for (float x : v) {
            f32(x);
        }
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
