package dev.tern.compress.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.compress.data.CanvasSet;
import dev.tern.compress.data.DataSets;
import dev.tern.compress.data.Dataset;
import dev.tern.compress.data.MultiFashion;
import dev.tern.compress.data.MultiFashionExport;
import dev.tern.compress.data.TaskLabels;
import dev.tern.compress.eval.Predictor;
import dev.tern.compress.job.EvaluateJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code tern data}: write Multi-Fashion as a user data set, or check a data set against a model. */
@Command(name = "data", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        subcommands = {DataCommand.Write.class, DataCommand.Check.class},
        description = {"User data sets (docs/DATA.md): .npz files, folders of train/test .npz, image folders with labels.csv.",
            "'tern data multifashion' writes the built-in canvases in those formats; 'tern data check' runs every check "
                + "a step would run against a model and describes the data set."})
public final class DataCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new UsageException("tern data needs a subcommand: multifashion or check");
    }

    /** {@code tern data multifashion [--split S] [--limit N] (--npz FILE | --images DIR | --folder DIR)}. */
    @Command(name = "multifashion", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = {"Write Multi-Fashion canvases as an .npz (x uint8 (N, 36, 36, 1), left and right int64 (N), "
                + "present uint8 (N, 10)), as an image folder (images/NNNNN.png and labels.csv with class names), or as a "
                + "data set folder (--folder: train.npz from the training canvases, test.npz from the test canvases)."})
    static final class Write implements Callable<Integer> {
        @Option(names = "--split", paramLabel = "SPLIT", defaultValue = "test",
                description = "test (the 10,000 test canvases) or train (epoch 0 of seed 1, 60,000 canvases). Default: ${DEFAULT-VALUE}.")
        String split;

        @Option(names = "--limit", paramLabel = "N", description = "Only the first N canvases.")
        Integer limit;

        @Option(names = "--npz", paramLabel = "FILE", description = "Write an .npz file.")
        Path npz;

        @Option(names = "--images", paramLabel = "DIR", description = "Write an image folder.")
        Path images;

        @Option(names = "--folder", paramLabel = "DIR", description = "Write DIR/train.npz and DIR/test.npz (--split is ignored; "
                + "--limit applies to each).")
        Path folder;

        @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST IDX folder (default: the repo's models/data/fashion-mnist).")
        Path data;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if ((npz == null ? 0 : 1) + (images == null ? 0 : 1) + (folder == null ? 0 : 1) != 1) {
                throw new UsageException("give exactly one of --npz FILE, --images DIR and --folder DIR");
            }
            if (!split.equals("test") && !split.equals("train")) {
                throw new UsageException("--split: expected test or train, found '" + split + "'");
            }
            if (npz != null) {
                dev.tern.runtime.format.AtomicFiles.checkWritable(npz);
            }
            MultiFashion mf = new MultiFashion(DataOption.load(data));
            PrintWriter out = spec.commandLine().getOut();
            if (folder != null) {
                for (String part : new String[] {"train", "test"}) {
                    CanvasSet set = limited(part.equals("test") ? mf.test() : mf.trainEpoch(DataSets.TRAIN_SEED, 0));
                    MultiFashionExport.npz(set, folder.resolve(part + ".npz"));
                    out.printf("wrote %s: %d canvases of %s%n", folder.resolve(part + ".npz"), set.size(), set.name());
                }
                out.flush();
                return 0;
            }
            CanvasSet set = split.equals("test") ? mf.test() : mf.trainEpoch(DataSets.TRAIN_SEED, 0);
            set = limited(set);
            if (npz != null) {
                MultiFashionExport.npz(set, npz);
            } else {
                MultiFashionExport.images(set, images);
            }
            out.printf("wrote %s: %d canvases of %s%n", npz != null ? npz : images, set.size(), set.name());
            out.flush();
            return 0;
        }

        private CanvasSet limited(CanvasSet set) {
            if (limit == null) {
                return set;
            }
            if (limit < 1 || limit > set.size()) {
                throw new UsageException("--limit: expected 1.." + set.size() + ", found " + limit);
            }
            return set.subset(limit);
        }
    }

    /** {@code tern data check PATH --model MODEL [--split S] [--json]}. */
    @Command(name = "check", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = {"Open a data set for a model and run every check (shapes, dtypes, NaN, labels, files); "
                + "print its size, tasks, label counts and checksum."})
    static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "PATH", description = "An .npz file, a folder of train/test .npz, an image folder with "
                + "labels.csv, or a Fashion-MNIST IDX folder.")
        Path path;

        @Option(names = "--model", paramLabel = "MODEL", required = true,
                description = "The model it is for: a .tern file, a SavedModel folder or an .onnx file.")
        Path model;

        @Option(names = "--split", paramLabel = "SPLIT", defaultValue = "test",
                description = "train, val or test. Default: ${DEFAULT-VALUE}.")
        String split;

        @Option(names = "--json", description = "Print one JSON object.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            DataSets.Split s;
            try {
                s = DataSets.Split.valueOf(split.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--split: expected train, val or test, found '" + split + "'");
            }
            PrintWriter out = spec.commandLine().getOut();
            try (Predictor p = EvaluateJob.open(model); Dataset d = DataSets.open(path, p.input(), p.tasks(), s, true)) {
                if (json) {
                    ObjectNode o = Json.object();
                    o.put("name", d.name());
                    o.put("split", d.split());
                    o.put("samples", d.size());
                    o.put("checksum", d.checksum());
                    ObjectNode t = o.putObject("tasks");
                    for (String task : d.tasks()) {
                        t.put(task, summary(d.labels(task)));
                    }
                    Json.print(o, out);
                } else {
                    out.printf("%s (%s): %d samples for input '%s' %s%n", d.name(), d.split(), d.size(), p.input().name(),
                            java.util.Arrays.toString(p.input().sampleShape()));
                    for (String task : d.tasks()) {
                        out.printf("  %-10s %s%n", task, summary(d.labels(task)));
                    }
                    out.printf("  checksum %s%n", d.checksum());
                }
            }
            out.flush();
            return 0;
        }

        private static String summary(TaskLabels l) {
            switch (l.kind()) {
                case MULTICLASS: {
                    int[] counts = new int[l.width()];
                    for (int c : l.classes()) {
                        counts[c]++;
                    }
                    return "multiclass, " + l.width() + " classes, per class " + java.util.Arrays.toString(counts);
                }
                case MULTILABEL: {
                    int[] counts = new int[l.width()];
                    for (boolean[] row : l.multiHot()) {
                        for (int c = 0; c < row.length; c++) {
                            counts[c] += row[c] ? 1 : 0;
                        }
                    }
                    return "multilabel, " + l.width() + " labels, positives per label " + java.util.Arrays.toString(counts);
                }
                default:
                    return "regression, " + l.width() + " targets";
            }
        }
    }
}
