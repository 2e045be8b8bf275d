package dev.tern.compress.data;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.tern.compress.io.ImageFiles;
import dev.tern.compress.io.InputFiles;
import dev.tern.compress.io.InputLayout;
import dev.tern.runtime.model.InputSpec;
import dev.tern.runtime.model.TaskKind;
import dev.tern.runtime.model.TaskSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A folder of PNG (or PGM) images with {@code labels.csv}: a header
 * {@code file,<task>,<task>...[,split]}, then one row per image: its path relative to the
 * folder, per task a class name or id (multiclass), names or ids separated by {@code |}
 * (multilabel; an empty cell is no label), or numbers separated by {@code |} (regression), and
 * optionally {@code train}, {@code val} or {@code test}. Columns that name no task of the model
 * are ignored. Checked at open, each problem naming the line and column: unknown class names,
 * ids out of range, duplicated files, missing files, images whose header is not a PNG/PGM or
 * whose size does not fit the input (unless the model records a resize). Images are decoded
 * when a sample is asked for and preprocessed as {@code tern run} does with a PNG.
 */
public final class ImageFolderDataset extends LabeledDataset {
    /** The label file's name. */
    public static final String LABELS = "labels.csv";

    private final Path dir;
    private final InputSpec input;
    private final List<Path> files;
    private final int[] lines;
    private volatile String checksum;

    private ImageFolderDataset(Path dir, String split, InputSpec input, List<Path> files, int[] lines, Map<String, TaskLabels> labels) {
        super(split, labels);
        this.dir = dir;
        this.input = input;
        this.files = files;
        this.lines = lines;
    }

    /**
     * Reads {@code dir/labels.csv}, keeping the rows of {@code split} (all rows when the file
     * has no split column), and checks them against {@code input} and {@code tasks}.
     *
     * @throws DataException naming the line and column of the first problem
     */
    public static ImageFolderDataset of(Path dir, String split, InputSpec input, List<TaskSpec> tasks, boolean requireLabels)
            throws IOException {
        Path csv = dir.resolve(LABELS);
        InputLayout layout = InputLayout.of(input);
        if (!layout.isImage()) {
            throw new DataException(dir + ": an image folder needs an image input (1 or 3 channels); input '" + input.name()
                    + "' is " + Arrays.toString(input.sampleShape()) + "; give an .npz data set");
        }
        List<String[]> rows = readCsv(csv);
        if (rows.isEmpty()) {
            throw new DataException(csv + ": empty; expected a header file,<task>,... and one row per image");
        }
        String[] header = rows.get(0);
        if (header.length == 0 || !header[0].equals("file")) {
            throw new DataException(csv + " line 1: the first column is '" + (header.length == 0 ? "" : header[0])
                    + "', expected 'file' (then one column per task, optionally 'split')");
        }
        Map<String, Integer> column = new LinkedHashMap<>();
        for (int c = 0; c < header.length; c++) {
            if (column.put(header[c], c) != null) {
                throw new DataException(csv + " line 1: column '" + header[c] + "' appears twice");
            }
        }
        Integer splitColumn = column.get("split");
        List<TaskSpec> labeled = new ArrayList<>();
        for (TaskSpec t : tasks) {
            if (column.containsKey(t.name())) {
                labeled.add(t);
            } else if (requireLabels) {
                throw new DataException(csv + ": no column for task '" + t.name() + "' (" + t.kind().id() + "); the header is "
                        + String.join(",", header));
            }
        }
        List<Path> files = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        Map<String, List<Object>> values = new LinkedHashMap<>();
        labeled.forEach(t -> values.put(t.name(), new ArrayList<>()));
        Map<String, Integer> seen = new HashMap<>();
        for (int r = 1; r < rows.size(); r++) {
            String[] row = rows.get(r);
            int line = r + 1;
            String where = csv + " line " + line;
            if (row.length != header.length) {
                throw new DataException(where + ": " + row.length + " columns, the header has " + header.length);
            }
            if (splitColumn != null) {
                String s = row[splitColumn];
                if (!s.equals("train") && !s.equals("val") && !s.equals("test")) {
                    throw new DataException(where + ", column split: '" + s + "', expected train, val or test");
                }
                if (!s.equals(split)) {
                    continue;
                }
            }
            String name = row[0];
            Integer first = seen.put(name, line);
            if (first != null) {
                throw new DataException(where + ": file " + name + " is listed again (first on line " + first + ")");
            }
            Path f = dir.resolve(name).normalize();
            if (name.isEmpty() || !Files.isRegularFile(f)) {
                throw new DataException(where + ", column file: " + (name.isEmpty() ? "empty" : f + ": no such file"));
            }
            int[] size;
            try {
                size = ImageFiles.peekSize(f);
            } catch (IOException | RuntimeException e) {
                throw new DataException(where + ": " + e.getMessage());
            }
            if (size != null && (size[0] != layout.width() || size[1] != layout.height()) && input.resize().isEmpty()) {
                throw new DataException(where + ": " + f + " is " + size[0] + "x" + size[1] + " (width x height); input '"
                        + input.name() + "' expects " + layout.width() + "x" + layout.height()
                        + " (the model records no resize in its preprocessing)");
            }
            for (TaskSpec t : labeled) {
                values.get(t.name()).add(cell(row[column.get(t.name())], t, where + ", column " + t.name()));
            }
            files.add(f);
            lines.add(line);
        }
        if (files.isEmpty()) {
            throw new DataException(csv + ": no rows" + (splitColumn != null ? " whose split is " + split : ""));
        }
        Map<String, TaskLabels> labels = new LinkedHashMap<>();
        for (TaskSpec t : labeled) {
            labels.put(t.name(), toLabels(t, values.get(t.name())));
        }
        String what = splitColumn != null ? "rows whose split is " + split : "all rows";
        return new ImageFolderDataset(dir, what + " of " + csv.getFileName(), input, List.copyOf(files),
                lines.stream().mapToInt(Integer::intValue).toArray(), labels);
    }

