package dev.tern.runtime.format;

import dev.tern.runtime.ModelFormatException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked little-endian reader over one section. Every count is checked against
 * the bytes left before anything is allocated, so a corrupt count cannot cause an
 * OutOfMemoryError or an index exception.
 */
final class Decoder {
    private final ByteBuffer b;
    private final String section;

    Decoder(ByteBuffer b, String section) {
        this.b = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.section = section;
    }

    private void need(long bytes, String what) {
        if (bytes < 0 || bytes > b.remaining()) {
            throw fail(what + " needs " + bytes + " bytes but only " + b.remaining() + " are left");
        }
    }

    ModelFormatException fail(String msg) {
        return new ModelFormatException("section " + section + " at byte " + b.position() + ": " + msg);
    }

    int u8(String what) {
        need(1, what);
        return b.get() & 0xff;
    }

    int u16(String what) {
        need(2, what);
        return b.getShort() & 0xffff;
    }

    int i32(String what) {
        need(4, what);
        return b.getInt();
    }

    long i64(String what) {
        need(8, what);
        return b.getLong();
    }

    float f32(String what) {
        need(4, what);
        return b.getFloat();
    }

    /** A count of items of at least {@code minItemBytes} each, checked against the bytes left. */
    int count(String what, int minItemBytes) {
        int n = i32(what + " count");
        if (n < 0) {
            throw fail(what + " count is negative: " + n);
        }
        need((long) n * minItemBytes, n + " " + what);
        return n;
    }

    String str(String what) {
        int n = count(what, 1);
        byte[] bytes = new byte[n];
        b.get(bytes);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw fail(what + " is not valid UTF-8");
        }
    }

    int[] ints(String what) {
        int n = count(what, 4);
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = b.getInt();
        }
        return v;
    }

    float[] floats(String what) {
        int n = count(what, 4);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = b.getFloat();
        }
        return v;
    }

    void end() {
        if (b.hasRemaining()) {
            throw fail(b.remaining() + " unexpected bytes after the last entry");
        }
    }
}
