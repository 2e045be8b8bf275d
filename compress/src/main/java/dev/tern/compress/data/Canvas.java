package dev.tern.compress.data;

/**
 * Draws Multi-Fashion canvases into flat arrays with explicit offsets; no checks, no
 * allocation (callers validate). See {@link MultiFashion} for the rule.
 */
final class Canvas {
    private static final int S = MultiFashion.SIZE;
    private static final int T = MultiFashion.ITEM;
    /** v / 255f for every uint8 v. */
    private static final float[] TO_FLOAT = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            TO_FLOAT[v] = v / 255f;
        }
    }

    private Canvas() {
    }

    /** uint8 canvas into dst[off, off + 1296). */
    static void render(byte[] a, int aOff, byte[] b, int bOff, int dyA, int dxA, int dyB, int dxB, byte[] dst, int off) {
        java.util.Arrays.fill(dst, off, off + S * S, (byte) 0);
        for (int y = 0; y < T; y++) {
            System.arraycopy(a, aOff + y * T, dst, off + (dyA + y) * S + dxA, T);
        }
        int by = MultiFashion.B_CORNER - dyB;
        int bx = MultiFashion.B_CORNER - dxB;
        for (int y = 0; y < T; y++) {
            int d = off + (by + y) * S + bx;
            int s = bOff + y * T;
            for (int x = 0; x < T; x++) {
                int v = b[s + x] & 0xff;
                if (v > (dst[d + x] & 0xff)) {
                    dst[d + x] = (byte) v;
                }
            }
        }
    }

    /** float32 canvas (v / 255f) into dst[off, off + 1296). */
    static void render(byte[] a, int aOff, byte[] b, int bOff, int dyA, int dxA, int dyB, int dxB, float[] dst, int off) {
        java.util.Arrays.fill(dst, off, off + S * S, 0f);
        for (int y = 0; y < T; y++) {
            int d = off + (dyA + y) * S + dxA;
            int s = aOff + y * T;
            for (int x = 0; x < T; x++) {
                dst[d + x] = TO_FLOAT[a[s + x] & 0xff];
            }
        }
        int by = MultiFashion.B_CORNER - dyB;
        int bx = MultiFashion.B_CORNER - dxB;
        for (int y = 0; y < T; y++) {
            int d = off + (by + y) * S + bx;
            int s = bOff + y * T;
            for (int x = 0; x < T; x++) {
                dst[d + x] = Math.max(dst[d + x], TO_FLOAT[b[s + x] & 0xff]);
            }
        }
    }
}