    /** The values of the split column of {@code dir/labels.csv} (train, val, test), empty without one. */
    public static Set<String> splits(Path dir) throws IOException {
        List<String[]> rows = readCsv(dir.resolve(LABELS));
        Set<String> out = new java.util.TreeSet<>();
        if (rows.isEmpty()) {
            return out;
        }
        int c = Arrays.asList(rows.get(0)).indexOf("split");
        if (c < 0) {
            return out;
        }
        for (int r = 1; r < rows.size(); r++) {
            String[] row = rows.get(r);
            if (c < row.length && (row[c].equals("train") || row[c].equals("val") || row[c].equals("test"))) {
                out.add(row[c]);
            }
        }
        return out;
    }

    private static List<String[]> readCsv(Path csv) throws IOException {
        List<String[]> rows = new ArrayList<>();
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
        mapper.enable(CsvParser.Feature.SKIP_EMPTY_LINES);
        mapper.enable(CsvParser.Feature.TRIM_SPACES);
        try (MappingIterator<String[]> it = mapper.readerFor(String[].class).readValues(csv.toFile())) {
            while (it.hasNext()) {
                rows.add(it.next());
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException | RuntimeException e) {
            throw new DataException(csv + ": not a readable CSV: " + e.getMessage().lines().findFirst().orElse(""));
        }
        return rows;
    }

    private static Object cell(String s, TaskSpec t, String where) {
        switch (t.kind()) {
            case MULTICLASS:
                if (s.isEmpty()) {
                    throw new DataException(where + ": empty; expected a class name or an id in [0, " + (t.size() - 1) + "]");
                }
                return classId(s, t, where);
            case MULTILABEL: {
                boolean[] hot = new boolean[t.size()];
                if (!s.isEmpty()) {
                    for (String part : s.split("\\|", -1)) {
                        hot[classId(part.strip(), t, where)] = true;
                    }
                }
                return hot;
            }
            default: {
                String[] parts = s.split("\\|", -1);
                if (parts.length != t.size()) {
                    throw new DataException(where + ": '" + s + "' holds " + parts.length + " values, task '" + t.name() + "' has "
                            + t.size() + " (separate them with |)");
                }
                float[] v = new float[t.size()];
                for (int i = 0; i < v.length; i++) {
                    try {
                        v[i] = Float.parseFloat(parts[i].strip());
                    } catch (NumberFormatException e) {
                        v[i] = Float.NaN;
                    }
                    if (!Float.isFinite(v[i])) {
                        throw new DataException(where + ": '" + parts[i].strip() + "' is not a finite number");
                    }
                }
                return v;
            }
        }
    }

    private static int classId(String s, TaskSpec t, String where) {
        int byName = t.labels().indexOf(s);
        if (byName >= 0) {
            return byName;
        }
        if (s.matches("[0-9]{1,9}")) {
            int id = Integer.parseInt(s);
            if (id < t.size()) {
                return id;
            }
            throw new DataException(where + ": id " + id + " is outside [0, " + (t.size() - 1) + "] (task '" + t.name() + "' has "
                    + t.size() + " " + (t.kind() == TaskKind.MULTICLASS ? "classes" : "labels") + ")");
        }
        List<String> names = t.labels();
        String list = names.size() <= 12 ? String.join(", ", names) : String.join(", ", names.subList(0, 12)) + ", ...";
        throw new DataException(where + ": '" + s + "' is not a " + (t.kind() == TaskKind.MULTICLASS ? "class" : "label")
                + " of task '" + t.name() + "' (" + list + ") nor an id in [0, " + (t.size() - 1) + "]");
    }

    private static TaskLabels toLabels(TaskSpec t, List<Object> v) {
        switch (t.kind()) {
            case MULTICLASS:
                return TaskLabels.multiclass(t.size(), v.stream().mapToInt(o -> (Integer) o).toArray());
            case MULTILABEL:
                return TaskLabels.multilabel(t.size(), v.toArray(new boolean[0][]));
            default:
                return TaskLabels.regression(t.size(), v.toArray(new float[0][]));
        }
    }

    @Override
    public String name() {
        return dir.toString();
    }


    @Override
    public String checksum() {
        String c = checksum;
        if (c == null) {
            List<Path> all = new ArrayList<>();
            all.add(dir.resolve(LABELS));
            all.addAll(files);
            c = "sha256:" + DataSets.sha256(all);
            checksum = c;
        }
        return c;
    }

    @Override
    public int size() {
        return files.size();
    }

    @Override
    public int sampleSize() {
        return input.sampleSize();
    }

    @Override
    public void fill(int i, float[] dst, int off) {
        Path f = files.get(i);
        float[] x;
        try {
            x = InputFiles.fromImage(ImageFiles.read(f), f, input);
        } catch (IOException | RuntimeException e) {
            throw new DataException(dir.resolve(LABELS) + " line " + lines[i] + ": " + e.getMessage(), e);
        }
        System.arraycopy(x, 0, dst, off, x.length);
    }



    @Override
    public Dataset slice(int from, int n) {
        return new ImageFolderDataset(dir, sliceSplit(from, n), input, files.subList(from, from + n),
                Arrays.copyOfRange(lines, from, from + n), labelSlice(from, n));
    }

    @Override
    public String toString() {
        return name() + " (" + split() + ", " + size() + " images)" + (tasks().isEmpty() ? "" : " " + String.join(", ", tasks()).toLowerCase(Locale.ROOT));
    }
}
