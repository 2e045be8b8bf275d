package dev.tern.compress.data;

import dev.tern.compress.examples.ExampleModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.zip.GZIPInputStream;

import static dev.tern.compress.data.IdxBytes.gzip;
import static dev.tern.compress.data.IdxBytes.ubyte;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FashionMnistTest {
    @TempDir
    Path dir;

    @Test
    void shippedFilesHaveTheStandardShape() {
        FashionMnist f = ShippedData.fashion();
        assertEquals(FashionMnist.TRAIN_SIZE, f.train().size());
        assertEquals(FashionMnist.TEST_SIZE, f.test().size());
        for (LabeledImages s : new LabeledImages[] {f.train(), f.test()}) {
            assertEquals(28, s.rows());
            assertEquals(28, s.cols());
            assertEquals(10, s.classes());
            // Fashion-MNIST is balanced: 6000 training and 1000 test images per class.
            int[] perClass = new int[10];
            for (int y : s.labels()) {
                perClass[y]++;
            }
            for (int c = 0; c < 10; c++) {
                assertEquals(s.size() / 10, perClass[c], "class " + c + " in " + s.name());
            }
        }
        // First labels of each split, as the upstream files hold them: 9 ankle-boot, 0 t-shirt, ...
        assertArrayEquals(new int[] {9, 0, 0, 3, 0}, java.util.Arrays.copyOf(f.train().labels(), 5));
        assertArrayEquals(new int[] {9, 2, 1, 1, 6}, java.util.Arrays.copyOf(f.test().labels(), 5));
    }

    @Test
    void shippedFilesDecompressToTheUpstreamBytes() throws Exception {
        // sha256 of the decompressed IDX files (models/data/fashion-mnist/README.md).
        String[][] expected = {
            {FashionMnist.TRAIN_IMAGES, "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"},
            {FashionMnist.TRAIN_LABELS, "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"},
            {FashionMnist.TEST_IMAGES, "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"},
            {FashionMnist.TEST_LABELS, "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"},
        };
        for (String[] e : expected) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(new GZIPInputStream(
                    Files.newInputStream(ShippedData.dir().resolve(e[0] + ".gz")), 1 << 16), md)) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            assertEquals(e[1], hex(md.digest()), e[0]);
        }
        assertTrue(Files.isRegularFile(ShippedData.dir().resolve("LICENSE")));
    }

    @Test
    void classNamesAreSharedWithTheExampleModel() {
        assertArrayEquals(new String[] {"t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag",
            "ankle-boot"}, FashionMnist.classNames());
        assertArrayEquals(FashionMnist.classNames(), ExampleModels.FASHION);
        assertEquals("ankle-boot", FashionMnist.className(9));
        FashionMnist.classNames()[0] = "changed";
        assertEquals("t-shirt", FashionMnist.className(0));
        assertThrows(IllegalArgumentException.class, () -> FashionMnist.className(10));
    }

    /** Writes a small fake Fashion-MNIST folder: n train and m test images; raw or gzip. */
    private void writeFake(int n, byte[] trainLabels, int m, byte[] testLabels, boolean gz) throws IOException {
        write(FashionMnist.TRAIN_IMAGES, ubyte(new int[] {n, 28, 28}, pixels(n, 7)), gz);
        write(FashionMnist.TRAIN_LABELS, ubyte(new int[] {trainLabels.length}, trainLabels), gz);
        write(FashionMnist.TEST_IMAGES, ubyte(new int[] {m, 28, 28}, pixels(m, 200)), gz);
        write(FashionMnist.TEST_LABELS, ubyte(new int[] {testLabels.length}, testLabels), gz);
    }

    private void write(String name, byte[] raw, boolean gz) throws IOException {
        Files.write(dir.resolve(gz ? name + ".gz" : name), gz ? gzip(raw) : raw);
    }

    private static byte[] pixels(int n, int value) {
        byte[] b = new byte[n * 784];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    @Test
    void loadsUncompressedAndCompressedFolders() throws Exception {
        writeFake(3, new byte[] {0, 5, 9}, 2, new byte[] {4, 1}, false);
        FashionMnist raw = FashionMnist.load(dir);
        assertArrayEquals(new int[] {0, 5, 9}, raw.train().labels());
        assertArrayEquals(new int[] {4, 1}, raw.test().labels());
        assertEquals(7, raw.train().pixel(2, 27, 27));
        assertEquals(200, raw.test().pixel(1, 0, 0));
        // .gz next to the raw files wins
        writeFake(1, new byte[] {8}, 1, new byte[] {2}, true);
        FashionMnist gz = FashionMnist.load(dir);
        assertArrayEquals(new int[] {8}, gz.train().labels());
        assertArrayEquals(new int[] {2}, gz.test().labels());
    }

    @Test
    void labelOutOfRangeNamesIndexAndValue() throws Exception {
        writeFake(3, new byte[] {0, 5, 9}, 3, new byte[] {1, 2, 10}, true);
        DataException e = assertThrows(DataException.class, () -> FashionMnist.load(dir));
        assertTrue(e.getMessage().contains(FashionMnist.TEST_LABELS + ".gz: label 2 is 10, expected a class in [0, 9]"),
                e.getMessage());
        writeFake(3, new byte[] {0, (byte) 200, 9}, 3, new byte[] {1, 2, 3}, true);
        DataException u = assertThrows(DataException.class, () -> FashionMnist.load(dir));
        assertTrue(u.getMessage().contains("label 1 is 200"), u.getMessage());
    }

    @Test
    void countsMustAgree() throws Exception {
        writeFake(3, new byte[] {0, 5}, 1, new byte[] {1}, true);
        DataException e = assertThrows(DataException.class, () -> FashionMnist.load(dir));
        assertTrue(e.getMessage().contains("2 labels for the 3 images in " + FashionMnist.TRAIN_IMAGES + ".gz"), e.getMessage());
    }

    @Test
    void imagesMustBe28x28() throws Exception {
        writeFake(1, new byte[] {0}, 1, new byte[] {1}, true);
        write(FashionMnist.TEST_IMAGES, ubyte(new int[] {1, 32, 32}, new byte[32 * 32]), true);
        DataException e = assertThrows(DataException.class, () -> FashionMnist.load(dir));
        assertTrue(e.getMessage().contains("expected images of shape [n, 28, 28], found [1, 32, 32]"), e.getMessage());
        LabeledImages small = LabeledImages.of("small", 8, 8, 10, new byte[64], new byte[1]);
        DataException of = assertThrows(DataException.class, () -> FashionMnist.of(small, small));
        assertTrue(of.getMessage().contains("expected 28x28 images in 10 classes, found 8x8 in 10"), of.getMessage());
    }

    @Test
    void missingFileOrFolderIsNamed() throws Exception {
        writeFake(1, new byte[] {0}, 1, new byte[] {1}, true);
        Files.delete(dir.resolve(FashionMnist.TEST_LABELS + ".gz"));
        DataException e = assertThrows(DataException.class, () -> FashionMnist.load(dir));
        assertTrue(e.getMessage().contains("missing " + FashionMnist.TEST_LABELS + ".gz (or " + FashionMnist.TEST_LABELS + ")"),
                e.getMessage());
        DataException none = assertThrows(DataException.class, () -> FashionMnist.load(dir.resolve("nope")));
        assertTrue(none.getMessage().contains("does not exist"), none.getMessage());
    }

    @Test
    void locatePrefersTheRepoCopy() {
        Path repo = ShippedData.dir().getParent().getParent().getParent();
        assertEquals(ShippedData.dir().normalize(), FashionMnist.locate(repo).normalize());
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x));
        }
        return sb.toString();
    }
}
