package dev.tern.compress.examples;

import dev.tern.compress.data.CanvasSet;
import dev.tern.compress.data.FashionMnist;
import dev.tern.compress.data.MultiFashion;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;

/**
 * Writes the first N Multi-Fashion test canvases as the Android sample's {@code canvases.bin}
 * asset (read by {@code dev.tern.sample.Canvases}): the magic {@code TCNV}, version 1, count,
 * height and width as big-endian ints, then per canvas its left label, right label (one byte
 * each) and height x width uint8 pixels, row-major. The "present" labels are {left, right}.
 *
 * <p>Usage: {@code SampleCanvases DATA_DIR OUT COUNT} (run by {@code scripts/android-canvases}).
 */
public final class SampleCanvases {
    static final int MAGIC = 0x54434E56; // "TCNV"

    private SampleCanvases() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: SampleCanvases DATA_DIR OUT COUNT");
            System.exit(2);
        }
        CanvasSet test = new MultiFashion(FashionMnist.load(Paths.get(args[0]))).test();
        int n = Integer.parseInt(args[2]);
        if (n < 1 || n > test.size()) {
            System.err.println("COUNT must be in [1, " + test.size() + "], got " + n);
            System.exit(2);
        }
        write(test, n, Paths.get(args[1]));
    }

    /** Writes canvases [0, n) of the set to out, atomically (a temporary file, then a move). */
    public static void write(CanvasSet set, int n, Path out) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(bytes)) {
            d.writeInt(MAGIC);
            d.writeInt(1);
            d.writeInt(n);
            d.writeInt(MultiFashion.SIZE);
            d.writeInt(MultiFashion.SIZE);
            for (int i = 0; i < n; i++) {
                d.writeByte(set.left(i));
                d.writeByte(set.right(i));
                d.write(set.canvas(i));
            }
        }
        Path abs = out.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
        try {
            Files.write(tmp, bytes.toByteArray());
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
