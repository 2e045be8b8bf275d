package dev.tern.compress.io;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads PNG and PGM images into {@link Pixels}, recognizing the format by its signature,
 * not by the file name. Gray images stay gray (samples read from the raster, with no
 * color-space conversion); other PNGs become 8-bit sRGB; alpha is dropped.
 */
public final class ImageFiles {
    static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    /** Images larger than this are not model inputs; refusing them before decoding bounds memory. */
    static final long MAX_PIXELS = 1L << 25;
    /** Files larger than this are not images this reader takes. */
    static final long MAX_FILE_BYTES = 1L << 30;

    private ImageFiles() {
    }

    /** Whether these first bytes of a file are a PNG signature. */
    public static boolean isPng(byte[] start) {
        return startsWith(start, PNG_SIGNATURE);
    }

    /** Whether these first bytes of a file look like a PGM ({@code P5} or {@code P2}). */
    public static boolean isPgm(byte[] start) {
        return start.length >= 2 && start[0] == 'P' && (start[1] == '5' || start[1] == '2');
    }

    /**
     * Reads a PNG or PGM file.
     *
     * @throws FileFormatException when it is neither, or is corrupt
     */
    public static Pixels read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new FileFormatException(file + ": " + size + " bytes is larger than any image this reader takes ("
                    + MAX_FILE_BYTES + ")");
        }
        byte[] bytes = Files.readAllBytes(file);
        if (isPng(bytes)) {
            return png(bytes, file.toString());
        }
        if (isPgm(bytes)) {
            return PgmReader.parse(bytes, file.toString());
        }
        byte[] start = java.util.Arrays.copyOf(bytes, Math.min(bytes.length, 8));
        throw new FileFormatException(file + ": not a PNG or PGM image: it starts with " + Hex.of(start));
    }

    /**
     * Checks that {@code file} is a PNG or PGM image without decoding it, reading its first bytes:
     * a PNG's {width, height} from its header, or null for a PGM (known only when decoded).
     *
     * @throws FileFormatException when it is neither, or its PNG header is corrupt
     */
    public static int[] peekSize(Path file) throws IOException {
        byte[] start;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            start = in.readNBytes(33);
        }
        if (isPng(start)) {
            checkPngSize(start, file.toString());
            ByteBuffer b = ByteBuffer.wrap(start);
            return new int[] {b.getInt(16), b.getInt(20)};
        }
        if (isPgm(start)) {
            return null;
        }
        throw new FileFormatException(file + ": not a PNG or PGM image: it starts with "
                + Hex.of(java.util.Arrays.copyOf(start, Math.min(start.length, 8))));
    }

    /** Decodes a whole PNG file. */
    static Pixels png(byte[] bytes, String source) {
        checkPngSize(bytes, source);
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IIOException e) {
            throw new FileFormatException(source + ": corrupt PNG: " + rootMessage(e), e);
        } catch (IOException | RuntimeException e) {
            throw new FileFormatException(source + ": unreadable PNG: " + rootMessage(e), e);
        }
        if (img == null) {
            throw new FileFormatException(source + ": unreadable PNG: no decoder accepted it");
        }
        return toPixels(img);
    }

    /** Reads width and height from the IHDR chunk and refuses huge images before decoding them. */
    private static void checkPngSize(byte[] bytes, String source) {
        if (bytes.length < 33) {
            throw new FileFormatException(source + ": truncated PNG: " + bytes.length + " bytes, a header needs 33");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.getInt(12) != 0x49484452) { // "IHDR"
            throw new FileFormatException(source + ": corrupt PNG: the first chunk is not IHDR");
        }
        long width = b.getInt(16) & 0xffffffffL;
        long height = b.getInt(20) & 0xffffffffL;
        if (width == 0 || height == 0 || width * height > MAX_PIXELS) {
            throw new FileFormatException(source + ": PNG of " + width + "x" + height + " pixels, expected 1 to "
                    + MAX_PIXELS + " pixels");
        }
    }

    static Pixels toPixels(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        if (img.getColorModel() instanceof ComponentColorModel
                && img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
            Raster r = img.getRaster();
            int bits = img.getSampleModel().getSampleSize(0);
            float scale = 255f / ((1 << bits) - 1);
            float[] gray = new float[w * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int v = r.getSample(x, y, 0);
                    gray[y * w + x] = bits == 8 ? v : v * scale;
                }
            }
            return new Pixels(w, h, 1, gray);
        }
        float[] rgb = new float[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int argb = img.getRGB(x, y);
                int i = (y * w + x) * 3;
                rgb[i] = (argb >> 16) & 0xff;
                rgb[i + 1] = (argb >> 8) & 0xff;
                rgb[i + 2] = argb & 0xff;
            }
        }
        return new Pixels(w, h, 3, rgb);
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if (t instanceof java.io.EOFException) {
            return "the data ends early";
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }
}
