package dev.tern.compress.pipeline;

import dev.tern.compress.BadInputException;
import dev.tern.compress.job.PruneConfig;
import dev.tern.compress.job.QuantizeConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The recipe is read strictly and checked in full, semantic checks included, before any
 * work (issue 18, item 8): each case names the field and what it expected, in our words.
 */
class CompressRecipeTest {
    static String recipe(String stage) {
        return "{\"name\": \"r\", \"teacher\": \"t.tern\", \"data\": \"d\", \"variants\": [{\"name\": \"v\", \"stages\": [" + stage + "]}]}";
    }

    static String error(String json) {
        String m = assertThrows(BadInputException.class, () -> CompressRecipe.parse(json)).getMessage();
        assertFalse(m.toLowerCase().contains("coercion") || m.contains("com.fasterxml") || m.contains("Cannot deserialize"), m);
        return m;
    }

    @Test
    void pruneSamplesBelowOneBatchFailUpFront() {
        String m = error(recipe("{\"stage\": \"prune\", \"sparsity\": 0.5, \"samples\": 12}"));
        assertTrue(m.startsWith("variants[0].stages[0].samples: expected at least batch (64: fine-tuning needs at least one batch), found 12"), m);
        // without fine-tuning no batch is drawn: 12 samples are fine
        PruneConfig p = (PruneConfig) CompressRecipe.parse(recipe("{\"stage\": \"prune\", \"sparsity\": 0.5, \"samples\": 12, \"epochs\": 0}"))
                .variants.get(0).stages.get(0).config;
        assertEquals(12, p.samples);
        assertTrue(error(recipe("{\"stage\": \"finetune\", \"samples\": 63}")).startsWith("variants[0].stages[0].samples: expected at least batch"));
    }

    @Test
    void infiniteAndOutOfRangeNumbersNameTheField() {
        assertEquals("variants[0].stages[0].lr: expected a number in (0, 1], found 1E+999",
                error(recipe("{\"stage\": \"prune\", \"sparsity\": 0.5, \"lr\": 1e999}")));
        assertEquals("variants[0].stages[0].calib_samples: expected an integer from 1 to 60000, found 99999999999",
                error(recipe("{\"stage\": \"quantize\", \"calib_samples\": 99999999999}")));
        assertEquals("variants[0].stages[0].epochs: expected an integer from 0 to 1000, found 3.0",
                error(recipe("{\"stage\": \"prune\", \"sparsity\": 0.5, \"epochs\": 3.0}")));
        assertEquals("eval_samples: expected an integer from 1 to 1000000000, found 0",
                error(recipe("").replace("\"variants\"", "\"eval_samples\": 0, \"variants\"")));
    }

    @Test
    void stringsAreNotNumbers() {
        assertEquals("variants[0].stages[0].epochs: expected an integer from 0 to 1000, found the string \"3\"",
                error(recipe("{\"stage\": \"prune\", \"sparsity\": 0.5, \"epochs\": \"3\"}")));
        assertEquals("variants[0].stages[0].per_tensor: expected true or false, found the string \"yes\"",
                error(recipe("{\"stage\": \"quantize\", \"per_tensor\": \"yes\"}")));
    }

    @Test
    void trailingTextAndDuplicateKeysAreErrors() {
        String m = error(recipe("{\"stage\": \"quantize\"}") + " garbage");
        assertTrue(m.startsWith("not valid JSON"), m);
        m = error(recipe("{\"stage\": \"quantize\"}") + "{}");
        assertTrue(m.contains("text after the end of the JSON value"), m);
        m = error(recipe("{\"stage\": \"quantize\", \"calib_samples\": 64, \"calib_samples\": 128}"));
        assertTrue(m.contains("'calib_samples' appears twice"), m);
    }

    @Test
    void everyQuantizeOptionIsARecipeField() {
        QuantizeConfig q = (QuantizeConfig) CompressRecipe.parse(recipe("{\"stage\": \"quantize\", \"budget\": 0.02, \"per_tensor\": true, "
                + "\"method\": \"entropy\", \"val_samples\": 500, \"report\": true}")).variants.get(0).stages.get(0).config;
        assertEquals(0.02, q.budget);
        assertTrue(q.perTensor && q.report);
        assertEquals(500, q.valSamples);
        assertEquals("variants[0].stages[0].dynamic: keeps activations in float32; report and budget apply to full int8 only",
                error(recipe("{\"stage\": \"quantize\", \"dynamic\": true, \"budget\": 0.01}")));
        assertEquals("variants[0].stages[0].method: expected one of minmax, percentile, entropy, mse, found \"kl\"",
                error(recipe("{\"stage\": \"quantize\", \"method\": \"kl\"}")));
    }
}
