package dev.tern.runtime.format;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The runtime's own CRC32C (Android API 26 lacks java.util.zip.CRC32C) equals the JDK's. */
class ChecksumsTest {
    static int jdk(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return (int) c.getValue();
    }

    @Test
    void knownCheckValue() {
        // The CRC-32C check value (RFC 3720 / the CRC catalogue): "123456789" -> 0xE3069283.
        byte[] b = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0xE3069283, Checksums.crc32c(b, 0, b.length));
        assertEquals(0, Checksums.crc32c(new byte[0], 0, 0), "empty input");
        // RFC 3720 B.4: 32 bytes of zeros -> 0x8A9136AA
        assertEquals(0x8A9136AA, Checksums.crc32c(new byte[32], 0, 32));
    }

    @Test
    void equalsTheJdkOnEveryLengthAndOffset() {
        long seed = 321;
        Random rnd = new Random(seed);
        byte[] data = new byte[300];
        rnd.nextBytes(data);
        for (int off = 0; off < 9; off++) {
            for (int len = 0; off + len <= 140; len++) {
                assertEquals(jdk(data, off, len), Checksums.crc32c(data, off, len), "off " + off + " len " + len
                        + " seed " + seed);
            }
        }
    }

    @Test
    void byteBufferPathsEqualTheJdk() {
        long seed = 654;
        Random rnd = new Random(seed);
        for (int len : new int[] {0, 1, 7, 8, 9, 63, 64, 65, 1000, (1 << 16) - 1, 1 << 16, (1 << 16) + 1, 200_003}) {
            byte[] data = new byte[len + 11];
            rnd.nextBytes(data);
            int expected = jdk(data, 5, len);
            ByteBuffer heap = ByteBuffer.wrap(data, 5, len);
            ByteBuffer sliced = ByteBuffer.wrap(data).position(3).slice().position(2).limit(2 + len); // arrayOffset 3
            ByteBuffer readOnly = ByteBuffer.wrap(data, 5, len).asReadOnlyBuffer(); // no accessible array
            ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).position(5).limit(5 + len);
            for (ByteBuffer b : new ByteBuffer[] {heap, sliced, readOnly, direct}) {
                int pos = b.position();
                assertEquals(expected, Checksums.crc32c(b), "len " + len + " " + b + " seed " + seed);
                assertEquals(pos, b.position(), "position is not moved");
            }
        }
    }
}
