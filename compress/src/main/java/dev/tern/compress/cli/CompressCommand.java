package dev.tern.compress.cli;

import dev.tern.compress.pipeline.CompressRecipe;
import dev.tern.compress.pipeline.Pipeline;
import dev.tern.compress.pipeline.Report;
import dev.tern.compress.report.ConsoleRenderer;
import dev.tern.compress.report.ReportModel;
import dev.tern.compress.report.ReportWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code tern compress --recipe R.json --out DIR [--fresh]}: the compression pipeline and its report. */
@Command(name = "compress", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Run a compression recipe: variants of a teacher made by chains of stages (distill, prune, "
                + "finetune, quantize, evaluate), each scored on the test canvases, their batch-1 latency measured "
                + "together, and a report written (report.json, report.md, index.html with PNG plots; docs/PIPELINE.md).",
            "Every stage writes its model under OUT/models/ and a JSON log under OUT/logs/, atomically; a rerun "
                + "reuses every finished stage unless --fresh. The whole recipe is checked before any work starts."})
public final class CompressCommand implements Callable<Integer> {
    @Option(names = "--recipe", required = true, paramLabel = "R.json", description = "The compression recipe (JSON).")
    Path recipe;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for models, logs and the report.")
    Path out;

    @Option(names = "--fresh", description = "Redo every stage (default: reuse the finished ones).")
    boolean fresh;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CompressRecipe r = CompressRecipe.read(recipe);
        Path dir = recipe.toAbsolutePath().getParent();
        return run(r, dir, out, fresh, spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    static int run(CompressRecipe r, Path recipeDir, Path out, boolean fresh, PrintWriter o, PrintWriter err) throws Exception {
        long t0 = System.nanoTime();
        Pipeline p = new Pipeline(r, recipeDir, out.toAbsolutePath(), fresh, err);
        List<Pipeline.Result> results = p.run();
        ReportModel m = Report.model(r, results, (System.nanoTime() - t0) / 1e9, p.loadSamples(), p.dataDescription());
        ReportWriter.write(out, m);
        o.println("wrote " + out.resolve("index.html") + ", report.md, report.json (" + (results.size() - 1) + " variants)");
        o.print(ConsoleRenderer.render(m));
        o.flush();
        return 0;
    }
}
