package dev.tern.compress.train;

import dev.tern.compress.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Recipes fail before any work starts, naming the field that is wrong. */
class TrainRecipeTest {
    @TempDir
    Path dir;

    private static final String GOOD = "{\"name\":\"t\",\"sharing\":\"hard\",\"trunk\":[\"conv3x3:4\",\"maxpool:2\"],"
            + "\"dense\":[8],\"epochs\":1,\"batch_size\":32,\"train_samples\":64}";

    private Path write(String json) throws Exception {
        Path p = dir.resolve("r.json");
        Files.writeString(p, json);
        return p;
    }

    private String error(String json) throws Exception {
        Path p = write(json);
        return assertThrows(BadInputException.class, () -> TrainRecipe.read(p)).getMessage();
    }

    @Test
    void committedRecipesAreValid() throws Exception {
        Path recipes = Paths.get(System.getProperty("tern.repo", "..")).resolve("models/recipes");
        for (String r : new String[] {"hard", "soft", "single-left", "single-right", "single-present"}) {
            TrainRecipe recipe = TrainRecipe.read(recipes.resolve(r + ".json"));
            assertEquals(2, recipe.threads, r + ": recipes fix the thread count (bit-identical reruns)");
        }
        assertEquals("soft", TrainRecipe.read(recipes.resolve("soft.json")).sharing);
    }

    @Test
    void defaultsApply() throws Exception {
        TrainRecipe r = TrainRecipe.read(write(GOOD));
        assertEquals(TrainRecipe.ALL_TASKS, r.tasks);
        assertEquals(1.0, r.lossWeight("present"));
    }

    @Test
    void unknownFieldIsNamed() throws Exception {
        assertTrue(error(GOOD.replace("\"epochs\"", "\"epohcs\"")).contains("unknown field 'epohcs'"));
    }

    @Test
    void mistypedFieldIsNamed() throws Exception {
        assertTrue(error(GOOD.replace("\"epochs\":1", "\"epochs\":\"many\"")).contains("'epochs'"));
        assertTrue(error(GOOD.replace("\"batch_size\":32", "\"batch_size\":1.5")).contains("'batch_size'"));
    }

    @Test
    void missingRequiredFieldIsNamed() throws Exception {
        assertTrue(error(GOOD.replace("\"sharing\":\"hard\",", "")).contains("sharing"));
    }

    @Test
    void badValuesAreNamed() throws Exception {
        assertTrue(error(GOOD.replace("\"hard\"", "\"medium\"")).contains("field 'sharing'"));
        assertTrue(error(GOOD.replace("\"conv3x3:4\"", "\"conv5x5:4\"")).contains("conv5x5:4"));
        assertTrue(error(GOOD.replace("\"epochs\":1", "\"epochs\":0")).contains("field 'epochs'"));
        assertTrue(error(GOOD.replace("{\"name\"", "{\"tasks\":[\"middle\"],\"name\"")).contains("field 'tasks'"));
        assertTrue(error(GOOD.replace("{\"name\"", "{\"loss_weights\":{\"left\":-1},\"name\"")).contains("loss_weights.left"));
        assertTrue(error(GOOD.replace("\"hard\"", "\"soft\"")).contains("soft_tie"));
    }

    @Test
    void notJsonAndMissingFile() throws Exception {
        assertTrue(error("{\"name\": ").contains("not valid JSON"));
        assertThrows(NoSuchFileException.class, () -> TrainRecipe.read(dir.resolve("none.json")));
    }

    /**
     * A student recipe is read as strictly as a compression recipe (issue 18, item 8): no
     * string for a number, no key twice, no text after the value, no overflow or Infinity,
     * each error naming the field in our words (never Jackson's "coercion").
     */
    @Test
    void readStrictlyInOurWords() throws Exception {
        String[][] cases = {
            {GOOD.replace("\"epochs\":1", "\"epochs\":\"3\""), "field 'epochs': expected an integer, found the string \"3\""},
            {GOOD.replace("\"epochs\":1", "\"epochs\":3.0"), "field 'epochs': expected an integer, found 3.0"},
            {GOOD.replace("\"epochs\":1", "\"epochs\":99999999999"), "field 'epochs': expected an integer, found 99999999999 (out of range)"},
            {GOOD.replace("\"dense\":[8]", "\"dense\":[\"8\"]"), "field 'dense[0]': expected an integer, found the string \"8\""},
            {GOOD.replace("\"name\":\"t\"", "\"name\":7"), "field 'name': expected a string, found 7"},
            {GOOD.replace("\"epochs\":1", "\"epochs\":1,\"epochs\":2"), "the key 'epochs' appears twice in one object"},
            {GOOD + " {}", "text after the end of the JSON value"},
            {GOOD.replace("\"epochs\":1", "\"epochs\":1,\"learning_rate\":1e999"), "learning_rate"},
        };
        for (String[] c : cases) {
            String m = error(c[0]);
            assertTrue(m.contains(c[1]), c[0] + " -> " + m);
            assertTrue(!m.toLowerCase().contains("coerc") && !m.contains("`") && !m.contains("java."), m);
        }
    }
}
