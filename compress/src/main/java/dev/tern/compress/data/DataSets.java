package dev.tern.compress.data;

import dev.tern.compress.io.NpzFile;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.TaskSpec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Opens what {@code --data} names (docs/DATA.md):
 * <ul>
 * <li>an {@code .npz} file ({@link NpzDataset}), used whole;</li>
 * <li>a folder holding {@code train.npz} and {@code test.npz} (optionally {@code val.npz}): the split's file;</li>
 * <li>a folder with {@code labels.csv} ({@link ImageFolderDataset}): the split's rows, or all rows without a split column;</li>
 * <li>a folder of Fashion-MNIST IDX files: the built-in Multi-Fashion canvases ({@link MultiFashionData};
 * test: the 10,000 test canvases, train: epoch 0 of seed 1).</li>
 * </ul>
 */
public final class DataSets {
    /** The part of a data set a step reads. */
    public enum Split {
        TRAIN, VAL, TEST;

        /** {@code train}, {@code val} or {@code test}: file names and labels.csv values. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The seed of the built-in training canvases a calibration draws. */
    public static final long TRAIN_SEED = 1L;

    private DataSets() {
    }

    /** What kind of data set {@code path} is, without reading it. */
    public enum Kind {
        NPZ, NPZ_FOLDER, IMAGE_FOLDER, MULTI_FASHION
    }

    /**
     * The kind of {@code path}.
     *
     * @throws NoSuchFileException when it does not exist
     */
    public static Kind kind(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such data set (expected an .npz file, a folder of "
                    + "train.npz/test.npz, an image folder with labels.csv, or a Fashion-MNIST folder)");
        }
        if (!Files.isDirectory(path)) {
            return Kind.NPZ;
        }
        if (Files.exists(path.resolve(ImageFolderDataset.LABELS))) {
            return Kind.IMAGE_FOLDER;
        }
        for (Split s : Split.values()) {
            if (Files.exists(path.resolve(s.id() + ".npz"))) {
                return Kind.NPZ_FOLDER;
            }
        }
        return Kind.MULTI_FASHION;
    }

    /**
     * Opens the {@code split} of the data set at {@code path} for a model whose input is
     * {@code input}, with labels for {@code tasks} (each required when {@code requireLabels}).
     * A single {@code .npz} file is used whole whatever the split.
     *
     * @throws DataException naming the file, row and column of the first problem
     */
    public static Dataset open(Path path, InputSpec input, List<TaskSpec> tasks, Split split, boolean requireLabels)
            throws IOException {
        switch (kind(path)) {
            case NPZ: {
                NpzFile npz = NpzFile.open(path);
                try {
                    return NpzDataset.of(npz, null, input, tasks, requireLabels);
                } catch (IOException | RuntimeException e) {
                    npz.close();
                    throw e;
                }
            }
            case NPZ_FOLDER: {
                Path f = path.resolve(split.id() + ".npz");
                if (!Files.exists(f)) {
                    throw new DataException(path + ": no " + split.id() + ".npz (a data set folder holds train.npz, test.npz "
                            + "and optionally val.npz)");
                }
                NpzFile npz = NpzFile.open(f);
                try {
                    return NpzDataset.of(npz, split.id() + ".npz", input, tasks, requireLabels);
                } catch (IOException | RuntimeException e) {
                    npz.close();
                    throw e;
                }
            }
            case IMAGE_FOLDER:
                return ImageFolderDataset.of(path, split.id(), input, tasks, requireLabels);
            default: {
                MultiFashion mf = new MultiFashion(FashionMnist.load(path));
                return new MultiFashionData(split == Split.TEST ? mf.test() : mf.trainEpoch(TRAIN_SEED, 0));
            }
        }
    }

    /** Seed of the split of a single .npz for training: a shuffle, then 80% train, 10% val, 10% test. */
    public static final long SINGLE_FILE_SPLIT_SEED = 20_201_207L;

    /** The train, val and test parts a training step uses; closing it closes the files. */
    public record Parts(Dataset train, Dataset val, Dataset test, List<Dataset> opened) implements AutoCloseable {
        @Override
        public void close() {
            opened.forEach(Dataset::close);
        }
    }

