package dev.tern.compress.tf;

import dev.tern.runtime.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SavedModelRunnerTest {
    @TempDir
    Path tmp;

    @Test
    void runsEveryOutputPerSample() {
        Path sm = tmp.resolve("runner");
        try (TfGraph g = new TfGraph(31)) {
            Placeholder<TFloat32> x = g.input("image", -1, 2, 2, 1);
            Map<String, Operand<TFloat32>> outs = new LinkedHashMap<>();
            outs.put("sum", g.tf.math.mean(x, g.tf.constant(new int[] {1, 2})));
            outs.put("double", g.tf.math.add(x, x));
            g.export(sm, "image", x, outs);
        }
        try (SavedModelRunner tf = SavedModelRunner.open(sm)) {
            assertEquals("image", tf.inputName());
            assertArrayEquals(new int[] {-1, 2, 2, 1}, tf.inputShape());
            assertEquals(4, tf.sampleSize());
            assertEquals(List.of("double", "sum"), tf.outputNames());
            float[] batch = {1, 2, 3, 4, 10, 20, 30, 40, -1, -1, -1, -1};
            Map<String, float[][]> out = tf.run(batch);
            assertEquals(List.of("double", "sum"), List.copyOf(out.keySet()));
            assertEquals(3, out.get("sum").length);
            assertArrayEquals(new float[] {2.5f}, out.get("sum")[0]);
            assertArrayEquals(new float[] {25f}, out.get("sum")[1]);
            assertArrayEquals(new float[] {-2, -2, -2, -2}, out.get("double")[2], "[2, 2, 1] flattened per sample");
            assertEquals(List.of("sum"), List.copyOf(tf.run(batch, "sum").keySet()));

            InvalidInputException len = assertThrows(InvalidInputException.class, () -> tf.run(new float[5]));
            assertTrue(len.getMessage().contains("expects [1, 2, 2, 1] (4 values per sample), got 5 values"), len.getMessage());
            InvalidInputException key = assertThrows(InvalidInputException.class, () -> tf.run(batch, "logits"));
            assertTrue(key.getMessage().contains("unknown output 'logits'"), key.getMessage());
        }
    }
}
