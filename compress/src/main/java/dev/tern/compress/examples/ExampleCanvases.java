package dev.tern.compress.examples;

import dev.tern.compress.data.CanvasSet;
import dev.tern.compress.data.FashionMnist;
import dev.tern.compress.data.MultiFashion;
import dev.tern.runtime.format.AtomicFiles;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Real Multi-Fashion test canvases as 8-bit gray PNGs, for trying {@code tern run} on the shipped
 * teachers: {@code models/examples/test-NNNN-LEFT-RIGHT.png}. The file name holds the canvas's
 * index in the test split (seed {@link MultiFashion#TEST_SEED}) and its true labels. The first
 * {@link #COUNT} canvases are taken, not chosen: some the teachers get wrong.
 *
 * <p>Run from the repo root: {@code java -cp compress/target/classes:runtime/core/target/classes
 * dev.tern.compress.examples.ExampleCanvases models/examples}.
 */
public final class ExampleCanvases {
    /** How many canvases, from the start of the test split. */
    public static final int COUNT = 6;

    private ExampleCanvases() {
    }

    /** The file name of test canvas {@code i}: index and true labels. */
    public static String fileName(CanvasSet test, int i) {
        return String.format("test-%04d-%s-%s.png", i, FashionMnist.className(test.left(i)),
                FashionMnist.className(test.right(i)));
    }

    /** Test canvas {@code i} as a gray PNG (the pixels exactly as the model gets them, before normalization). */
    public static byte[] png(CanvasSet test, int i) {
        byte[] pixels = test.canvas(i);
        BufferedImage img = new BufferedImage(MultiFashion.SIZE, MultiFashion.SIZE, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, MultiFashion.SIZE, MultiFashion.SIZE, pixels);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static void main(String[] args) throws IOException {
        Path dir = Paths.get(args.length > 0 ? args[0] : "models/examples");
        CanvasSet test = new MultiFashion(FashionMnist.load(FashionMnist.locate(Paths.get(".")))).test();
        for (int i = 0; i < COUNT; i++) {
            Path file = dir.resolve(fileName(test, i));
            AtomicFiles.write(file, png(test, i));
            System.out.println("wrote " + file);
        }
    }
}
