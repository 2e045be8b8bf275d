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

/** {@code tern demo [--quick] [--out DIR] [--fresh]}: the standard recipe on the shipped teacher and data. */
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

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path home = Paths.get(System.getProperty("tern.home", "."));
        Path recipe = home.resolve("models/recipes").resolve(quick ? "demo-quick.json" : "demo.json");
        if (!Files.isRegularFile(recipe)) {
            throw new NoSuchFileException(recipe.toString(), null, "the demo recipe is missing (run from the Tern repository)");
        }
        CompressRecipe r = CompressRecipe.read(recipe);
        Path dir = out != null ? out : home.resolve(quick ? "build/report-quick" : "build/report");
        return CompressCommand.run(r, recipe.toAbsolutePath().getParent(), dir, fresh, spec.commandLine().getOut(),
                spec.commandLine().getErr());
    }
}
