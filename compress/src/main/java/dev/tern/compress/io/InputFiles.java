package dev.tern.compress.io;

import dev.tern.runtime.InvalidInputException;
import dev.tern.runtime.model.InputSpec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Turns an input file into normalized samples for a model input. The format is
 * recognized by its signature:
 * <ul>
 *   <li>a {@code .npy} array of shape {@code S} (one sample) or {@code [N] + S} (a batch of
 *       N >= 1 samples), S being the input's sample shape. float32 and float64 arrays are
 *       taken as they are (already normalized); uint8 arrays are raw pixels and get the
 *       input's normalization.</li>
 *   <li>a PNG or PGM image of exactly the input's height and width (no resizing), converted
 *       to gray or RGB as the input's channel count says, its pixel values in [0, 255]
 *       normalized with the input's mean and std.</li>
 * </ul>
 */
public final class InputFiles {
    private InputFiles() {
    }

    /**
     * Reads {@code file} as one sample of {@code spec}.
     *
     * @return {@code spec.sampleSize()} normalized values in the input's layout
     * @throws FileFormatException   when the file is not a valid array or image
     * @throws InvalidInputException when its shape or size does not fit the input, or it holds
     *                               a batch of more than one sample
     */
    public static float[] load(Path file, InputSpec spec) throws IOException {
        float[] x = loadBatch(file, spec);
        int n = x.length / spec.sampleSize();
        if (n != 1) {
            throw new InvalidInputException(file + " holds a batch of " + n + " samples; input '" + spec.name()
                    + "' expects one here, " + Arrays.toString(spec.sampleShape()));
        }
        return x;
    }

    /**
     * Reads {@code file} as a batch of samples of {@code spec}: an image or a {@code .npy} of
     * the sample shape is one sample, a {@code .npy} of {@code [N] + sample shape} is N.
     *
     * @return {@code N * spec.sampleSize()} normalized values, sample after sample, each in the
     *         input's layout; N >= 1
     * @throws FileFormatException   when the file is not a valid array or image
     * @throws InvalidInputException when its shape or size does not fit the input, or the batch is empty
     */
    public static float[] loadBatch(Path file, InputSpec spec) throws IOException {
        if (Files.isDirectory(file)) {
            throw new FileSystemException(file.toString(), null, "is a directory, not an input file");
        }
        byte[] start = readStart(file, 8);
        if (startsWith(start, NpyReader.MAGIC)) {
            return fromArray(NpyReader.read(file), file, spec);
        }
        if (ImageFiles.isPng(start) || ImageFiles.isPgm(start)) {
            return fromImage(ImageFiles.read(file), file, spec);
        }
        throw new FileFormatException(file + ": not a .npy array, PNG or PGM image: it starts with " + Hex.of(start));
    }

    /** The samples of an array of shape {@code S} or {@code [N] + S} (N >= 1), normalized when stored as uint8. */
    static float[] fromArray(NpyArray array, Path file, InputSpec spec) {
        int[] sample = spec.sampleShape();
        int[] shape = array.shape();
        boolean batched = shape.length == sample.length + 1
                && Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length), sample);
        if (!batched && !Arrays.equals(shape, sample)) {
            StringBuilder any = new StringBuilder("[N");
            for (int d : sample) {
                any.append(", ").append(d);
            }
            any.append(']');
            throw new InvalidInputException(file + " holds " + array + "; input '" + spec.name() + "' expects "
                    + Arrays.toString(sample) + " or " + any + " (a batch of N >= 1 samples)");
        }
        if (batched && shape[0] == 0) {
            throw new InvalidInputException(file + " holds " + array + ", a batch of 0 samples; input '" + spec.name()
                    + "' expects at least one");
        }
        float[] values = array.values();
        return array.storedAs() == NpyDType.UINT8 ? InputLayout.of(spec).normalize(values) : values;
    }

    /**
     * The sample of an image for {@code spec}: resized when the input records a resize (else it
     * must have the input's size), arranged in the input's layout and normalized.
     *
     * @throws InvalidInputException when the input is not an image, or the size differs without a recorded resize
     */
    public static float[] fromImage(Pixels image, Path file, InputSpec spec) {
        InputLayout layout = InputLayout.of(spec);
        if (!layout.isImage()) {
            throw new InvalidInputException("input '" + spec.name() + "' has shape " + Arrays.toString(spec.shape())
                    + " (layout " + spec.layout() + "), which is not an image of 1 or 3 channels; give a .npy array");
        }
        if ((image.width() != layout.width() || image.height() != layout.height()) && spec.resize().isEmpty()) {
            throw new InvalidInputException(file + " is " + image.width() + "x" + image.height()
                    + " (width x height); input '" + spec.name() + "' expects " + layout.width() + "x" + layout.height()
                    + " (the model records no resize in its preprocessing)");
        }
        return layout.normalize(layout.arrange(image.resized(layout.width(), layout.height(), spec.resize().isEmpty()
                ? "nearest" : spec.resize())));
    }

    private static byte[] readStart(Path file, int n) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(n);
        }
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        return b.length >= prefix.length && Arrays.equals(Arrays.copyOf(b, prefix.length), prefix);
    }
}
