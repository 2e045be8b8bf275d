package dev.tern.runtime.format;

import java.nio.ByteBuffer;

/**
 * CRC32C (Castagnoli, reflected polynomial 0x82F63B78) as used by every section of a
 * {@code .tern} file. Pure Java, slicing-by-8: {@code java.util.zip.CRC32C} is missing from
 * Android API 26, so the runtime carries its own; tests check it equals the JDK's.
 */
final class Checksums {
    private static final int[][] T = new int[8][256];

    static {
        for (int n = 0; n < 256; n++) {
            int c = n;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ 0x82F63B78 : c >>> 1;
            }
            T[0][n] = c;
        }
        for (int n = 0; n < 256; n++) {
            int c = T[0][n];
            for (int k = 1; k < 8; k++) {
                c = T[0][c & 0xff] ^ (c >>> 8);
                T[k][n] = c;
            }
        }
    }

    private Checksums() {
    }

    /** CRC32C of the bytes between position and limit of {@code b} (its position is not moved). */
    static int crc32c(ByteBuffer b) {
        int crc = ~0;
        int pos = b.position();
        int end = b.limit();
        if (b.hasArray()) {
            return ~update(crc, b.array(), b.arrayOffset() + pos, end - pos);
        }
        byte[] chunk = new byte[(int) Math.min(1 << 16, Math.max(end - pos, 1))];
        ByteBuffer d = b.duplicate();
        while (d.hasRemaining()) {
            int n = Math.min(chunk.length, d.remaining());
            d.get(chunk, 0, n);
            crc = update(crc, chunk, 0, n);
        }
        return ~crc;
    }

    static int crc32c(byte[] b, int off, int len) {
        return ~update(~0, b, off, len);
    }

    private static int update(int crc, byte[] b, int off, int len) {
        int[] t0 = T[0], t1 = T[1], t2 = T[2], t3 = T[3], t4 = T[4], t5 = T[5], t6 = T[6], t7 = T[7];
        int i = off;
        int end = off + len;
        for (; i + 8 <= end; i += 8) {
            int lo = crc ^ ((b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24);
            crc = t7[lo & 0xff] ^ t6[(lo >>> 8) & 0xff] ^ t5[(lo >>> 16) & 0xff] ^ t4[lo >>> 24]
                    ^ t3[b[i + 4] & 0xff] ^ t2[b[i + 5] & 0xff] ^ t1[b[i + 6] & 0xff] ^ t0[b[i + 7] & 0xff];
        }
        for (; i < end; i++) {
            crc = t0[(crc ^ b[i]) & 0xff] ^ (crc >>> 8);
        }
        return crc;
    }
}
