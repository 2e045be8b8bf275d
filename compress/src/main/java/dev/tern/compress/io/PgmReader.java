package dev.tern.compress.io;

/**
 * A strict parser of PGM (netpbm gray map) images: binary {@code P5} and plain {@code P2},
 * maxval 1 to 65535 (16-bit samples big-endian, as the format says). Header comments
 * ({@code #} to the end of the line) are allowed; a sample above maxval, a missing or
 * extra byte, or any other deviation is a {@link FileFormatException}. Samples are scaled
 * to [0, 255] ({@code v * 255 / maxval}), so a PGM reads like an 8-bit image.
 */
public final class PgmReader {
    private final byte[] data;
    private final String source;
    private int pos;

    private PgmReader(byte[] data, String source) {
        this.data = data;
        this.source = source;
    }

    /**
     * Parses a whole PGM file.
     *
     * @param source names the file in error messages
     */
    public static Pixels parse(byte[] data, String source) {
        return new PgmReader(data, source).parse();
    }

    private Pixels parse() {
        if (data.length < 2 || data[0] != 'P' || (data[1] != '5' && data[1] != '2')) {
            byte[] start = java.util.Arrays.copyOf(data, Math.min(data.length, 2));
            throw fail("not a PGM image: it starts with " + Hex.of(start) + ", expected 'P5' or 'P2'");
        }
        boolean binary = data[1] == '5';
        pos = 2;
        int width = headerNumber("width");
        int height = headerNumber("height");
        int maxval = headerNumber("maxval");
        if (width < 1 || height < 1) {
            throw fail("image is " + width + "x" + height + ", expected at least 1x1");
        }
        if (maxval < 1 || maxval > 65535) {
            throw fail("maxval is " + maxval + ", expected 1 to 65535");
        }
        float[] samples = binary ? binaryRaster(width, height, maxval) : plainRaster(width, height, maxval);
        if (maxval != 255) {
            for (int i = 0; i < samples.length; i++) {
                samples[i] = samples[i] * 255f / maxval;
            }
        }
        return new Pixels(width, height, 1, samples);
    }

    private float[] binaryRaster(int width, int height, int maxval) {
        if (pos >= data.length || !isSpace(data[pos])) {
            throw fail("truncated header: expected one whitespace byte after maxval");
        }
        pos++;
        int bytesPerSample = maxval < 256 ? 1 : 2;
        long expected = (long) width * height * bytesPerSample;
        long available = data.length - pos;
        if (expected != available) {
            throw fail((available < expected ? "truncated" : "trailing bytes") + ": " + width + "x" + height
                    + " samples of " + bytesPerSample + " byte(s) need " + expected + " bytes of raster, the file holds "
                    + available);
        }
        float[] out = new float[width * height];
        for (int i = 0; i < out.length; i++) {
            int v = bytesPerSample == 1 ? data[pos + i] & 0xff
                    : (data[pos + 2 * i] & 0xff) << 8 | (data[pos + 2 * i + 1] & 0xff);
            out[i] = checkSample(v, maxval, i, width);
        }
        return out;
    }

    private float[] plainRaster(int width, int height, int maxval) {
        long count = (long) width * height;
        // every sample takes at least one digit and one separator
        if (count > (data.length - pos + 1L) / 2) {
            throw fail("truncated: " + width + "x" + height + " samples cannot fit in the " + (data.length - pos)
                    + " bytes after the header");
        }
        float[] out = new float[(int) count];
        for (int i = 0; i < out.length; i++) {
            skipSpace();
            if (pos >= data.length) {
                throw fail("truncated: " + width + "x" + height + " needs " + count + " samples, found " + i);
            }
            out[i] = checkSample(number("sample " + i), maxval, i, width);
        }
        skipSpace();
        if (pos != data.length) {
            throw fail("trailing data after " + count + " samples at byte " + pos);
        }
        return out;
    }

    private float checkSample(int v, int maxval, int index, int width) {
        if (v > maxval) {
            throw fail("sample at row " + index / width + ", column " + index % width + " is " + v + ", above maxval "
                    + maxval);
        }
        return v;
    }

    /** A header field: skips whitespace and comments, then reads a decimal number. */
    private int headerNumber(String what) {
        while (pos < data.length && (isSpace(data[pos]) || data[pos] == '#')) {
            if (data[pos] == '#') {
                while (pos < data.length && data[pos] != '\n' && data[pos] != '\r') {
                    pos++;
                }
            } else {
                pos++;
            }
        }
        return number(what);
    }

    private int number(String what) {
        int start = pos;
        long v = 0;
        while (pos < data.length && data[pos] >= '0' && data[pos] <= '9') {
            v = v * 10 + (data[pos] - '0');
            if (v > Integer.MAX_VALUE) {
                throw fail(what + " at byte " + start + " is too large");
            }
            pos++;
        }
        if (pos == start) {
            String found = pos < data.length ? "byte " + Hex.of(new byte[] {data[pos]}) : "the end of the file";
            throw fail("expected " + what + " (a decimal number) at byte " + pos + ", found " + found);
        }
        if (pos < data.length && !isSpace(data[pos])) {
            throw fail("expected whitespace after " + what + " at byte " + pos + ", found byte "
                    + Hex.of(new byte[] {data[pos]}));
        }
        return (int) v;
    }

    private void skipSpace() {
        while (pos < data.length && isSpace(data[pos])) {
            pos++;
        }
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0x0b || b == 0x0c;
    }

    private FileFormatException fail(String message) {
        return new FileFormatException(source + ": " + message);
    }
}
