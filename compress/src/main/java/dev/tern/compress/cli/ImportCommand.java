package dev.tern.compress.cli;

import dev.tern.compress.job.ImportJob;
import dev.tern.runtime.format.TernWriter;
import dev.tern.runtime.model.ModelDef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code tern import SAVEDMODEL --out M.tern} ({@link ImportJob}). */
@Command(name = "import", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Convert a TensorFlow SavedModel to a .tern model.",
            "Loads the SavedModel with TensorFlow Java, walks the serving signature from its outputs to its input, "
                + "freezes variables, folds batch norm, and maps each op (see docs/IMPORT.md); fails naming every "
                + "unsupported op. Task names, kinds, labels and thresholds come from assets.extra/tern.json "
                + "when present."})
public final class ImportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SAVEDMODEL", description = "SavedModel folder (holding saved_model.pb).")
    Path savedModel;

    @Option(names = "--out", required = true, paramLabel = "M.tern", description = "The .tern file to write (atomically).")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ModelFiles.checkOutput(out, null);
        ModelDef def = ImportJob.run(savedModel);
        TernWriter.write(def, out);
        spec.commandLine().getOut().printf("wrote %s: %d nodes, %,d params, %,d bytes%n", out, def.nodes().size(),
                def.parameterCount(), Files.size(out));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
