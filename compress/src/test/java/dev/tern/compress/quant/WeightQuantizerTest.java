package dev.tern.compress.quant;

import dev.tern.compress.BadInputException;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WeightQuantizerTest {
    // Dense [out = 2, in = 3]
    static final float[] DENSE = {
        0.5f, -1.27f, 0.254f,
        2.54f, 0f, -0.01f};

    @Test
    void denseWeightsPerOutputChannel() {
        WeightQuantizer.Result q = WeightQuantizer.perChannel("fc/w", DENSE, new int[] {2, 3}, 0);
        // channel 0: max |w| = 1.27 -> scale 1.27f / 127 = 0.01f; 0.5 / 0.01 = 50, 0.254 / 0.01 = 25.4 -> 25
        // channel 1: max |w| = 2.54 -> scale 0.02f = 2 * 0.01f; -0.01f / 0.02f = -0.5 exactly -> -1 (half away from zero)
        assertArrayEquals(new float[] {0.01f, 0.02f}, q.scales);
        assertArrayEquals(new byte[] {50, -127, 25, 127, 0, -1}, q.values);
        assertEquals(0, q.channelAxis);
        assertTrue(q.perChannel());
        assertEquals(1, q.channelOf(4));
        assertEquals(-0.02f, q.dequantize(5));
    }

    @Test
    void denseWeightsPerTensor() {
        WeightQuantizer.Result q = WeightQuantizer.perTensor("fc/w", DENSE, new int[] {2, 3});
        // one scale 2.54 / 127 = 0.02f: 0.5 -> 25, -1.27 -> -63.5 -> -64, 0.254 -> 12.7 -> 13, -0.01 -> -0.5 -> -1
        assertArrayEquals(new float[] {0.02f}, q.scales);
        assertArrayEquals(new byte[] {25, -64, 13, 127, 0, -1}, q.values);
        assertEquals(-1, q.channelAxis);
        assertFalse(q.perChannel());
        // the boolean form agrees
        assertArrayEquals(q.values, WeightQuantizer.quantize("fc/w", DENSE, new int[] {2, 3}, 0, true).values);
    }

    /** 7 bits: scale max|w| / 63, values in [-63, 63]; per channel and per tensor, hand-computed. */
    @Test
    void sevenBitWeights() {
        WeightQuantizer.Result q = WeightQuantizer.quantize("fc/w", DENSE, new int[] {2, 3}, 0, WeightScheme.of(false, 7));
        // channel 0: scale 1.27f / 63; 0.5 -> 24.8 -> 25, -1.27 -> -63, 0.254 -> 12.6 -> 13
        // channel 1: scale 2.54f / 63; 2.54 -> 63, 0 -> 0, -0.01 -> -0.248 -> 0
        assertArrayEquals(new float[] {1.27f / 63, 2.54f / 63}, q.scales);
        assertArrayEquals(new byte[] {25, -63, 13, 63, 0, 0}, q.values);
        WeightQuantizer.Result t = WeightQuantizer.quantize("fc/w", DENSE, new int[] {2, 3}, 0, WeightScheme.of(true, 7));
        // one scale 2.54f / 63: 0.5 -> 12.4 -> 12, -1.27 -> -31.5 -> -32 (half away from zero), 0.254 -> 6.3 -> 6
        assertArrayEquals(new float[] {2.54f / 63}, t.scales);
        assertArrayEquals(new byte[] {12, -32, 6, 63, 0, 0}, t.values);
        assertEquals(63, WeightScheme.of(false, 7).maxMagnitude());
        assertEquals(127, WeightScheme.DEFAULT.maxMagnitude());
        assertThrows(IllegalArgumentException.class, () -> WeightScheme.of(false, 6));
        assertThrows(IllegalArgumentException.class, () -> WeightScheme.of(false, 9));
    }

    @Test
    void conv2dChannelsAreTheFirstAxis() {
        // [cout = 2, kh = 1, kw = 2, cin = 2]
        float[] w = {
            1f, -2f, 0.5f, 4f,       // cout 0: max 4 -> scale 4/127
            -0.3f, 0.1f, 0.2f, 0.15f}; // cout 1: max 0.3 -> scale 0.3/127
        WeightQuantizer.Result q = WeightQuantizer.perChannel("conv/w", w, new int[] {2, 1, 2, 2}, 0);
        assertArrayEquals(new float[] {4f / 127, 0.3f / 127}, q.scales);
        // 1 / (4/127) = 31.75 -> 32, -63.5 -> -64, 15.875 -> 16, 127; -127, 42.33 -> 42, 84.67 -> 85, 63.5 -> 64
        assertArrayEquals(new byte[] {32, -64, 16, 127, -127, 42, 85, 64}, q.values);
    }

    @Test
    void depthwiseChannelsAreTheLastAxis() {
        // [kh = 2, kw = 1, c = 3]: channel c is every third value
        float[] w = {
            1f, -0.5f, 0f,
            -2f, 0.25f, 0f};
        WeightQuantizer.Result q = WeightQuantizer.perChannel("dw/w", w, new int[] {2, 1, 3}, 2);
        // channel 0: max 2 -> 2/127; channel 1: max 0.5 -> 0.5/127; channel 2: all zero -> scale 1
        assertArrayEquals(new float[] {2f / 127, 0.5f / 127, WeightQuantizer.ZERO_CHANNEL_SCALE}, q.scales);
        // 1 / (2/127) = 63.5 -> 64 ; -127 ; 0 ; -127 ; 0.25 / (0.5/127) = 63.5 -> 64 ; 0
        assertArrayEquals(new byte[] {64, -127, 0, -127, 64, 0}, q.values);
        assertEquals(2, q.channelOf(5));
        assertEquals(0, q.channelOf(3));
    }

    @Test
    void neverUsesMinus128AndMatchesAPlainFloat32Reference() {
        Random r = new Random(17);
        int cout = 16;
        int k = 3 * 3 * 8;
        float[] w = new float[cout * k];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * (1 + i / k));
        }
        for (int c = 0; c < cout; c++) {
            w[c * k + c] = -Math.abs(w[c * k + c]) - 100f; // the largest magnitude is negative
        }
        int[] shape = {cout, 3, 3, 8};
        WeightQuantizer.Result q = WeightQuantizer.perChannel("conv/w", w, shape, 0);
        for (int c = 0; c < cout; c++) {
            float max = 0;
            for (int i = 0; i < k; i++) {
                max = Math.max(max, Math.abs(w[c * k + i]));
            }
            float scale = max / 127;
            assertEquals(scale, q.scales[c]);
            for (int i = 0; i < k; i++) {
                int expected = (int) Math.max(-127, Math.min(127, Range.roundHalfAwayFromZero(w[c * k + i] / scale)));
                assertEquals(expected, q.values[c * k + i], "channel " + c + " element " + i);
            }
            assertEquals(-127, q.values[c * k + c]);
        }
        for (byte b : q.values) {
            assertTrue(b >= -127);
        }
        for (byte b : WeightQuantizer.perTensor("conv/w", w, shape).values) {
            assertTrue(b >= -127);
        }
    }

    @Test
    void rejectsNaNAndInfinityNamingTheTensorAndIndex() {
        float[] w = DENSE.clone();
        w[4] = Float.NaN;
        String msg = assertThrows(BadInputException.class, () -> WeightQuantizer.perChannel("fc/w", w, new int[] {2, 3}, 0)).getMessage();
        assertTrue(msg.contains("'fc/w'") && msg.contains("NaN") && msg.contains("index 4") && msg.contains("[1, 1]"), msg);
        w[4] = 0f;
        w[0] = Float.POSITIVE_INFINITY;
        msg = assertThrows(BadInputException.class, () -> WeightQuantizer.perTensor("fc/w", w, new int[] {2, 3})).getMessage();
        assertTrue(msg.contains("Infinity") && msg.contains("index 0"), msg);
    }

    @Test
    void rejectsInconsistentShapes() {
        assertThrows(IllegalArgumentException.class, () -> WeightQuantizer.perChannel("w", DENSE, new int[] {2, 2}, 0));
        assertThrows(IllegalArgumentException.class, () -> WeightQuantizer.perChannel("w", DENSE, new int[] {2, 3}, 2));
        assertThrows(IllegalArgumentException.class, () -> WeightQuantizer.perChannel("w", DENSE, new int[] {6, 0}, 0));
    }

    @Test
    void biasUsesInputScaleTimesWeightScale() {
        // bias scales 0.5f * 0.01f = 0.005f and 0.5f * 0.02f = 0.01f (exact halvings)
        // 1.0 / 0.005f = 200; -0.015f / 0.01f = -1.5 exactly (0.015f = 1.5 * 0.01f) -> -2
        int[] q = WeightQuantizer.quantizeBias("fc/b", new float[] {1.0f, -0.015f}, 0.5f, new float[] {0.01f, 0.02f});
        assertArrayEquals(new int[] {200, -2}, q);
        // per tensor: one weight scale for every output; bias scale 0.005f,
        // -0.0075f / 0.005f = -1.5 exactly (0.0075f = 1.5 * 0.005f) -> -2, 0.002 / 0.005 = 0.4 -> 0
        assertArrayEquals(new int[] {100, -2, 0}, WeightQuantizer.quantizeBias("b", new float[] {0.5f, -0.0075f, 0.002f}, 0.5f,
                new float[] {0.01f}));
        // clamped to int32
        assertArrayEquals(new int[] {Integer.MAX_VALUE, Integer.MIN_VALUE},
                WeightQuantizer.quantizeBias("b", new float[] {1e10f, -1e10f}, 1e-3f, new float[] {1e-3f}));
    }

    @Test
    void biasRejectsNaNAndBadScales() {
        String msg = assertThrows(BadInputException.class,
                () -> WeightQuantizer.quantizeBias("fc/b", new float[] {0f, Float.NaN}, 0.5f, new float[] {0.01f})).getMessage();
        assertTrue(msg.contains("'fc/b'") && msg.contains("index 1"), msg);
        assertThrows(IllegalArgumentException.class, () -> WeightQuantizer.quantizeBias("b", new float[] {1f}, 0f, new float[] {1f}));
        assertThrows(IllegalArgumentException.class, () -> WeightQuantizer.quantizeBias("b", new float[] {1f, 2f}, 1f, new float[] {1f, 1f, 1f}));
        assertThrows(IllegalArgumentException.class, () -> WeightQuantizer.quantizeBias("b", new float[] {1f}, 1f, new float[] {-1f}));
    }
}
