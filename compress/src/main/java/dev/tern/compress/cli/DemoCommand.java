package dev.tern.compress.cli;

import dev.tern.compress.pipeline.CompressRecipe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.Callable;

/** {@code tern demo [--quick | --recipe R] [--model M] [--out DIR] [--fresh]}: the standard recipe on the shipped teacher and data. */
@Command(name = "demo", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"The main job: compress the shipped Multi-Fashion teacher (models/multifashion/hard.tern) with the "
                + "standard recipe (models/recipes/demo.json): the fp32 teacher; int8; 80%% sparse + int8; channel-pruned "
                + "+ int8; distilled edge students of width 0.5 and 0.25, fp32 and int8, with their from-scratch controls. "
                + "Writes the report under build/report/ (index.html, report.md, report.json). About 15 minutes on 2 cores; "
                + "--quick (models/recipes/demo-quick.json) takes about 2 and says so in the report. A rerun reuses the "
                + "finished stages unless --fresh."})
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--quick", description = "Fewer epochs and samples (about 3 minutes).")
    boolean quick;

    @Option(names = "--out", paramLabel = "DIR", description = "Report folder (default: build/report, or build/report-quick with --quick).")
    Path out;

    @Option(names = "--fresh", description = "Redo every stage (default: reuse the finished ones).")
    boolean fresh;

    @Option(names = "--model", paramLabel = "MODEL", description = "Run the same recipe on another teacher: a float32 .tern file, "
            + "an .onnx file (imported first, with its metadata_props tasks) or a SavedModel folder; it must take a 36x36 gray "
            + "canvas (NHWC [36, 36, 1] or NCHW [1, 36, 36]) and have the tasks left, right (10 classes) and present (10 labels). "
            + "Report under build/report-MODELNAME[-quick].")
    Path model;

    @Option(names = "--recipe", paramLabel = "R.json", description = "Run recipe R instead of the standard one (its teacher "
            + "replaced by --model when given; an .onnx teacher is imported first), e.g. models/pytorch/compress.json. "
            + "Report under build/report-MODELNAME-RECIPENAME.")
    Path recipeFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path home = Paths.get(System.getProperty("tern.home", "."));
        if (recipeFile != null && quick) {
            throw new UsageException("--quick picks the quick standard recipe; give it or --recipe, not both");
        }
        Path recipe = recipeFile != null ? recipeFile : home.resolve("models/recipes").resolve(quick ? "demo-quick.json" : "demo.json");
        if (!Files.isRegularFile(recipe)) {
            throw new NoSuchFileException(recipe.toString(), null, recipeFile != null ? "no such recipe file"
                    : "the demo recipe is missing (run from the Tern repository)");
        }
        if (recipeFile != null && model == null) {
            // a recipe whose teacher is not a .tern file (an .onnx, a SavedModel folder) is run as on --model
            Path t = recipe.toAbsolutePath().getParent().resolve(CompressRecipe.read(recipe).teacher);
            if (!t.getFileName().toString().endsWith(".tern")) {
                model = t.normalize();
            }
        }
        if (model != null) {
            return onModel(home, recipe);
        }
        CompressRecipe r = CompressRecipe.read(recipe);
        Path dir = out != null ? out : home.resolve(recipeFile != null ? "build/report-" + recipeFile.getFileName().toString()
                .replaceAll("\\.json$", "") : quick ? "build/report-quick" : "build/report");
        return CompressCommand.run(r, recipe.toAbsolutePath().getParent(), dir, fresh, spec.commandLine().getOut(),
                spec.commandLine().getErr());
    }

    /**
     * The demo recipe with {@link #model} as the teacher: an ONNX file or SavedModel is imported
     * first (ImportJob, into DIR/teacher/NAME.tern); the recipe, with the teacher and the data as
     * absolute paths, is written to DIR/recipe.json and run from there.
     */
    private int onModel(Path home, Path recipe) throws Exception {
        String base = model.getFileName().toString().replaceAll("\\.(onnx|tern)$", "");
        String suffix = recipeFile != null ? "-" + recipeFile.getFileName().toString().replaceAll("\\.json$", "") : quick ? "-quick" : "";
        Path dir = (out != null ? out : home.resolve("build/report-" + base + suffix)).toAbsolutePath();
        Path teacher;
        if (model.getFileName().toString().endsWith(".tern")) {
            teacher = model.toAbsolutePath();
        } else {
            teacher = dir.resolve("teacher").resolve(base + ".tern");
            dev.tern.runtime.format.AtomicFiles.checkWritable(teacher);
            dev.tern.compress.onnx.OnnxImporter.Result imported = dev.tern.compress.job.ImportJob.run(model, null);
            dev.tern.runtime.format.TernWriter.write(imported.model, teacher);
            spec.commandLine().getOut().printf("imported %s as %s%n", model, teacher);
        }
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper()
                .enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT);
        com.fasterxml.jackson.databind.node.ObjectNode j = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(recipe.toFile());
        Path recipeDir = recipe.toAbsolutePath().getParent();
        j.put("name", j.path("name").asText() + " on " + model.getFileName());
        j.put("teacher", teacher.toString());
        j.put("data", recipeDir.resolve(j.path("data").asText()).normalize().toString());
        Path written = dir.resolve("recipe.json");
        dev.tern.runtime.format.AtomicFiles.write(written, json.writeValueAsBytes(j));
        CompressRecipe r = CompressRecipe.read(written);
        return CompressCommand.run(r, dir, dir, fresh, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
