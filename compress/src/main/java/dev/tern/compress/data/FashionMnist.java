package dev.tern.compress.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;

/**
 * Fashion-MNIST (Zalando, MIT licence): 28x28 grayscale article images in 10 classes, a
 * training split of 60,000 and a test split of 10,000.
 *
 * <p>{@link #load(Path)} reads a folder holding the four standard IDX files, each with or
 * without {@code .gz} (when both exist the {@code .gz} one is read; compression is detected
 * from the content anyway): {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
 * {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte}. It checks that images are
 * [n, 28, 28], labels are [n] with the same n, and every label is in [0, 9]; any violation is a
 * {@link DataException} that names the file and the expected and found values. The split sizes
 * are not enforced (a folder may hold a subset), but {@link #TRAIN_SIZE} and {@link #TEST_SIZE}
 * are what the standard files hold.
 *
 * <p>The repo ships the files under {@link #REPO_DIR}; Debian's {@code dataset-fashion-mnist}
 * installs them under {@link #SYSTEM_DIR}.
 */
public final class FashionMnist {
    public static final int ROWS = 28;
    public static final int COLS = 28;
    public static final int CLASSES = 10;
    public static final int TRAIN_SIZE = 60_000;
    public static final int TEST_SIZE = 10_000;
    /** Where the repo keeps the files, relative to the repo root. */
    public static final String REPO_DIR = "models/data/fashion-mnist";
    /** Where Debian's {@code dataset-fashion-mnist} package installs them. */
    public static final Path SYSTEM_DIR = Paths.get("/usr/share/datasets/fashion-mnist");

    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

    private static final String[] CLASS_NAMES = {"t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt",
        "sneaker", "bag", "ankle-boot"};

    private final LabeledImages train;
    private final LabeledImages test;

    private FashionMnist(LabeledImages train, LabeledImages test) {
        this.train = train;
        this.test = test;
    }

    /** The class names in label order: t-shirt, trouser, pullover, dress, coat, sandal, shirt, sneaker, bag, ankle-boot. */
    public static String[] classNames() {
        return CLASS_NAMES.clone();
    }

    /** The name of class {@code label}. */
    public static String className(int label) {
        if (label < 0 || label >= CLASSES) {
            throw new IllegalArgumentException("label " + label + " is not a Fashion-MNIST class; expected [0, 9]");
        }
        return CLASS_NAMES[label];
    }

    /**
     * Loads the four files from {@code dir}.
     *
     * @throws DataException when a file is missing, malformed or inconsistent with its partner
     */
    public static FashionMnist load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new DataException("Fashion-MNIST folder " + dir + " does not exist or is not a folder; expected the four IDX "
                    + "files (the repo ships them in " + REPO_DIR + ")");
        }
        return new FashionMnist(split(dir, "train", TRAIN_IMAGES, TRAIN_LABELS), split(dir, "test", TEST_IMAGES, TEST_LABELS));
    }

    /**
     * The repo's copy under {@code repoRoot}/{@link #REPO_DIR} when it exists, else {@link #SYSTEM_DIR}
     * when that exists, else the repo path (so that loading it gives the clear "missing" message).
     */
    public static Path locate(Path repoRoot) {
        Path repo = repoRoot.resolve(REPO_DIR);
        if (Files.isDirectory(repo) || !Files.isDirectory(SYSTEM_DIR)) {
            return repo;
        }
        return SYSTEM_DIR;
    }

    /**
     * Fashion-MNIST from given splits (for tests and subsets).
     *
     * @throws DataException when a split does not hold 28x28 images in 10 classes
     */
    public static FashionMnist of(LabeledImages train, LabeledImages test) {
        for (LabeledImages s : new LabeledImages[] {train, test}) {
            if (s.rows() != ROWS || s.cols() != COLS || s.classes() != CLASSES) {
                throw new DataException(s.name() + ": expected 28x28 images in 10 classes, found " + s.rows() + "x" + s.cols()
                        + " in " + s.classes());
            }
        }
        return new FashionMnist(train, test);
    }

    /** The training split (60,000 images in the standard files). */
    public LabeledImages train() {
        return train;
    }

    /** The test split (10,000 images in the standard files). */
    public LabeledImages test() {
        return test;
    }

    private static LabeledImages split(Path dir, String split, String imagesName, String labelsName) throws IOException {
        Path imagesFile = find(dir, imagesName);
        Path labelsFile = find(dir, labelsName);
        IdxArray images = Idx.read(imagesFile);
        IdxArray labels = Idx.read(labelsFile);
        if (images.rank() != 3 || images.dim(1) != ROWS || images.dim(2) != COLS) {
            throw new DataException(imagesFile + ": expected images of shape [n, 28, 28], found " + Arrays.toString(images.dims()));
        }
        if (labels.rank() != 1) {
            throw new DataException(labelsFile + ": expected labels of shape [n], found " + Arrays.toString(labels.dims()));
        }
        if (images.dim(0) != labels.dim(0)) {
            throw new DataException(labelsFile + ": " + labels.dim(0) + " labels for the " + images.dim(0) + " images in "
                    + imagesFile.getFileName() + "; expected one label per image");
        }
        byte[] y = labels.data();
        for (int i = 0; i < y.length; i++) {
            if ((y[i] & 0xff) >= CLASSES) {
                throw new DataException(labelsFile + ": label " + i + " is " + (y[i] & 0xff) + ", expected a class in [0, 9]");
            }
        }
        return LabeledImages.wrap("Fashion-MNIST " + split + " (" + dir + ")", ROWS, COLS, CLASSES, images.data(), y);
    }

    private static Path find(Path dir, String name) {
        Path gz = dir.resolve(name + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path raw = dir.resolve(name);
        if (Files.isRegularFile(raw)) {
            return raw;
        }
        throw new DataException(dir + ": missing " + name + ".gz (or " + name + "); expected the four Fashion-MNIST IDX files");
    }
}
