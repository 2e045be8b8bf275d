package dev.tern.compress.data;

import dev.tern.compress.io.NpyDType;
import dev.tern.compress.io.NpzWriter;
import dev.tern.runtime.format.AtomicFiles;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Writes Multi-Fashion canvases in the user data set formats (docs/DATA.md), so the
 * user-data path can be checked on known data: an {@code .npz} ({@code x} uint8
 * (N, 36, 36, 1), {@code left}/{@code right} int64 (N), {@code present} uint8 (N, 10)) or an
 * image folder (one 8-bit gray PNG per canvas and {@code labels.csv} with class names, the
 * present classes joined by {@code |}). Both hold the same pixels and labels, so a model
 * scores the same on either and on the built-in canvases.
 */
public final class MultiFashionExport {
    private MultiFashionExport() {
    }

    /** Writes {@code set} as an {@code .npz}, streaming the canvases; the file appears atomically. */
    public static void npz(CanvasSet set, Path file) throws IOException {
        int n = set.size();
        NpzWriter.write(file, npz -> {
            npz.array("x", NpyDType.UINT8, new long[] {n, MultiFashion.SIZE, MultiFashion.SIZE, 1}, out -> {
                byte[] c = new byte[MultiFashion.PIXELS];
                for (int i = 0; i < n; i++) {
                    set.fill(i, c, 0);
                    out.write(c);
                }
            });
            npz.longs("left", new long[] {n}, java.util.Arrays.stream(set.left()).asLongStream().toArray());
            npz.longs("right", new long[] {n}, java.util.Arrays.stream(set.right()).asLongStream().toArray());
            byte[] present = new byte[n * MultiFashion.CLASSES];
            for (int i = 0; i < n; i++) {
                present[i * MultiFashion.CLASSES + set.left(i)] = 1;
                present[i * MultiFashion.CLASSES + set.right(i)] = 1;
            }
            npz.bytes("present", NpyDType.UINT8, new long[] {n, MultiFashion.CLASSES}, present);
        });
    }

    /**
     * Writes {@code set} as an image folder: {@code dir/images/NNNNN.png} and
     * {@code dir/labels.csv} (written last, so a folder with labels.csv is complete).
     */
    public static void images(CanvasSet set, Path dir) throws IOException {
        int n = set.size();
        int digits = Math.max(5, String.valueOf(n - 1).length());
        StringBuilder csv = new StringBuilder("file,left,right,present\n");
        BufferedImage img = new BufferedImage(MultiFashion.SIZE, MultiFashion.SIZE, BufferedImage.TYPE_BYTE_GRAY);
        byte[] c = new byte[MultiFashion.PIXELS];
        for (int i = 0; i < n; i++) {
            set.fill(i, c, 0);
            img.getRaster().setDataElements(0, 0, MultiFashion.SIZE, MultiFashion.SIZE, c);
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(img, "png", png);
            String name = "images/" + String.format("%0" + digits + "d", i) + ".png";
            AtomicFiles.write(dir.resolve(name), png.toByteArray());
            String left = FashionMnist.className(set.left(i));
            String right = FashionMnist.className(set.right(i));
            csv.append(name).append(',').append(left).append(',').append(right).append(',')
                    .append(set.left(i) == set.right(i) ? left : left + "|" + right).append('\n');
        }
        AtomicFiles.write(dir.resolve(ImageFolderDataset.LABELS), csv.toString().getBytes(StandardCharsets.UTF_8));
    }
}
