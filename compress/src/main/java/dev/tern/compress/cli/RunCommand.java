package dev.tern.compress.cli;

import dev.tern.compress.io.InputFiles;
import dev.tern.compress.io.NpyWriter;
import dev.tern.runtime.InvalidInputException;
import dev.tern.runtime.TaskSet;
import dev.tern.runtime.TernModel;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.ModelDef;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code tern run MODEL --input FILE}: runs a model on one sample or a batch and prints each
 * task's prediction per sample, or with {@code --raw --out DIR} writes every graph output of
 * every sample as a {@code .npy} file (RunBatch runs the batch, RunReport prints it).
 */
@Command(name = "run", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Run a model on one input or a batch and print the predictions of its tasks.",
            "The input is a .npy array (float32/float64 taken as already normalized; uint8 as raw pixels) of the "
                + "input's sample shape (one sample) or with a leading batch dimension N >= 1 (N samples, "
                + "reported as sample 0 to N-1), or a PNG or PGM image of the input's height and width (of any "
                + "size when the model records a resize in its preprocessing: tern info shows it), whose pixel "
                + "values 0-255 get the model's normalization."})
public final class RunCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL", description = "A .tern model file.")
    Path model;

    @Option(names = {"-i", "--input"}, required = true, paramLabel = "FILE",
            description = "The input: a .npy array, or a PNG or PGM image.")
    Path input;

    @Option(names = {"-t", "--task"}, paramLabel = "NAME",
            description = "Run only this task (repeatable); only the nodes its head needs are computed. Default: all tasks.")
    List<String> tasks = new ArrayList<>();

    @Option(names = "--top", paramLabel = "K", defaultValue = "5",
            description = "Classes to show per multiclass task, in text and in --json's top list (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @ArgGroup(exclusive = false, multiplicity = "0..1", heading = "%nRaw outputs:%n")
    RawOutput raw;

    /** {@code --raw --out DIR}, given together. */
    static final class RawOutput {
        @Option(names = "--raw", required = true,
                description = "Write every graph output as DIR/<output>.npy (float32, shape [N, ...]: every sample) instead of predictions.")
        boolean raw;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for --raw (created if missing).")
        Path out;
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (top < 1) {
            throw new ParameterException(spec.commandLine(), "--top must be at least 1, got " + top);
        }
        if (raw != null && !tasks.isEmpty()) {
            throw new ParameterException(spec.commandLine(),
                    "--raw writes every graph output, which needs all tasks; drop --task");
        }
        TernModel m = ModelFiles.load(model);
        ModelDef def = m.def();
        if (def.inputs().size() != 1) {
            throw new InvalidInputException(model + " has " + def.inputs().size() + " inputs; tern run feeds exactly one");
        }
        TaskSet taskSet = m.taskSet(tasks.toArray(new String[0]));
        InputSpec in = def.inputs().get(0);
        float[] x = InputFiles.loadBatch(input, in);
        int n = x.length / in.sampleSize();
        RunBatch.checkFinite(in, x);
        Map<String, Path> files = raw == null ? null : RunReport.outputFiles(def, raw.out);
        PrintWriter out = spec.commandLine().getOut();
        if (raw != null) {
            Map<String, float[]> values = RunBatch.outputs(m, x);
            for (Map.Entry<String, Path> f : files.entrySet()) {
                NpyWriter.write(f.getValue(), RunReport.batchShape(def, f.getKey(), n), values.get(f.getKey()));
            }
            if (json) {
                Json.print(RunReport.filesJson(model, input, def, files, n), out);
            } else {
                files.forEach((value, file) -> out.println("wrote " + file + "  float32 "
                        + Arrays.toString(RunReport.batchShape(def, value, n))));
            }
        } else if (json) {
            Json.print(RunReport.json(m, taskSet, x, model, input, top), out);
        } else {
            out.print(RunReport.text(m, taskSet, x, top));
        }
        out.flush();
        return 0;
    }
}
