package dev.tern.compress.cli;

import dev.tern.runtime.TernModel;
import dev.tern.runtime.format.TernReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code tern info MODEL [--json]}: what a model file holds and how it will run. */
@Command(name = "info", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Describe a model: tasks, inputs, ops, size, weights, sparsity and kernels.",
            "Prints the format version, inputs, tasks, outputs, op counts, parameters, file size, weights by dtype, "
                + "sparsity, and the kernel backend and per-node kernels that will run the model "
                + "(the default choice, or the one -Dtern.kernels forces), and the steps the model went through "
                + "(prune, quantize, ...: each with its settings, inputs and data)."})
public final class InfoCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL", description = "A .tern model file.")
    Path model;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        TernModel m = ModelFiles.load(model);
        ModelSummary s = ModelSummary.of(m, TernReader.readHeader(model).version());
        if (json) {
            Json.print(InfoReport.json(s), spec.commandLine().getOut());
        } else {
            spec.commandLine().getOut().print(InfoReport.text(s, model));
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
