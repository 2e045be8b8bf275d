package dev.tern.runtime.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Public doors into {@link FileImage} for tests outside this package. */
public final class FileImageAccess {
    private FileImageAccess() {
    }

    /**
     * Replaces the one little-endian occurrence of float {@code from} inside the GRPH section
     * with {@code to} and fixes every checksum: a file that is well-formed but whose content is wrong.
     */
    public static byte[] patchFloat(byte[] file, float from, float to) {
        FileImage f = new FileImage(file);
        FileImage.Section g = null;
        for (FileImage.Section s : f.sections()) {
            if (s.id.equals("GRPH")) {
                g = s;
            }
        }
        ByteBuffer b = ByteBuffer.wrap(f.bytes).order(ByteOrder.LITTLE_ENDIAN);
        int found = -1;
        for (int i = (int) g.offset; i + 4 <= g.offset + g.length; i++) {
            if (b.getFloat(i) == from) {
                if (found >= 0) {
                    throw new IllegalArgumentException("float " + from + " occurs twice in GRPH");
                }
                found = i;
            }
        }
        if (found < 0) {
            throw new IllegalArgumentException("float " + from + " not in GRPH");
        }
        b.putFloat(found, to);
        return f.fixChecksums().bytes;
    }
}
