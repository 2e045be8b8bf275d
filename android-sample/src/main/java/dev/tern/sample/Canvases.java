package dev.tern.sample;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The app's test canvases, read from its {@code canvases.bin} asset (written by the repo's
 * {@code scripts/android-canvases}): the magic {@code TCNV}, version 1, count, height and
 * width as big-endian ints, then per canvas its left and right label (a byte each) and
 * height x width uint8 pixels, row-major. Plain Java, so the JVM tests read the same file.
 */
public final class Canvases {
    static final int MAGIC = 0x54434E56; // "TCNV"
    private static final int MAX_COUNT = 100_000;
    private static final int MAX_SIDE = 1024;

    private final int height;
    private final int width;
    private final byte[][] pixels;
    private final int[] left;
    private final int[] right;

    private Canvases(int height, int width, byte[][] pixels, int[] left, int[] right) {
        this.height = height;
        this.width = width;
        this.pixels = pixels;
        this.left = left;
        this.right = right;
    }

    /** Reads the whole stream (and closes nothing: the caller owns it). */
    public static Canvases read(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        try {
            int magic = d.readInt();
            if (magic != MAGIC) {
                throw new IOException(String.format("not a canvases file: expected magic 0x%08X (TCNV), found 0x%08X", MAGIC, magic));
            }
            int version = d.readInt();
            if (version != 1) {
                throw new IOException("canvases file version " + version + " is not supported (expected 1)");
            }
            int count = d.readInt();
            int h = d.readInt();
            int w = d.readInt();
            if (count < 1 || count > MAX_COUNT || h < 1 || h > MAX_SIDE || w < 1 || w > MAX_SIDE) {
                throw new IOException("canvases file header out of range: count " + count + ", height " + h + ", width " + w
                        + " (expected count in [1, " + MAX_COUNT + "], sides in [1, " + MAX_SIDE + "])");
            }
            byte[][] px = new byte[count][h * w];
            int[] l = new int[count];
            int[] r = new int[count];
            for (int i = 0; i < count; i++) {
                l[i] = d.readUnsignedByte();
                r[i] = d.readUnsignedByte();
                d.readFully(px[i]);
            }
            if (d.read() != -1) {
                throw new IOException("canvases file has bytes after its " + count + " canvases");
            }
            return new Canvases(h, w, px, l, r);
        } catch (EOFException e) {
            throw new IOException("canvases file is truncated", e);
        }
    }

    public int size() {
        return pixels.length;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** Canvas i's uint8 pixels, row-major (the caller must not modify them). */
    public byte[] pixels(int i) {
        return pixels[i];
    }

    /** The class index of the item on the left. */
    public int left(int i) {
        return left[i];
    }

    /** The class index of the item on the right. */
    public int right(int i) {
        return right[i];
    }

    /** Canvas i as ARGB grey pixels for a bitmap: white item on black, as the model sees it. */
    public int[] argb(int i) {
        byte[] p = pixels[i];
        int[] out = new int[p.length];
        for (int k = 0; k < p.length; k++) {
            int v = p[k] & 0xFF;
            out[k] = 0xFF000000 | v << 16 | v << 8 | v;
        }
        return out;
    }
}
