package dev.tern.compress.io;

import dev.tern.runtime.InvalidInputException;
import dev.tern.runtime.model.InputSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InputFilesTest {
    @TempDir
    Path dir;

    /** A 2x1 RGB PNG: a pure red pixel, then (10, 20, 30). */
    private Path rgbPng() throws Exception {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xff0000);
        img.setRGB(1, 0, 0x0a141e);
        Path f = dir.resolve("rgb.png");
        ImageIO.write(img, "png", f.toFile());
        return f;
    }

    @Test
    void rgbImageFeedsAnNhwcRgbInputInOrder() throws Exception {
        InputSpec spec = new InputSpec("x", new int[] {1, 1, 2, 3}, "NHWC", new float[] {0, 10, 20}, new float[] {1, 2, 5});
        float[] x = InputFiles.load(rgbPng(), spec);
        assertArrayEquals(new float[] {255, -5, -4, 10, 5, 2}, x);
    }

    @Test
    void rgbImageFeedsAnNchwInputPlanar() throws Exception {
        InputSpec spec = new InputSpec("x", new int[] {-1, 3, 1, 2}, "NCHW", null, null);
        float[] x = InputFiles.load(rgbPng(), spec);
        assertArrayEquals(new float[] {255, 10, 0, 20, 0, 30}, x);
    }

    @Test
    void rgbImageBecomesGrayByPillowLuma() throws Exception {
        InputSpec spec = new InputSpec("x", new int[] {-1, 1, 2, 1}, "NHWC", null, null);
        float[] x = InputFiles.load(rgbPng(), spec);
        // (19595 * 255 + 32768) >> 16 = 76; (19595 * 10 + 38470 * 20 + 7471 * 30 + 32768) >> 16 = 18
        assertArrayEquals(new float[] {76, 18}, x);
    }

    @Test
    void grayImageIsRepeatedIntoRgb() {
        Pixels gray = new Pixels(2, 1, 1, new float[] {7, 9});
        assertArrayEquals(new float[] {7, 7, 7, 9, 9, 9}, gray.withChannels(3).samples());
    }

    @Test
    void sixteenBitGrayPngIsScaledWithoutGammaConversion() throws Exception {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        img.getRaster().setSample(0, 0, 0, 65535);
        img.getRaster().setSample(1, 0, 0, 257 * 100);
        Path f = dir.resolve("g16.png");
        ImageIO.write(img, "png", f.toFile());
        Pixels p = ImageFiles.read(f);
        assertEquals(1, p.channels());
        assertArrayEquals(new float[] {255, 100}, p.samples(), 1e-4f);
    }

    @Test
    void nonImageInputNeedsAnArray() throws Exception {
        InputSpec spec = InputSpec.of("features", -1, 2);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> InputFiles.load(rgbPng(), spec));
        assertTrue(e.getMessage().contains("not an image"), e.getMessage());
    }

    @Test
    void pngDimensionsAreCheckedBeforeDecoding() throws Exception {
        byte[] b = new byte[40];
        System.arraycopy(ImageFiles.PNG_SIGNATURE, 0, b, 0, 8);
        byte[] ihdr = {0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 1, 0, 0, 0, 1, 0, 0};
        System.arraycopy(ihdr, 0, b, 8, ihdr.length);
        FileFormatException e = assertThrows(FileFormatException.class, () -> ImageFiles.png(b, "big.png"));
        assertTrue(e.getMessage().contains("PNG of 65536x65536 pixels"), e.getMessage());
    }

    @Test
    void uint8BatchIsNormalizedSampleBySampleInNchw() {
        // Channel of element i is i / (h * w) within its sample: past sample 0 it must restart.
        InputSpec spec = new InputSpec("x", new int[] {-1, 3, 1, 2}, "NCHW", new float[] {0, 10, 20}, new float[] {1, 2, 5});
        float[] raw = new float[12];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = i;
        }
        float[] x = InputFiles.fromArray(new NpyArray(new int[] {2, 3, 1, 2}, NpyDType.UINT8, raw), dir.resolve("b.npy"), spec);
        float[] mean = {0, 10, 20};
        float[] std = {1, 2, 5};
        float[] expected = new float[12];
        for (int i = 0; i < 12; i++) {
            int c = (i % 6) / 2;
            expected[i] = (raw[i] - mean[c]) / std[c];
        }
        assertArrayEquals(expected, x);
    }

    @Test
    void loadTakesOneSampleAndLoadBatchTakesN() throws Exception {
        InputSpec spec = InputSpec.of("features", -1, 2);
        Path f = dir.resolve("three.npy");
        NpyWriter.write(f, new int[] {3, 2}, new float[] {1, 2, 3, 4, 5, 6});
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, InputFiles.loadBatch(f, spec));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> InputFiles.load(f, spec));
        assertTrue(e.getMessage().contains("a batch of 3 samples"), e.getMessage());
        NpyWriter.write(f, new int[] {2}, new float[] {7, 8});
        assertArrayEquals(new float[] {7, 8}, InputFiles.load(f, spec));
    }
}