    /**
     * The parts of a data set for a step that trains (every part labeled for {@code tasks}): a
     * split folder's train/val/test files or an image folder's split rows (val: null when
     * absent); a single .npz shuffled with {@link #SINGLE_FILE_SPLIT_SEED} and cut 80/10/10 (the
     * parts' {@link Dataset#split()} record it); the built-in canvases' training epoch 0 and test
     * split.
     */
    public static Parts forTraining(Path path, InputSpec input, List<TaskSpec> tasks) throws IOException {
        List<Dataset> opened = new java.util.ArrayList<>();
        try {
            if (kind(path) == Kind.NPZ) {
                Dataset all = open(path, input, tasks, Split.TEST, true);
                opened.add(all);
                int n = all.size();
                if (n < 10) {
                    throw new DataException(path + ": " + n + " samples; a single .npz is split 80/10/10 for training, "
                            + "which needs at least 10");
                }
                Dataset mixed = Shuffled.of(all, SINGLE_FILE_SPLIT_SEED);
                int nTest = n / 10;
                int nVal = n / 10;
                int nTrain = n - nTest - nVal;
                return new Parts(named(mixed.slice(0, nTrain), "train"), named(mixed.slice(nTrain, nVal), "val"),
                        named(mixed.slice(nTrain + nVal, nTest), "test"), opened);
            }
            java.util.Set<Split> have = splits(path);
            Dataset train = open(path, input, tasks, Split.TRAIN, true);
            opened.add(train);
            Dataset val = null;
            if (have.contains(Split.VAL)) {
                val = open(path, input, tasks, Split.VAL, true);
                opened.add(val);
            }
            Dataset test = open(path, input, tasks, Split.TEST, true);
            opened.add(test);
            return new Parts(train, val, test, opened);
        } catch (IOException | RuntimeException e) {
            opened.forEach(Dataset::close);
            throw e;
        }
    }

    private static Dataset named(Dataset d, String part) {
        return new Renamed(d, part + " part of the 80/10/10 split (seed " + SINGLE_FILE_SPLIT_SEED + "): " + d.split());
    }

    /** A data set whose split says where it came from. */
    private record Renamed(Dataset base, String split) implements Dataset {
        public String name() {
            return base.name();
        }

        public String checksum() {
            return base.checksum();
        }

        public int size() {
            return base.size();
        }

        public int sampleSize() {
            return base.sampleSize();
        }

        public void fill(int i, float[] dst, int off) {
            base.fill(i, dst, off);
        }

        public java.util.Set<String> tasks() {
            return base.tasks();
        }

        public TaskLabels labels(String task) {
            return base.labels(task);
        }

        public Dataset slice(int from, int n) {
            return new Renamed(base.slice(from, n), split + ", " + TaskLabels.part(from, n));
        }
    }

    /**
     * Whether two shapes order their elements the same way in C order: equal once their axes of
     * size 1 are dropped ([1, 36, 36], [36, 36, 1] and [36, 36] hold a gray canvas alike).
     */
    public static boolean sameOrder(int[] a, int[] b) {
        return java.util.Arrays.equals(java.util.Arrays.stream(a).filter(d -> d != 1).toArray(),
                java.util.Arrays.stream(b).filter(d -> d != 1).toArray());
    }

    /** The splits the data set at {@code path} holds apart (a single .npz: none, it is used whole). */
    public static java.util.Set<Split> splits(Path path) throws IOException {
        java.util.Set<Split> out = java.util.EnumSet.noneOf(Split.class);
        switch (kind(path)) {
            case NPZ_FOLDER:
                for (Split s : Split.values()) {
                    if (Files.exists(path.resolve(s.id() + ".npz"))) {
                        out.add(s);
                    }
                }
                break;
            case IMAGE_FOLDER:
                for (String v : ImageFolderDataset.splits(path)) {
                    out.add(Split.valueOf(v.toUpperCase(Locale.ROOT)));
                }
                break;
            case MULTI_FASHION:
                out.add(Split.TRAIN);
                out.add(Split.TEST);
                break;
            default:
                break;
        }
        return out;
    }

    /**
     * SHA-256 of one file's bytes (what {@code sha256sum} prints), or over several files in
     * order: each file's name, a NUL, its bytes. Lowercase hex.
     */
    public static String sha256(List<Path> files) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        byte[] buf = new byte[1 << 16];
        for (Path f : files) {
            if (files.size() > 1) {
                md.update(String.valueOf(f.getFileName()).getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            try (InputStream in = Files.newInputStream(f)) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                }
            } catch (IOException e) {
                throw new DataException(f + ": cannot read for its checksum: " + e.getMessage(), e);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
