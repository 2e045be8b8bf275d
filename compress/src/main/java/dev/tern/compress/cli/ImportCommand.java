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
        description = {"Convert an ONNX model (MODEL.onnx, opsets 7 to 17) or a TensorFlow SavedModel to a .tern model.",
            "ONNX: folds constants and batch norm, keeps the ONNX interface (NCHW input, the output names), names every "
                + "unsupported op at once (docs/ONNX.md, Import); each output becomes a task from --tasks, the model's "
                + "metadata_props 'tern.tasks', or the defaults (Softmax: multiclass, Sigmoid: multilabel, else raw).",
            "SavedModel: loads it with TensorFlow Java, walks the serving signature from its outputs to its input, "
                + "freezes variables, folds batch norm, and maps each op (see docs/IMPORT.md); fails naming every "
                + "unsupported op. Task names, kinds, labels and thresholds come from assets.extra/tern.json "
                + "when present."})
public final class ImportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL", description = "An .onnx file, or a SavedModel folder (holding saved_model.pb).")
    Path savedModel;

    @Option(names = "--tasks", paramLabel = "TASKS.json", description = "ONNX only: what each output predicts "
            + "({\"tasks\": [{\"output\": ..., \"kind\": multiclass|multilabel|regression|raw, \"labels\": [...]}]}).")
    Path tasks;

    @Option(names = "--out", required = true, paramLabel = "M.tern", description = "The .tern file to write (atomically).")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ModelFiles.checkOutput(out, null);
        dev.tern.compress.onnx.OnnxImporter.Result r = ImportJob.run(savedModel, tasks);
        ModelDef def = r.model;
        TernWriter.write(def, out);
        for (String note : r.notes) {
            spec.commandLine().getOut().println("note: " + note);
        }
        spec.commandLine().getOut().printf("wrote %s: %d nodes, %,d params, %,d bytes%n", out, def.nodes().size(),
                def.parameterCount(), Files.size(out));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
