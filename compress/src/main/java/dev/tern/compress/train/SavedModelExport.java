package dev.tern.compress.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
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

    public static void export(TrainRecipe recipe, Trainer.Outcome outcome, Path dir, Map<String, Object> extraMetadata)
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
                writeMetadata(recipe, model, extraMetadata);
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

    private static void writeMetadata(TrainRecipe recipe, Path model, Map<String, Object> extra) throws IOException {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("name", recipe.name);
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("name", "image");
        input.put("layout", "NHWC");
        input.put("mean", List.of(0));
        input.put("std", List.of(255));
        meta.put("input", input);
        List<Object> tasks = new ArrayList<>();
        for (String task : recipe.tasks) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("name", task);
            t.put("kind", task.equals("present") ? "multilabel" : "multiclass");
            t.put("output", task);
            t.put("logits", true);
            t.put("labels", List.of(dev.tern.compress.examples.ExampleModels.FASHION));
            if (task.equals("present")) {
                List<Double> th = new ArrayList<>();
                for (int i = 0; i < MultiTaskNet.CLASSES; i++) {
                    th.add(0.5);
                }
                t.put("thresholds", th);
            }
            tasks.add(t);
        }
        meta.put("tasks", tasks);
        meta.putAll(extra);
        Path assets = model.resolve("assets.extra");
        Files.createDirectories(assets);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(assets.resolve("tern.json").toFile(), meta);
    }
}
