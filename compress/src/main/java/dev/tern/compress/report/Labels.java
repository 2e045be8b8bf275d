package dev.tern.compress.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Places point labels on a scatter plot (log x, linear y) so that they do not cover each
 * other or the points: each label tries above, below, right and left of its point, in that
 * order, and takes the first place that is free; if none is, it goes above. The geometry is
 * estimated in pixels of a plot area of {@link #WIDTH} x {@link #HEIGHT} with characters
 * {@link #CHAR} wide, which is what {@link PlotRenderer}'s charts and font give.
 */
final class Labels {
    static final double WIDTH = 640;
    static final double HEIGHT = 380;
    static final double CHAR = 5.6;
    static final double LINE = 12;
    /** Half the side of the square around a marker that a label must not cover. */
    static final double MARKER = 6;

    private Labels() {
    }

    /** For each point {x, y, index}: where its label's centre goes, in data coordinates. */
    static List<double[]> place(List<String> names, double[] xs, double[] ys) {
        int n = xs.length;
        double lx0 = Double.POSITIVE_INFINITY;
        double lx1 = Double.NEGATIVE_INFINITY;
        double y0 = Double.POSITIVE_INFINITY;
        double y1 = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            lx0 = Math.min(lx0, Math.log(xs[i]));
            lx1 = Math.max(lx1, Math.log(xs[i]));
            y0 = Math.min(y0, ys[i]);
            y1 = Math.max(y1, ys[i]);
        }
        double sx = WIDTH / Math.max(lx1 - lx0, 1e-9);
        double sy = HEIGHT / Math.max(y1 - y0, 1e-9);
        double[] px = new double[n];
        double[] py = new double[n];
        for (int i = 0; i < n; i++) {
            px[i] = (Math.log(xs[i]) - lx0) * sx;
            py[i] = (ys[i] - y0) * sy;
        }
        List<double[]> boxes = new ArrayList<>();
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double w = names.get(i).length() * CHAR;
            double[][] tries = {
                {px[i], py[i] + MARKER + LINE / 2 + 2},
                {px[i], py[i] - MARKER - LINE / 2 - 2},
                {px[i] + MARKER + w / 2 + 3, py[i]},
                {px[i] - MARKER - w / 2 - 3, py[i]},
            };
            double[] chosen = tries[0];
            for (double[] t : tries) {
                double[] box = {t[0] - w / 2, t[1] - LINE / 2, t[0] + w / 2, t[1] + LINE / 2};
                if (free(box, boxes, px, py)) {
                    chosen = t;
                    break;
                }
            }
            boxes.add(new double[] {chosen[0] - w / 2, chosen[1] - LINE / 2, chosen[0] + w / 2, chosen[1] + LINE / 2});
            out.add(new double[] {Math.exp(chosen[0] / sx + lx0), chosen[1] / sy + y0, i});
        }
        return out;
    }

    private static boolean free(double[] box, List<double[]> boxes, double[] px, double[] py) {
        for (double[] b : boxes) {
            if (box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]) {
                return false;
            }
        }
        for (int j = 0; j < px.length; j++) {
            if (box[0] < px[j] + MARKER && px[j] - MARKER < box[2] && box[1] < py[j] + MARKER && py[j] - MARKER < box[3]) {
                return false;
            }
        }
        return true;
    }
}
