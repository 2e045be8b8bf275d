package dev.tern.compress.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The format version in a {@code .tern} file's fixed header (bytes 8-9 major, 10-11 minor,
 * unsigned little-endian). Only for reports: read the file with {@code TernModel.load}
 * first, which validates it.
 */
public final class TernFileHeader {
    private TernFileHeader() {
    }

    /** The version as "major.minor", e.g. "1.0". */
    public static String formatVersion(Path file) throws IOException {
        byte[] h;
        try (InputStream in = Files.newInputStream(file)) {
            h = in.readNBytes(12);
        }
        if (h.length < 12) {
            throw new FileFormatException(file + ": truncated: " + h.length + " bytes, a .tern header needs 64");
        }
        int major = (h[8] & 0xff) | (h[9] & 0xff) << 8;
        int minor = (h[10] & 0xff) | (h[11] & 0xff) << 8;
        return major + "." + minor;
    }
}
