package dev.tern.compress.data;

import java.util.Random;

/**
 * The Multi-Fashion benchmark, built from Fashion-MNIST as in the multi-task literature (Lin
 * et al. 2019, Pareto MTL; Sener and Koltun 2018): two 28x28 items on one 36x36 canvas.
 *
 * <h2>Canvas</h2>
 * A 36x36 canvas of zeros. Item A's top-left corner goes to (row, col) = (dyA, dxA), item B's
 * to (8 - dyB, 8 - dxB), each of dyA, dxA, dyB, dxB uniform in {0, 1, 2, 3, 4}: A starts in the
 * top-left corner and B in the bottom-right one, and each is shifted by up to 4 px toward the
 * centre. Where they overlap the canvas holds the pixel-wise max. No resizing; pixels stay
 * uint8. As float input ({@link CanvasSet#fill}) a pixel v becomes the float32 {@code v / 255f},
 * NHWC [n, 36, 36, 1].
 *
 * <h2>Labels</h2>
 * {@code left} = class of A, {@code right} = class of B, {@code present} = the multi-hot of
 * {left, right} over the 10 classes: two ones, or one when the classes coincide (allowed).
 *
 * <h2>Splits and seeds</h2>
 * All randomness is {@link java.util.Random}, whose algorithm the Java specification fixes (a
 * 48-bit LCG; {@code nextInt(bound)} as in its Javadoc), so every JVM, Android included, gets
 * the same canvases. Draws happen in exactly this order:
 * <ul>
 * <li><b>Test</b> ({@link #test()}): one canvas per test image (10,000), from the test images
 * only. {@code r = new Random(TEST_SEED)}; for i = 0..n-1: A = test image i,
 * B = {@code r.nextInt(n)}, then dyA, dxA, dyB, dxB = {@code r.nextInt(5)} in that order.</li>
 * <li><b>Training</b> ({@link #trainEpoch(long, int)}): one canvas per training image (60,000)
 * per epoch, from the training images only.
 * {@code r = new Random(seed ^ (epoch * 0x9E3779B97F4A7C15L))}; first a permutation p of
 * 0..n-1: p = identity, then for i = n-1 down to 1, swap p[i] and p[r.nextInt(i + 1)] (the
 * Fisher-Yates shuffle of {@link java.util.Collections#shuffle}); then for i = 0..n-1:
 * A = training image p[i], B = {@code r.nextInt(n)}, then dyA, dxA, dyB, dxB =
 * {@code r.nextInt(5)}. Distinct epochs (0 to 2^48-1) give distinct generator states for a
 * given seed, because multiplying by an odd constant is a bijection mod 2^48.</li>
 * </ul>
 * B may be the same image as A (probability 1/n). models/README.md ("Multi-Fashion") has the
 * same recipe with a Python port of the generator.
 */
public final class MultiFashion {
    /** Canvas height and width. */
    public static final int SIZE = 36;
    /** Item height and width (a Fashion-MNIST image). */
    public static final int ITEM = 28;
    /** Largest shift of an item toward the centre, in pixels. */
    public static final int MAX_SHIFT = 4;
    /** Unshifted top-left corner of item B: SIZE - ITEM. */
    public static final int B_CORNER = SIZE - ITEM;
    /** Pixels per canvas: 36 * 36 * 1 channel. */
    public static final int PIXELS = SIZE * SIZE;
    public static final int CLASSES = FashionMnist.CLASSES;
    /** Seed of the test split's generator. */
    public static final long TEST_SEED = 20190712L;
    /** Mixes the epoch into the training seed (the 64-bit golden ratio, odd). */
    static final long EPOCH_MIX = 0x9E3779B97F4A7C15L;

    private final FashionMnist data;

    public MultiFashion(FashionMnist data) {
        this.data = java.util.Objects.requireNonNull(data, "data");
    }

    /** The test split: one canvas per test image, built from the test images only. */
    public CanvasSet test() {
        LabeledImages src = data.test();
        int n = src.size();
        Random r = new Random(TEST_SEED);
        int[] a = new int[n];
        int[] b = new int[n];
        byte[] shifts = new byte[4 * n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
            b[i] = r.nextInt(n);
            drawShifts(r, shifts, i);
        }
        return new CanvasSet("Multi-Fashion test (seed " + TEST_SEED + ")", src, a, b, shifts);
    }

    /**
     * Training epoch {@code epoch} for {@code seed}: one canvas per training image, built from
     * the training images only; the same (seed, epoch) always gives the same canvases.
     */
    public CanvasSet trainEpoch(long seed, int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        }
        LabeledImages src = data.train();
        int n = src.size();
        Random r = new Random(seed ^ (epoch * EPOCH_MIX));
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        int[] b = new int[n];
        byte[] shifts = new byte[4 * n];
        for (int i = 0; i < n; i++) {
            b[i] = r.nextInt(n);
            drawShifts(r, shifts, i);
        }
        return new CanvasSet("Multi-Fashion train (seed " + seed + ", epoch " + epoch + ")", src, p, b, shifts);
    }

    private static void drawShifts(Random r, byte[] shifts, int i) {
        for (int k = 0; k < 4; k++) {
            shifts[4 * i + k] = (byte) r.nextInt(MAX_SHIFT + 1);
        }
    }

    /**
     * One canvas from two 28x28 uint8 items (row-major) and the four shifts, as 36*36 uint8
     * pixels (row-major): A at (dyA, dxA), B at (8 - dyB, 8 - dxB), pixel-wise max.
     */
    public static byte[] render(byte[] a, byte[] b, int dyA, int dxA, int dyB, int dxB) {
        if (a.length != ITEM * ITEM || b.length != ITEM * ITEM) {
            throw new IllegalArgumentException("items must be 28x28 = 784 pixels, got " + a.length + " and " + b.length);
        }
        for (int s : new int[] {dyA, dxA, dyB, dxB}) {
            if (s < 0 || s > MAX_SHIFT) {
                throw new IllegalArgumentException("shifts must be in [0, " + MAX_SHIFT + "], got " + dyA + ", " + dxA + ", "
                        + dyB + ", " + dxB);
            }
        }
        byte[] out = new byte[PIXELS];
        Canvas.render(a, 0, b, 0, dyA, dxA, dyB, dxB, out, 0);
        return out;
    }
}
