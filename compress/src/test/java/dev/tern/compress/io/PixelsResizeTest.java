package dev.tern.compress.io;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link Pixels#resized} against values computed by hand from PyTorch's definitions
 * (torch.nn.functional.interpolate: bilinear with align_corners=False, source coordinate
 * (x + 0.5) * in / out - 0.5 clamped at 0; nearest, source floor(x * in / out)).
 */
class PixelsResizeTest {
    static Pixels gray(int w, int h, float... v) {
        return new Pixels(w, h, 1, v);
    }

    @Test
    void bilinearUpsamplingTwoByTwoToFourByFour() {
        // interpolate([[0, 1], [2, 3]], size=(4, 4), mode="bilinear", align_corners=False)
        float[] expected = {
            0f, 0.25f, 0.75f, 1f,
            0.5f, 0.75f, 1.25f, 1.5f,
            1.5f, 1.75f, 2.25f, 2.5f,
            2f, 2.25f, 2.75f, 3f};
        assertArrayEquals(expected, gray(2, 2, 0, 1, 2, 3).resized(4, 4, "bilinear").samples(), 1e-6f);
    }

    @Test
    void bilinearDownsamplingAveragesTheTwoCentralNeighbours() {
        // rows [0 1 2 3], [8 9 10 11], [16 17 18 19], [24 25 26 27]; 4 -> 2 on both axes: source
        // coordinates 0.5 and 2.5, so each output is the mean of a 2 x 2 block
        float[] v = new float[16];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                v[y * 4 + x] = 8 * y + x;
            }
        }
        float[] expected = {(0 + 1 + 8 + 9) / 4f, (2 + 3 + 10 + 11) / 4f, (16 + 17 + 24 + 25) / 4f, (18 + 19 + 26 + 27) / 4f};
        assertArrayEquals(expected, gray(4, 4, v).resized(2, 2, "bilinear").samples(), 1e-5f);
    }

    @Test
    void nearestRepeatsAndSkipsAsPyTorchDoes() {
        assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3},
                gray(2, 2, 0, 1, 2, 3).resized(4, 4, "nearest").samples());
        // 3 -> 2: floor(0 * 1.5) = 0, floor(1 * 1.5) = 1
        assertArrayEquals(new float[] {0, 1, 3, 4}, gray(3, 3, 0, 1, 2, 3, 4, 5, 6, 7, 8).resized(2, 2, "nearest").samples());
    }

    @Test
    void colourChannelsAreResizedEachOnTheirOwn() {
        Pixels rgb = new Pixels(2, 1, 3, new float[] {0, 10, 100, 2, 30, 200});
        assertArrayEquals(new float[] {0, 10, 100, 0.5f, 15, 125, 1.5f, 25, 175, 2, 30, 200},
                rgb.resized(4, 1, "bilinear").samples(), 1e-5f);
    }

    @Test
    void theSameSizeIsTheSameImageAndAnUnknownModeIsRefused() {
        Pixels p = gray(2, 2, 0, 1, 2, 3);
        assertSame(p, p.resized(2, 2, "bilinear"));
        assertThrows(IllegalArgumentException.class, () -> p.resized(3, 3, "bicubic"));
    }
}
