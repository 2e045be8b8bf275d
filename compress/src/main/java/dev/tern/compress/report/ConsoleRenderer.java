package dev.tern.compress.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code tern compress} and {@code tern demo} print when they finish: a small table of the
 * variants (each task's headline metric, size, p50 latency, speedup with its range, faster /
 * slower / within noise), the verdict, and what distillation bought. It used to print raw JSON
 * such as {@code {"left":2.21,"right":1.88,...}}.
 */
public final class ConsoleRenderer {
    private ConsoleRenderer() {
    }

    public static String render(ReportModel m) {
        List<String> tasks = m.tasks();
        List<String> header = new ArrayList<>(List.of("variant"));
        for (String t : tasks) {
            header.add(t + " " + shortName(m.headlineName(t)));
        }
        header.addAll(List.of("size KiB", "p50 us", "speedup", "vs teacher"));
        List<List<String>> rows = new ArrayList<>();
        rows.add(header);
        for (ReportModel.Row r : m.distinctRows()) {
            VariantResult v = r.result();
            List<String> row = new ArrayList<>();
            boolean teacher = r == m.teacher();
            row.add(teacher ? "teacher" : r.name());
            for (String t : tasks) {
                row.add(String.format(Locale.ROOT, "%.4f", v.tasks().get(t).headline()));
            }
            row.add(String.format(Locale.ROOT, "%,.1f", v.sizeBytes() / 1024.0));
            row.add(String.format(Locale.ROOT, "%,.0f", v.latency().p50()));
            row.add(teacher ? "1.00x" : v.latency().hasSpread()
                    ? String.format(Locale.ROOT, "%.2fx (%.2f-%.2f)", r.speedup(), r.speedupLow(), r.speedupHigh())
                    : String.format(Locale.ROOT, "%.2fx", r.speedup()));
            row.add(teacher ? "" : r.vsTeacher().name().toLowerCase(Locale.ROOT).replace('_', ' '));
            rows.add(row);
        }
        StringBuilder sb = new StringBuilder();
        table(sb, rows);
        sb.append(m.verdict()).append('\n');
        for (ReportModel.Distillation d : m.distillation()) {
            StringBuilder g = new StringBuilder();
            for (Map.Entry<String, Double> e : d.gainPoints().entrySet()) {
                g.append(g.length() == 0 ? "" : ", ").append(e.getKey())
                        .append(String.format(Locale.ROOT, " %+.2f", e.getValue()));
            }
            sb.append("distillation: ").append(d.distilled()).append(" vs ").append(d.control()).append(": ").append(g)
                    .append(" points").append(d.beatsControlOnEveryTask() ? " (better on every task)" : " (not better on every task)")
                    .append('\n');
        }
        return sb.toString();
    }

    private static String shortName(String metric) {
        return metric.equals("accuracy") ? "acc" : metric;
    }

    /** Left-aligned first column, right-aligned numbers, two spaces between columns. */
    static void table(StringBuilder sb, List<List<String>> rows) {
        int cols = rows.get(0).size();
        int[] w = new int[cols];
        for (List<String> r : rows) {
            for (int c = 0; c < cols; c++) {
                w[c] = Math.max(w[c], r.get(c).length());
            }
        }
        for (List<String> r : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < cols; c++) {
                String cell = r.get(c);
                String pad = " ".repeat(w[c] - cell.length());
                line.append(c == 0 ? "" : "  ").append(c == 0 || c == cols - 1 ? cell + pad : pad + cell);
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
    }
}
