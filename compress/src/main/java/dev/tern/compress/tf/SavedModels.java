package dev.tern.compress.tf;

import org.tensorflow.SavedModelBundle;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Opening a SavedModel folder and reading its signature, with errors that say what was expected. */
final class SavedModels {
    static final String GRAPH_FILE = "saved_model.pb";
    static final String GRAPH_TEXT_FILE = "saved_model.pbtxt";

    private SavedModels() {
    }

    /** Checks that {@code dir} looks like a SavedModel, then loads it with TensorFlow Java. */
    static SavedModelBundle open(Path dir, List<String> tags) {
        checkFolder(dir);
        try {
            return SavedModelBundle.load(dir.toAbsolutePath().toString(), tags.toArray(new String[0]));
        } catch (RuntimeException e) {
            String available = availableTags(dir);
            if (available == null && Files.isRegularFile(dir.resolve(GRAPH_FILE))) {
                throw new ImportException("cannot load SavedModel " + dir + ": " + GRAPH_FILE
                        + " is not a valid SavedModel protobuf (" + firstLine(e.getMessage()) + ")", e);
            }
            throw new ImportException("cannot load SavedModel " + dir + " with tags " + tags
                    + (available == null ? "" : " (its meta graphs have tags " + available + ")") + ": "
                    + firstLine(e.getMessage()), e);
        }
    }

    static void checkFolder(Path dir) {
        if (!Files.exists(dir)) {
            throw new ImportException("expected a SavedModel folder at " + dir + ", found nothing there");
        }
        if (!Files.isDirectory(dir)) {
            throw new ImportException("expected a SavedModel folder at " + dir + ", found a file");
        }
        if (!Files.isRegularFile(dir.resolve(GRAPH_FILE)) && !Files.isRegularFile(dir.resolve(GRAPH_TEXT_FILE))) {
            throw new ImportException("expected " + GRAPH_FILE + " in " + dir + " (not a SavedModel folder), found "
                    + listing(dir));
        }
    }

    private static String listing(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> names = s.map(p -> p.getFileName() + (Files.isDirectory(p) ? "/" : "")).sorted()
                    .collect(Collectors.toList());
            if (names.isEmpty()) {
                return "an empty folder";
            }
            if (names.size() > 10) {
                return names.subList(0, 10) + " and " + (names.size() - 10) + " more";
            }
            return names.toString();
        } catch (IOException e) {
            return "an unreadable folder (" + e.getMessage() + ")";
        }
    }

    /** The tag sets of the meta graphs in saved_model.pb, or null when it cannot be parsed. */
    private static String availableTags(Path dir) {
        Path pb = dir.resolve(GRAPH_FILE);
        if (!Files.isRegularFile(pb)) {
            return null;
        }
        try (InputStream in = Files.newInputStream(pb)) {
            SavedModel sm = SavedModel.parseFrom(in);
            List<String> sets = new ArrayList<>();
            for (MetaGraphDef mg : sm.getMetaGraphsList()) {
                sets.add(mg.getMetaInfoDef().getTagsList().toString());
            }
            return String.join(", ", sets);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The named signature, or an error listing the signatures the SavedModel has. */
    static SignatureDef signature(SavedModelBundle bundle, String name, Path dir) {
        Map<String, SignatureDef> sigs = bundle.metaGraphDef().getSignatureDefMap();
        SignatureDef sd = sigs.get(name);
        if (sd == null) {
            throw new ImportException("signature '" + name + "' not found in SavedModel " + dir + "; it has "
                    + (sigs.isEmpty() ? "no signatures" : new TreeSet<>(sigs.keySet()).toString()));
        }
        return sd;
    }

    /** The signature's single input key. */
    static String singleInput(SignatureDef sd, String sigName) {
        if (sd.getInputsCount() != 1) {
            throw new ImportException("signature '" + sigName + "' has " + sd.getInputsCount() + " inputs "
                    + new TreeSet<>(sd.getInputsMap().keySet()) + ", expected exactly 1");
        }
        return sd.getInputsMap().keySet().iterator().next();
    }

    /** Output keys in sorted order (the signature map has no order of its own). */
    static List<String> outputKeys(SignatureDef sd, String sigName) {
        if (sd.getOutputsCount() == 0) {
            throw new ImportException("signature '" + sigName + "' has no outputs, expected at least 1");
        }
        return new ArrayList<>(new TreeSet<>(sd.getOutputsMap().keySet()));
    }

    static void checkFloat(TensorInfo info, String what) {
        if (info.getDtype() != DataType.DT_FLOAT) {
            throw new ImportException(what + " '" + info.getName() + "' is " + info.getDtype() + ", expected DT_FLOAT");
        }
    }

    /**
     * The full shape (batch first) of a signature input; -1 for unknown dimensions.
     * Only the batch dimension may be unknown.
     */
    static int[] inputShape(TensorInfo info, String key) {
        TensorShapeProto sp = info.getTensorShape();
        if (sp.getUnknownRank()) {
            throw new ImportException("input '" + key + "' has an unknown rank, expected a shape like [-1, h, w, c] or [-1, n]");
        }
        int[] shape = dims(sp);
        if (shape.length < 2) {
            throw new ImportException("input '" + key + "' has shape " + Arrays.toString(shape)
                    + ", expected a batch dimension and at least one more, like [-1, h, w, c] or [-1, n]");
        }
        for (int i = 1; i < shape.length; i++) {
            if (shape[i] < 1) {
                throw new ImportException("input '" + key + "' has shape " + Arrays.toString(shape)
                        + ", expected every dimension after the batch to be known (> 0)");
            }
        }
        if (shape[0] == 0 || shape[0] < -1) {
            throw new ImportException("input '" + key + "' has batch dimension " + shape[0] + ", expected -1 or > 0");
        }
        return shape;
    }

    static int[] dims(TensorShapeProto sp) {
        int[] s = new int[sp.getDimCount()];
        for (int i = 0; i < s.length; i++) {
            long d = sp.getDim(i).getSize();
            if (d > Integer.MAX_VALUE) {
                throw new ImportException("dimension " + d + " is too large");
            }
            s[i] = (int) d;
        }
        return s;
    }

    /** Node name of a tensor name: {@code conv/Relu:0} -> {@code conv/Relu}; also strips a control {@code ^}. */
    static String nodeName(String tensor) {
        String t = tensor.startsWith("^") ? tensor.substring(1) : tensor;
        int colon = t.lastIndexOf(':');
        if (colon > 0 && isDigits(t, colon + 1)) {
            return t.substring(0, colon);
        }
        return t;
    }

    /** Output index of a tensor name: {@code split:1} -> 1, {@code relu} -> 0. */
    static int outputIndex(String tensor) {
        int colon = tensor.lastIndexOf(':');
        if (colon > 0 && isDigits(tensor, colon + 1)) {
            return Integer.parseInt(tensor.substring(colon + 1));
        }
        return 0;
    }

    /** The canonical {@code node:index} form. */
    static String canonical(String tensor) {
        return nodeName(tensor) + ":" + outputIndex(tensor);
    }

    private static boolean isDigits(String s, int from) {
        if (from >= s.length() || s.length() - from > 9) {
            return false;
        }
        for (int i = from; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    static String firstLine(String s) {
        if (s == null) {
            return "no message";
        }
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }
}
