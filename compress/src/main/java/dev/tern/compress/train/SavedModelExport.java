package dev.tern.compress.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tern.compress.data.FashionMnist;
import dev.tern.compress.tf.TaskMetadata;
import org.apache.commons.io.FileUtils;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a trained {@link MultiTaskNet} as an inference-only SavedModel: a fresh graph with
 * one {@code VariableV2} per trained parameter (no optimizer state), batch norm as
 * {@code FusedBatchNorm} in inference mode, signature {@code serving_default} with input
 * {@code image} [-1, 36, 36, 1] (pixels / 255) and one logits output per task, plus
 * {@code assets.extra/tern.json} with the task metadata the importer reads. The folder is
 * written beside the target and renamed into place, so a failed export leaves no partial model.
 */
public final class SavedModelExport {
    private SavedModelExport() {
    }

    public static void export(TrainRecipe recipe, Trainer.Outcome outcome, Path dir, Map<String, Object> training)
            throws IOException {
        Path target = dir.toAbsolutePath();
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".");
        try {
            MultiTaskNet net = new MultiTaskNet(recipe);
            try (Graph g = new Graph(); Session s = new Session(g)) {
                Ops tf = Ops.create(g);
                Map<String, Operand<TFloat32>> reads = new LinkedHashMap<>();
                for (Map.Entry<String, float[]> e : outcome.weights.entrySet()) {
                    Operand<TFloat32> init = Trainer.constant(tf, e.getValue(), outcome.shapes.get(e.getKey()));
                    reads.put(e.getKey(), tf.identity(tf.withName(e.getKey()).variable(init)));
                }
                Placeholder<TFloat32> x = tf.withName("image").placeholder(TFloat32.class,
                        Placeholder.shape(Shape.of(-1, MultiTaskNet.SIDE, MultiTaskNet.SIDE, 1)));
                Map<String, Operand<TFloat32>> logits = net.forward(tf, x, reads::get, MultiTaskNet.Mode.EXPORT,
                        MultiTaskNet.BnUpdater.NONE);
                Signature.Builder sig = Signature.builder().key("serving_default").input("image", x);
                for (Map.Entry<String, Operand<TFloat32>> e : logits.entrySet()) {
                    sig.output(e.getKey(), tf.withName(e.getKey() + "_logits").identity(e.getValue()));
                }
                s.initialize();
                Path model = tmp.resolve("model");
                SavedModelBundle.exporter(model.toString()).withSession(s).withSignature(sig.build()).export();
                writeMetadata(recipe, model, training);
                // Move the finished model into place.
                if (Files.exists(target)) {
                    FileUtils.deleteDirectory(target.toFile());
                }
                Files.move(model, target, StandardCopyOption.ATOMIC_MOVE);
            }
        } finally {
            FileUtils.deleteDirectory(tmp.toFile());
        }
    }

    private static void writeMetadata(TrainRecipe recipe, Path model, Map<String, Object> training) throws IOException {
        List<String> classes = List.of(FashionMnist.classNames());
        List<TaskMetadata.Task> tasks = new ArrayList<>();
        for (String task : recipe.tasks) {
            if (task.equals("present")) {
                float[] th = new float[MultiTaskNet.CLASSES];
                java.util.Arrays.fill(th, 0.5f);
                tasks.add(TaskMetadata.Task.multilabel(task, task, classes, th));
            } else {
                tasks.add(TaskMetadata.Task.multiclass(task, task, classes));
            }
        }
        TaskMetadata meta = new TaskMetadata(recipe.name,
                new TaskMetadata.Input("image", "NHWC", new float[] {0f}, new float[] {255f}), tasks);
        meta.writeTo(model);
        // How the model was trained: beside tern.json, for the model card (the importer ignores it).
        Path log = model.resolve("assets.extra").resolve("training.json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(log.toFile(), training);
    }
}
