package dev.tern.compress.report;

import dev.tern.runtime.format.AtomicFiles;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The plots (XChart PNG): per task, its headline metric against size and against p50
 * latency, log x. One series per precision (the teacher apart) keeps the legend short; every
 * point carries its variant's name; on the latency plots a bar spans the round medians. The
 * colours are from the Okabe-Ito palette, dark enough to read on white and told apart by
 * colour-blind readers too; the marker shapes differ as well.
 */
public final class PlotRenderer {
    private static final Color TEACHER = Color.BLACK;
    private static final Color BLUE = new Color(0x00, 0x72, 0xB2);
    private static final Color VERMILLION = new Color(0xD5, 0x5E, 0x00);
    private static final Color GREEN = new Color(0x00, 0x9E, 0x73);
    private static final Color FRONT = new Color(0x55, 0x55, 0x55);

    private PlotRenderer() {
    }

    /** The plot files, in the order they are shown: size then latency, per task. */
    public static List<String> files(ReportModel m) {
        List<String> out = new ArrayList<>();
        for (String t : m.tasks()) {
            out.add("size-" + t + ".png");
            out.add("latency-" + t + ".png");
        }
        return out;
    }

    /** Writes every plot of {@link #files} into {@code dir}, atomically. */
    public static void render(ReportModel m, Path dir) throws IOException {
        for (String t : m.tasks()) {
            String metric = m.headlineName(t);
            write(dir, "size-" + t + ".png", chart(m, t, t + ": " + metric + " vs size", "size (KiB, log scale)", metric,
                    r -> r.result().sizeBytes() / 1024.0, m.sizeFront(), false));
            write(dir, "latency-" + t + ".png", chart(m, t, t + ": " + metric + " vs batch-1 latency",
                    "latency p50 (µs, log scale)", metric, r -> r.result().latency().p50(), m.latencyFront(), true));
        }
    }

    static XYChart chart(ReportModel m, String task, String title, String xTitle, String yTitle,
                         ToDoubleFunction<ReportModel.Row> x, List<String> front, boolean rounds) {
        XYChart c = new XYChartBuilder().width(760).height(520).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        Styler s = c.getStyler();
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setXAxisLogarithmic(true);
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setMarkerSize(9);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        s.setAnnotationTextFontColor(new Color(0x22, 0x22, 0x22));
        List<ReportModel.Row> rows = m.distinctRows();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (ReportModel.Row r : rows) {
            double y = r.result().tasks().get(task).headline();
            lo = Math.min(lo, y);
            hi = Math.max(hi, y);
        }
        Map<String, List<ReportModel.Row>> groups = new LinkedHashMap<>();
        groups.put("teacher", List.of(m.teacher()));
        groups.put("fp32", new ArrayList<>());
        groups.put("int8", new ArrayList<>());
        for (ReportModel.Row r : rows) {
            if (r != m.teacher()) {
                groups.computeIfAbsent(r.result().precision(), k -> new ArrayList<>()).add(r);
            }
        }
        groups.values().removeIf(List::isEmpty);
        for (Map.Entry<String, List<ReportModel.Row>> g : groups.entrySet()) {
            List<ReportModel.Row> rs = g.getValue();
            XYSeries series = c.addSeries(g.getKey(), rs.stream().mapToDouble(x).toArray(),
                    rs.stream().mapToDouble(r -> r.result().tasks().get(task).headline()).toArray());
            Color colour = colour(g.getKey());
            series.setMarker(marker(g.getKey()));
            series.setMarkerColor(colour);
            if (rounds) {
                for (ReportModel.Row r : rs) {
                    Latency l = r.result().latency();
                    if (l.hasSpread()) {
                        double y = r.result().tasks().get(task).headline();
                        XYSeries bar = c.addSeries("rounds " + r.name(), new double[] {l.min(), l.max()}, new double[] {y, y});
                        bar.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                        bar.setMarker(SeriesMarkers.NONE);
                        bar.setLineColor(colour);
                        bar.setLineStyle(new BasicStroke(1.5f));
                        bar.setShowInLegend(false);
                    }
                }
            }
        }
        double[] xs = rows.stream().mapToDouble(x).toArray();
        double[] ys = rows.stream().mapToDouble(r -> r.result().tasks().get(task).headline()).toArray();
        List<String> names = rows.stream().map(ReportModel.Row::name).toList();
        for (double[] a : Labels.place(names, xs, ys)) {
            c.addAnnotation(new AnnotationText(names.get((int) a[2]), a[0], a[1], false));
        }
        List<ReportModel.Row> f = rows.stream().filter(r -> front.contains(r.name())).toList();
        if (!f.isEmpty()) {
            XYSeries line = c.addSeries("Pareto front (mean metric)", f.stream().mapToDouble(x).toArray(),
                    f.stream().mapToDouble(r -> r.result().tasks().get(task).headline()).toArray());
            line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            line.setMarker(SeriesMarkers.NONE);
            line.setLineColor(FRONT);
            line.setLineStyle(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        }
        return c;
    }

    static Color colour(String group) {
        return switch (group) {
            case "teacher" -> TEACHER;
            case "fp32" -> BLUE;
            case "int8" -> VERMILLION;
            default -> GREEN;
        };
    }

    private static Marker marker(String group) {
        return switch (group) {
            case "teacher" -> SeriesMarkers.DIAMOND;
            case "fp32" -> SeriesMarkers.CIRCLE;
            case "int8" -> SeriesMarkers.SQUARE;
            default -> SeriesMarkers.TRIANGLE_UP;
        };
    }

    private static void write(Path dir, String file, XYChart c) throws IOException {
        Path tmp = dir.resolve("." + file + ".tmp.png");
        BitmapEncoder.saveBitmap(c, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
        byte[] bytes = Files.readAllBytes(tmp);
        Files.delete(tmp);
        AtomicFiles.write(dir.resolve(file), bytes);
    }
}
